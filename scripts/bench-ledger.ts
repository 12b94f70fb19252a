/**
 * Benchmark figures of the ledger function, for `npm run bench` (BENCH_ONLY=ledger for these alone):
 * - the 工作台账 of a year at 2021 scale with 4 rounds of reports (3,220 rows, evidence lists and
 *   reviews), against one round's as the baseline: time and peak memory;
 * - the evidence archive of 1,000, 2,500 and 5,000 files (64 KiB each, incompressible like
 *   photos): time and peak memory, the larger ones against 1,000 files, so the ratio shows
 *   whether memory grows with the archive (it should stay flat).
 *
 * Each measurement runs in a fresh Node process (this bundle again, BENCH_LEDGER_CHILD set) with
 * the built functions on a local cloud of its own, so one run's garbage never counts in the next.
 * The local database and storage run in that process too, so the figures include their share of
 * the work (see `measure`).
 */
import { spawnSync } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { db } from '../cloudfunctions/common/cloud';
import { addDays, officeDay } from '../cloudfunctions/common/domain/dates';
import { spreadOf, storedReport, type Figure } from './bench-journeys';
import { LocalCloud } from './local-cloud/runtime';
import { createBridge, listen } from './local-cloud/server';

const OFFICE = 'o-bench-ledger-office';
const SETUP_CODE = 'bench-ledger-setup';
const FILE_BYTES = 64 * 1024;
const FILES_PER_REPORT = 5;
const ARCHIVE_SIZES = [1000, 2500, 5000] as const;
/** How many times each archive size is measured (BENCH_ARCHIVE_ROUNDS). */
const ARCHIVE_ROUNDS = Number(process.env.BENCH_ARCHIVE_ROUNDS ?? 3);

type Job = { kind: 'export'; rounds: 1 | 4 } | { kind: 'archive'; files: number };
interface Measured {
  ms: number;
  peakLiveMiB: number;
  medianLiveMiB: number;
  heapGrowthMiB: number;
  rssMiB: number;
  bytes: number;
  count: number;
}
type Envelope = { ok: boolean; data?: Record<string, unknown>; code?: string; message?: string };

const MiB = 1024 * 1024;
const used = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;

/**
 * Memory while `run` runs, sampled every half second after a forced GC (what the call holds,
 * not garbage V8 has yet to collect; the GCs cost the timing a few percent): the JS heap plus
 * Buffers and other native memory above the level before the call, at its highest (`peakLive`,
 * which includes buffers of transfers in flight at that moment) and typically (`medianLive`);
 * and the JS heap alone, first and last sample (`heapGrowth`: what stays behind as the work
 * goes on). `rss`: the process's resident set at its highest, sampled every 5 ms (V8 grows its
 * heap space before it collects, so this rises with the amount of work even when nothing is kept).
 */
async function measure<T>(run: () => Promise<T>): Promise<{ result: T; ms: number } & Omit<Measured, 'ms' | 'bytes' | 'count'>> {
  const gc = (global as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  const base = process.memoryUsage();
  const live: number[] = [];
  const heap: number[] = [];
  let rss = 0;
  const sampleRss = () => {
    rss = Math.max(rss, process.memoryUsage().rss);
  };
  const sampleLive = () => {
    gc();
    const m = process.memoryUsage();
    live.push(used(m) - used(base));
    heap.push(m.heapUsed - base.heapUsed);
  };
  const timers = [setInterval(sampleRss, 5), setInterval(sampleLive, 500)];
  const t0 = process.hrtime.bigint();
  try {
    const result = await run();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    sampleRss();
    const sorted = [...live].sort((a, b) => a - b);
    return {
      result,
      ms,
      peakLiveMiB: (sorted[sorted.length - 1] ?? 0) / MiB,
      medianLiveMiB: (sorted[Math.floor(sorted.length / 2)] ?? 0) / MiB,
      heapGrowthMiB: ((heap[heap.length - 1] ?? 0) - (heap[0] ?? 0)) / MiB,
      rssMiB: rss / MiB,
    };
  } finally {
    for (const t of timers) clearInterval(t);
  }
}

/** Evidence files written where local storage keeps them; it indexes them when it opens. */
function writeFiles(dir: string, count: number): string[] {
  const paths: string[] = [];
  const root = path.join(dir, 'storage', 'files');
  for (let i = 0; i < count; i++) {
    const cloudPath = `units/bench/${Math.floor(i / 500)}/${i}.jpg`;
    fs.mkdirSync(path.join(root, path.dirname(cloudPath)), { recursive: true });
    fs.writeFileSync(path.join(root, cloudPath), crypto.randomBytes(FILE_BYTES));
    paths.push(cloudPath);
  }
  return paths;
}

async function insert(collection: string, docs: object[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 500) await db.collection(collection).add({ data: docs.slice(i, i + 500) });
}

/** One measurement, in this (child) process. */
async function child(job: Job): Promise<Measured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-bench-ledger-'));
  const files = job.kind === 'archive' ? writeFiles(dir, job.files) : [];
  let baseUrl = 'http://127.0.0.1:0';
  const cloud = new LocalCloud({
    dir,
    fsync: false,
    functionEnv: { SETUP_CODE, LEDGER_ARCHIVE_BUDGET_MS: '600000' },
    baseUrl: () => baseUrl,
  });
  const server = createBridge(cloud);
  try {
    baseUrl = await listen(server, 0);
    const call = async (fn: string, action: string, data: unknown) => {
      const res = (await cloud.invoke(fn, { action, data }, { openid: OFFICE })) as Envelope;
      if (!res.ok || !res.data) throw new Error(`${action}: ${res.code} ${res.message}`);
      return res.data;
    };
    await call('api', 'admin.bootstrap', { setupCode: SETUP_CODE, name: '基准管理员' });
    await call('api', 'plan.seed', { year: 2021 });
    const today = officeDay(new Date());
    const roundIds: string[] = [];
    for (const [i, name] of ['第一季度', '第二季度', '第三季度', '第四季度'].entries()) {
      roundIds.push(String((await call('api', 'round.create', { name, dueDate: addDays(today, 10 + 30 * i), scope: 'all' })).id));
    }
    const assignments = cloud.db.find('assignments', { planId: 'plan-2021' });
    const at = new Date();
    const reports: Record<string, unknown>[] = [];
    const reviews: Record<string, unknown>[] = [];
    // Reports straight to the store: how they arrived does not matter to the ledger.
    const report = (a: Record<string, unknown>, roundId: string, evidence: object, i: number) => {
      const doc = storedReport(a, roundId, i, { evidence, state: i % 2 === 0 ? 'approved' : 'submitted' });
      reports.push(doc);
      if (i % 2 === 0) reviews.push({ reportId: doc._id, decision: 'approve', note: '材料齐全', by: OFFICE, byName: '基准管理员', at });
    };
    if (job.kind === 'export') {
      const listed = {
        images: [1, 2].map((k) => ({ fileID: `cloud://local-dev.x/units/bench/${k}.jpg`, name: `现场照片${k}.jpg`, size: FILE_BYTES })),
        files: [{ fileID: 'cloud://local-dev.x/units/bench/plan.pdf', name: '实施方案.pdf', size: FILE_BYTES }],
        links: [{ url: 'https://www.zoucheng.gov.cn/art/2021/9/1/art_1.html', title: '门户网站公开页面' }],
      };
      roundIds.forEach((roundId, r) => assignments.forEach((a, i) => report(a, roundId, listed, r * assignments.length + i)));
    } else {
      for (let i = 0; i * FILES_PER_REPORT < files.length; i++) {
        const mine = files.slice(i * FILES_PER_REPORT, (i + 1) * FILES_PER_REPORT);
        const images = mine.map((p, k) => ({ fileID: cloud.storage.fileIdOf(p), name: `IMG_${i}_${k}.jpg`, size: FILE_BYTES }));
        const a = assignments[i % assignments.length] as Record<string, unknown>;
        report(a, roundIds[Math.floor(i / assignments.length)] as string, { images, files: [], links: [] }, i);
      }
    }
    await insert('reports', reports);
    await insert('reviews', reviews);

    const data = job.kind === 'export' ? (job.rounds === 1 ? { roundId: roundIds[0] } : { year: 2021 }) : { year: 2021 };
    const m = await measure(() => call('ledger', job.kind === 'export' ? 'ledger.export' : 'ledger.archive', data));
    const count = Number(job.kind === 'export' ? m.result.rows : m.result.files);
    if (job.kind === 'archive' && (count !== job.files || m.result.missing !== 0)) {
      throw new Error(`archive packed ${count} of ${job.files} files (${String(m.result.missing)} missing)`);
    }
    const { result: _result, ...figures } = m;
    return { ...figures, bytes: Number(m.result.size), count };
  } finally {
    server.closeAllConnections();
    server.close();
    cloud.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `job` in a fresh process of this bundle and returns what it measured. */
function inChild(job: Job): Measured {
  const res = spawnSync(process.execPath, ['--expose-gc', __filename], {
    env: { ...process.env, BENCH_LEDGER_CHILD: JSON.stringify(job) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * MiB,
  });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{')) throw new Error(`ledger bench child ${JSON.stringify(job)} failed (exit ${res.status})`);
  return JSON.parse(line) as Measured;
}

/** The child's side: set BENCH_LEDGER_CHILD, run one job, print its result as the last line. */
export function ledgerChild(): boolean {
  const raw = process.env.BENCH_LEDGER_CHILD;
  if (!raw) return false;
  child(JSON.parse(raw) as Job).then(
    (m) => process.stdout.write(`${JSON.stringify(m)}\n`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
  return true;
}

export function ledgerFigures(): Figure[] {
  const vs = (value: number, baseline: number) => ({ value, baseline, ratio: value / baseline });
  const one = inChild({ kind: 'export', rounds: 1 });
  const year = inChild({ kind: 'export', rounds: 4 });
  const out: Figure[] = [
    { name: 'ledger.export.one_round.rows', value: one.count, unit: 'rows' },
    { name: 'ledger.export.one_round.time', value: one.ms, unit: 'ms' },
    { name: 'ledger.export.one_round.peak_live', value: one.peakLiveMiB, unit: 'MiB' },
    { name: 'ledger.export.year_4_rounds.rows', value: year.count, unit: 'rows' },
    { name: 'ledger.export.year_4_rounds.time', unit: 'ms', ...vs(year.ms, one.ms) },
    { name: 'ledger.export.year_4_rounds.size', value: year.bytes / 1024, unit: 'KiB' },
    { name: 'ledger.export.year_4_rounds.peak_live', unit: 'MiB', ...vs(year.peakLiveMiB, one.peakLiveMiB) },
    { name: 'ledger.export.year_4_rounds.peak_rss', value: year.rssMiB, unit: 'MiB' },
  ];
  // Every archive size several times, interleaved (1,000, 2,500, 5,000, 1,000, 2,500, 5,000, …) so
  // the machine's noise falls on all alike; a ratio is the median of the rounds' ratios (each round's
  // archive against that round's 1,000 files), printed with the spread of both. A budgeted ratio is
  // never judged on one sample: a peak taken every half second moves with where the GC happens to fall.
  const rounds = Array.from(
    { length: ARCHIVE_ROUNDS },
    () => new Map(ARCHIVE_SIZES.map((files) => [files as number, inChild({ kind: 'archive', files })])),
  );
  for (const files of ARCHIVE_SIZES) {
    const paired = rounds
      .filter((r) => r.has(files))
      .map((r) => ({ m: r.get(files) as Measured, base: r.get(ARCHIVE_SIZES[0]) as Measured }));
    const first = files === ARCHIVE_SIZES[0];
    const mid = (pick: (m: Measured) => number) => spreadOf(paired.map((p) => pick(p.m))).median;
    const against = (pick: (m: Measured) => number, budget?: number): Omit<Figure, 'name' | 'unit'> => {
      const spread = spreadOf(paired.map((p) => pick(p.m)));
      if (first) return { value: spread.median, spread };
      const baselineSpread = spreadOf(paired.map((p) => pick(p.base)));
      const ratio = spreadOf(paired.map((p) => pick(p.m) / pick(p.base))).median;
      return {
        value: spread.median,
        baseline: baselineSpread.median,
        ratio,
        spread,
        baselineSpread,
        ...(budget === undefined ? {} : { budget }),
      };
    };
    const name = `ledger.archive.files_${files}`;
    out.push(
      { name: `${name}.time`, unit: 'ms', ...against((m) => m.ms) },
      { name: `${name}.ms_per_file`, value: mid((m) => m.ms) / files, unit: 'ms' },
      { name: `${name}.zip_size`, value: mid((m) => m.bytes) / MiB, unit: 'MiB' },
      // Flat: 2.5× and 5× the files (and bytes) may not need more than 1.5× the memory.
      { name: `${name}.median_live`, unit: 'MiB', ...against((m) => m.medianLiveMiB, 1.5) },
      { name: `${name}.peak_live`, unit: 'MiB', ...against((m) => m.peakLiveMiB, 1.5) },
      // What stays behind per file: the zip's central directory, written at its end.
      { name: `${name}.heap_growth_per_file`, value: (mid((m) => m.heapGrowthMiB) * 1024) / files, unit: 'KiB' },
      { name: `${name}.peak_rss`, unit: 'MiB', ...against((m) => m.rssMiB) },
    );
  }
  return out;
}
