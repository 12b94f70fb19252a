/**
 * `npm run bench`: prints one JSON object per line
 * `{name, value, unit, baseline?, ratio?, budget?}`. Figures are measured in
 * this run; ratios compare against a baseline measured in the same run.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LocalCloud, REPO_ROOT } from './local-cloud/runtime';
import { db, rows } from '../cloudfunctions/common/cloud';
import { buildPlanDocs } from '../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../cloudfunctions/common/table';

interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  budget?: number;
}

function emit(f: Figure): void {
  const out: Figure = { ...f, value: round(f.value) };
  if (f.baseline !== undefined) out.baseline = round(f.baseline);
  if (f.ratio !== undefined) out.ratio = round(f.ratio, 3);
  console.log(JSON.stringify(out));
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

const API_BUNDLE = path.join(REPO_ROOT, 'cloudfunctions', 'api', 'index.js');
const OFFICE = 'o-bench-office-admin';
const SETUP_CODE = 'bench-setup-code';

/** Time to `require` a module in a fresh Node process, in ms (median of runs, alternating). */
function coldRequire(): { bare: number; api: number } {
  const probe = (target: string) =>
    `process.env.TENCENTCLOUD_SECRETID='x';process.env.TENCENTCLOUD_SECRETKEY='x';` +
    `const t=process.hrtime.bigint();require(${JSON.stringify(target)});` +
    `process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const sdk = require.resolve('wx-server-sdk');
  const bare: number[] = [];
  const api: number[] = [];
  for (let i = 0; i < 21; i++) {
    bare.push(Number(execFileSync(process.execPath, ['-e', probe(sdk)], { cwd: REPO_ROOT })));
    api.push(Number(execFileSync(process.execPath, ['-e', probe(API_BUNDLE)], { cwd: REPO_ROOT })));
  }
  return { bare: median(bare), api: median(api) };
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  xs.sort((a, b) => a - b);
  return { p50: median(xs), p99: xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? NaN };
}

type Envelope = { ok: boolean; message?: string };

async function main(): Promise<void> {
  emit({ name: 'api.bundle.size', value: fs.statSync(API_BUNDLE).size / 1024, unit: 'KiB' });
  const cold = coldRequire();
  emit({ name: 'api.cold_require', value: cold.api, unit: 'ms', baseline: cold.bare, ratio: cold.api / cold.bare, budget: 1.1 });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-bench-'));
  const cloud = new LocalCloud({ dir, functionEnv: { SETUP_CODE } });
  try {
    const api = (action: string, data?: unknown) => cloud.invoke('api', { action, data }, { openid: OFFICE }) as Promise<Envelope>;
    const must = async (p: Promise<Envelope>) => {
      const r = await p;
      if (!r.ok) throw new Error(r.message);
      return r;
    };
    await must(api('admin.bootstrap', { setupCode: SETUP_CODE, name: 'bench' }));
    await must(api('plan.seed', { year: 2021 }));

    const requestsOf = async (action: string, data?: unknown) => {
      cloud.db.resetStats();
      await must(api(action, data));
      return Object.values(cloud.db.stats().requests).reduce((a, b) => a + b, 0);
    };
    for (const [action, data] of [
      ['me.get', undefined],
      ['plan.list', undefined],
      ['plan.get', { year: 2021 }],
      ['plan.seed', { year: 2021 }],
    ] as const) {
      emit({ name: `db_requests.${action}`, value: await requestsOf(action, data), unit: 'requests' });
    }

    const indexedQuery = () => rows(db.collection('assignments').where({ planId: 'plan-2021', unitId: 'ssfj' }));
    const at2021 = {
      plan: await timed(50, () => must(api('plan.get', { year: 2021 }))),
      query: await timed(200, indexedQuery),
    };

    // 100× the 2021 data: 99 more years of the same table (the 2021 plan stays current-year-agnostic).
    const units = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));
    for (let year = 2022; year < 2022 + 99; year++) {
      const docs = buildPlanDocs({ ...TABLE_2021, document: { ...TABLE_2021.document, year } }, units, DIRECTORY.groups);
      await db.collection('plans').add({ data: [docs.plan] });
      await db.collection('tasks').add({ data: docs.tasks });
      for (let i = 0; i < docs.assignments.length; i += 1000) {
        await db.collection('assignments').add({ data: docs.assignments.slice(i, i + 1000) });
      }
    }
    const at100 = {
      plan: await timed(50, () => must(api('plan.get', { year: 2021 }))),
      query: await timed(200, indexedQuery),
    };
    const n = cloud.db.count('assignments', {});
    emit({ name: 'scale.assignments_100x', value: n, unit: 'docs' });
    emit({ name: 'latency.plan_get.2021.p50', value: at2021.plan.p50, unit: 'ms' });
    emit({
      name: 'latency.plan_get.100x.p50',
      value: at100.plan.p50,
      unit: 'ms',
      baseline: at2021.plan.p50,
      ratio: at100.plan.p50 / at2021.plan.p50,
    });
    emit({ name: 'latency.indexed_query.2021.p50', value: at2021.query.p50, unit: 'ms' });
    emit({
      name: 'latency.indexed_query.100x.p50',
      value: at100.query.p50,
      unit: 'ms',
      baseline: at2021.query.p50,
      ratio: at100.query.p50 / at2021.query.p50,
    });
    emit({ name: 'latency.indexed_query.100x.p99', value: at100.query.p99, unit: 'ms' });
  } finally {
    cloud.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
