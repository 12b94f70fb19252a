/**
 * The worst case of `report.submit`'s evidence copy for `npm run bench`: one
 * contact submits the most the contract allows (REPORT_LIMITS: 9 photos and
 * 5 files, each of the largest size), on `npm start`'s local cloud in its
 * own process (fsync on, over the HTTP bridge, as the app calls it). Each
 * submit checks every file and copies all of them under `evidence/`; its
 * time is judged against the `api` function's timeout (config.json), which
 * the local cloud enforces as the platform does.
 *
 *   BENCH_EVIDENCE_RUNS  submits measured (default 3), each on another task
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Figure } from './bench-journeys';
import { spreadOf } from './bench-journeys';
import { LOCAL_OFFICE, startLocalCloud } from './local-cloud/child';
import { REPO_ROOT } from './local-cloud/runtime';
import { Client, picture, prepare } from './load';
import { REPORT_LIMITS, uploadPrefix } from '../miniprogram/shared/api';

function apiTimeoutMs(): number {
  const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cloudfunctions', 'api', 'config.json'), 'utf8')) as { timeout: number };
  return config.timeout * 1000;
}

export async function evidenceFigures(): Promise<Figure[]> {
  const runs = Number(process.env.BENCH_EVIDENCE_RUNS ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-bench-evidence-'));
  const cloud = await startLocalCloud(dir);
  try {
    const client = new Client(cloud.origin);
    const cast = await prepare(client, { office: LOCAL_OFFICE, tag: 'evidence', contacts: 1, admins: 0 });
    const me = cast.contacts[0];
    if (!me || me.assignments.length < runs) throw new Error('the bench contact has too few assignments');
    const bytes = REPORT_LIMITS.fileBytes;
    // One buffer per kind: 14 distinct 20 MB buffers would only cost memory, the copies are per file anyway.
    const photo = picture(bytes - picture().length);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(bytes - 9, 0x20)]);
    const prefix = `${uploadPrefix(me.unitId, me.openid)}bench/`;
    const images = [];
    for (let i = 0; i < REPORT_LIMITS.images; i++) {
      images.push({ fileID: await client.upload(me.openid, `${prefix}photo-${i}.jpg`, photo), name: `现场照片${i + 1}.jpg`, size: bytes });
    }
    const files = [];
    for (let i = 0; i < REPORT_LIMITS.files; i++) {
      files.push({ fileID: await client.upload(me.openid, `${prefix}doc-${i}.pdf`, pdf), name: `材料${i + 1}.pdf`, size: bytes });
    }
    const samples: number[] = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      const res = await client.api(me.openid, 'report.submit', {
        assignmentId: me.assignments[r] as string,
        roundId: cast.roundId,
        text: '最多的佐证：9 张照片和 5 个文件，各 20 MB。',
        progress: 'done',
        images,
        files,
        links: [],
        secrecyConfirmed: true,
        requestId: `bench-evidence-${r}`,
      });
      const ms = performance.now() - started;
      if (!res.ok)
        throw new Error(`report.submit with ${images.length + files.length} files of ${bytes} bytes: ${res.code} ${res.message}`);
      samples.push(ms);
    }
    const spread = spreadOf(samples);
    return [
      {
        name: `evidence.submit_copy.${images.length + files.length}x${bytes / 1024 / 1024}MB`,
        value: spread.max,
        unit: 'ms',
        spread,
        budget: apiTimeoutMs(),
      },
    ];
  } finally {
    await cloud.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
