/**
 * Load figures for `npm run bench`: `npm start`'s local cloud in its own
 * process (fsync on), 50 contact persons submitting at once (every third
 * submit with a photo) while 5 administrators review, a fixed number of
 * requests, over the HTTP bridge. Latencies are those the clients saw; the
 * baseline is one contact person submitting alone, measured in the same run.
 * The run ends with the integrity check (every acknowledged report present
 * exactly once, with its evidence; every acknowledged decision recorded once).
 *
 *   BENCH_LOAD_SUBMITS    submits per contact person (default 10)
 *   BENCH_LOAD_DECISIONS  decisions each administrator attempts (default 30)
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Figure } from './bench-journeys';
import { LOCAL_OFFICE, startLocalCloud } from './local-cloud/child';
import {
  Client,
  EXPECTED_REFUSALS,
  checkStopped,
  latencies,
  prepare,
  runLoad,
  type CallRecord,
  type Integrity,
  type LoadRun,
} from './load';

export interface LoadResult {
  run: LoadRun;
  calls: CallRecord[];
  check: Integrity;
  /** report.submit latency of one contact submitting alone (same cloud, same run). */
  alone: number;
}

/** Counts of non-ok outcomes that are errors (not an expected refusal such as two admins racing). */
export function errorsOf(calls: readonly CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls)
    if (c.outcome !== 'ok' && !EXPECTED_REFUSALS.has(c.outcome))
      out[`${c.action}:${c.outcome}`] = (out[`${c.action}:${c.outcome}`] ?? 0) + 1;
  return out;
}

export async function measureLoad(opts: { contacts: number; admins: number; submits: number; decisions: number }): Promise<LoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-bench-load-'));
  const cloud = await startLocalCloud(dir);
  try {
    const cast = await prepare(new Client(cloud.origin), {
      office: LOCAL_OFFICE,
      tag: 'bench',
      contacts: opts.contacts,
      admins: opts.admins,
    });
    // Baseline: the first contact person alone, 20 submits one after another.
    const solo = new Client(cloud.origin);
    const aloneRun = await runLoad(
      solo,
      { ...cast, contacts: cast.contacts.slice(0, 1), admins: [] },
      {
        submitsPerContact: 20,
        decisionsPerAdmin: 0,
        pass: 1,
      },
    );
    const alone = latencies(solo.calls)['report.submit']?.p50 ?? NaN;
    const client = new Client(cloud.origin);
    const run = await runLoad(client, cast, { submitsPerContact: opts.submits, decisionsPerAdmin: opts.decisions, pass: 2 });
    await cloud.stop();
    const check = checkStopped(dir, cast.roundId, { submits: [...aloneRun.submits, ...run.submits], decisions: run.decisions });
    return { run, calls: client.calls, check, alone };
  } finally {
    await cloud.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function loadFigures(): Promise<Figure[]> {
  const contacts = 50;
  const admins = 5;
  const submits = Number(process.env.BENCH_LOAD_SUBMITS ?? 10);
  const decisions = Number(process.env.BENCH_LOAD_DECISIONS ?? 30);
  const { run, calls, check, alone } = await measureLoad({ contacts, admins, submits, decisions });
  const lat = latencies(calls);
  const errors = Object.values(errorsOf(calls)).reduce((a, b) => a + b, 0);
  const figures: Figure[] = [
    { name: 'load.contacts', value: contacts, unit: 'people' },
    { name: 'load.admins', value: admins, unit: 'people' },
    { name: 'load.requests', value: calls.length, unit: 'requests' },
    { name: 'load.throughput', value: calls.length / (run.ms / 1000), unit: 'requests/s' },
    { name: 'load.errors', value: errors, unit: 'requests', budget: 0 },
    { name: 'load.review_conflicts', value: run.decisions.filter((d) => d.outcome === 'CONFLICT').length, unit: 'decisions' },
    { name: 'load.reports_acknowledged', value: check.acknowledged, unit: 'reports' },
    { name: 'load.decisions_acknowledged', value: run.decisions.filter((d) => d.outcome === 'ok').length, unit: 'decisions' },
    { name: 'load.integrity_problems', value: check.problems.length, unit: 'problems', budget: 0 },
  ];
  const submit = lat['report.submit'];
  if (submit) {
    figures.push(
      { name: 'load.submit.p50', value: submit.p50, unit: 'ms', baseline: alone, ratio: submit.p50 / alone },
      { name: 'load.submit.p95', value: submit.p95, unit: 'ms' },
      { name: 'load.submit.p99', value: submit.p99, unit: 'ms' },
    );
  }
  for (const action of ['review.queue', 'report.get', 'review.decide'] as const) {
    const l = lat[action];
    if (l) figures.push({ name: `load.${action}.p50`, value: l.p50, unit: 'ms' }, { name: `load.${action}.p99`, value: l.p99, unit: 'ms' });
  }
  for (const p of check.problems.slice(0, 10)) console.error(`load integrity: ${p}`);
  return figures;
}
