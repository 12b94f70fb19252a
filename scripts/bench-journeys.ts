/**
 * Benchmark figures of the two journeys, for `npm run bench`:
 * - the contact's 首页 (tasks.mine) for a unit assigned all 44 tasks,
 * - the office's round overview with reports from about half the units,
 * each at 2021 scale and again after the database holds 100× the data
 * (measured by the caller between `prepare`/`measure` calls), plus the
 * mini program's package sizes.
 */
import fs from 'fs';
import path from 'path';
import { db } from '../cloudfunctions/common/cloud';
import type { LocalCloud } from './local-cloud/runtime';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  budget?: number;
  /** Several samples behind `value` / `baseline`: their spread, so noise can be told from change. */
  spread?: Spread;
  baselineSpread?: Spread;
}
export interface Spread {
  n: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
}

/** Quartiles of samples (nearest rank). */
export function spreadOf(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, min: s[0] ?? NaN, p25: at(0.25), median: at(0.5), p75: at(0.75), max: s[s.length - 1] ?? NaN };
}
type Envelope = { ok: boolean; data?: unknown; message?: string };

export const ALL_TASKS_CONTACT = 'o-bench-all-tasks';
const ALL_TASKS_UNIT = 'bench-all-tasks';

/** Bytes of the files DevTools would pack under `dir` (sources; TS compiles smaller). */
function packedSize(dir: string, skip: (rel: string) => boolean): number {
  let total = 0;
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const rel = path.relative(dir, full);
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js|json|wxml|wxss|png|jpg|svg)$/.test(entry.name) && entry.name !== 'tsconfig.json') total += fs.statSync(full).size;
    }
  };
  walk(dir);
  return total;
}

export function packageFigures(root: string): Figure[] {
  const mp = path.join(root, 'miniprogram');
  const main = packedSize(mp, (rel) => rel === 'office' || rel.startsWith('miniprogram_npm'));
  const office = packedSize(path.join(mp, 'office'), () => false);
  return [
    { name: 'miniprogram.main_package.size', value: main / 1024, unit: 'KiB', budget: 500 },
    { name: 'miniprogram.office_subpackage.size', value: office / 1024, unit: 'KiB', budget: 2048 },
  ];
}

/**
 * A unit on every task with an active contact, an open round, and reports
 * from every other unit on about half of their assignments.
 */
export async function prepareJourneys(cloud: LocalCloud, office: string, dueDate: string): Promise<{ roundId: string }> {
  const as = (openid: string) => async (action: string, data?: unknown) => {
    const res = (await cloud.invoke('api', { action, data }, { openid })) as Envelope;
    if (!res.ok) throw new Error(`${action}: ${res.message}`);
    return res.data;
  };
  const admin = as(office);
  await admin('unit.create', { name: '基准测试单位', kind: 'other', code: ALL_TASKS_UNIT });
  const tasks = cloud.db.find('tasks', { planId: 'plan-2021' });
  await db.collection('assignments').add({
    data: tasks.map((t) => ({
      _id: `${t._id as string}-${ALL_TASKS_UNIT}`,
      planId: 'plan-2021',
      taskId: t._id,
      taskNo: t.no,
      unitId: ALL_TASKS_UNIT,
      unitName: '基准测试单位',
      role: 'responsible',
      via: 'named',
    })),
  });
  await as(ALL_TASKS_CONTACT)('contact.bind', { unitId: ALL_TASKS_UNIT, name: '基准', phone: '13800000000' });
  await admin('contact.approve', { openid: ALL_TASKS_CONTACT });
  const round = (await admin('round.create', { name: '基准轮次', dueDate, scope: 'all' })) as { id: string };

  // Reports written straight to the store: the overview reads them, how they arrived does not matter.
  const assignments = cloud.db.find('assignments', { planId: 'plan-2021' });
  const reports = assignments
    .filter((a, i) => a.unitId !== ALL_TASKS_UNIT && i % 2 === 0)
    .map((a, i) => storedReport(a, round.id, i, { state: i % 5 === 0 ? 'approved' : 'submitted' }));
  for (let i = 0; i < reports.length; i += 500) await db.collection('reports').add({ data: reports.slice(i, i + 500) });
  return { roundId: round.id };
}

/** A first version as the store keeps it, for benchmarks that need many (how it arrived does not matter to readers). */
export function storedReport(a: Record<string, unknown>, roundId: string, i: number, over: Record<string, unknown> = {}) {
  return {
    _id: `${String(a._id)}-${roundId}-v1`,
    assignmentId: a._id,
    planId: 'plan-2021',
    taskNo: a.taskNo,
    unitId: a.unitId,
    roundId,
    version: 1,
    text: '已按要求在政府门户网站公开相关信息，并同步更新政务新媒体。'.repeat(3),
    progress: i % 3 === 0 ? 'done' : 'ongoing',
    evidence: { images: [], files: [], links: [{ url: 'http://www.zoucheng.gov.cn/' }] },
    secrecyConfirmed: true,
    state: 'submitted',
    submittedBy: 'o-bench-someone',
    submittedByName: '联络员',
    submittedAt: new Date(),
    requestKey: `o-bench-someone:${roundId}-${i}`,
    ...over,
  };
}

export interface JourneyMeasure {
  myTasks: { requests: number; p50: number };
  overview: { requests: number; p50: number; kib: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function measureJourneys(cloud: LocalCloud, office: string, roundId: string): Promise<JourneyMeasure> {
  const run = async (openid: string, action: string, data: unknown, n: number) => {
    cloud.db.resetStats();
    const first = (await cloud.invoke('api', { action, data }, { openid })) as Envelope;
    if (!first.ok) throw new Error(`${action}: ${first.message}`);
    const requests = Object.values(cloud.db.stats().requests).reduce((a, b) => a + b, 0);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      await cloud.invoke('api', { action, data }, { openid });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { requests, p50: median(times), bytes: Buffer.byteLength(JSON.stringify(first.data)) };
  };
  const mine = await run(ALL_TASKS_CONTACT, 'tasks.mine', {}, 30);
  const overview = await run(office, 'overview.round', { roundId }, 20);
  return {
    myTasks: { requests: mine.requests, p50: mine.p50 },
    overview: { requests: overview.requests, p50: overview.p50, kib: overview.bytes / 1024 },
  };
}

export function journeyFigures(at2021: JourneyMeasure, at100: JourneyMeasure): Figure[] {
  const vs = (name: string, a: number, b: number, unit: string): Figure => ({ name, value: b, unit, baseline: a, ratio: b / a });
  return [
    { name: 'db_requests.tasks.mine.all_44_tasks.2021', value: at2021.myTasks.requests, unit: 'requests' },
    { name: 'db_requests.tasks.mine.all_44_tasks.100x', value: at100.myTasks.requests, unit: 'requests' },
    { name: 'latency.tasks_mine.2021.p50', value: at2021.myTasks.p50, unit: 'ms' },
    vs('latency.tasks_mine.100x.p50', at2021.myTasks.p50, at100.myTasks.p50, 'ms'),
    { name: 'db_requests.overview.round.2021', value: at2021.overview.requests, unit: 'requests' },
    { name: 'db_requests.overview.round.100x', value: at100.overview.requests, unit: 'requests' },
    { name: 'latency.overview_round.2021.p50', value: at2021.overview.p50, unit: 'ms' },
    vs('latency.overview_round.100x.p50', at2021.overview.p50, at100.overview.p50, 'ms'),
    { name: 'overview.round.response_size', value: at2021.overview.kib, unit: 'KiB', budget: 1024 },
  ];
}
