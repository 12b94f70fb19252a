/**
 * `npm run bench`: prints one JSON object per line
 * `{name, value, unit, baseline?, ratio?, budget?, held?, spread?, baselineSpread?}`.
 * Figures are measured in this run; ratios compare against a baseline measured
 * in the same run. A figure from repeated samples prints their spread (min,
 * quartiles, max). The last line sums up the budgets; the exit status is 2
 * when one is over.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LocalCloud, REPO_ROOT } from './local-cloud/runtime';
import { db, rows } from '../cloudfunctions/common/cloud';
import { buildPlanDocs } from '../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../cloudfunctions/common/table';
import { localTemplates } from './local-cloud/templates';
import { nextFire, parseCron } from './local-cloud/cron';
import { REMINDER_DEFAULTS } from '../cloudfunctions/common/reminder-config';
import { journeyFigures, measureJourneys, packageFigures, prepareJourneys, spreadOf, type Figure, type Spread } from './bench-journeys';
import { addDays, officeDay } from '../cloudfunctions/common/domain/dates';
import { ledgerChild, ledgerFigures } from './bench-ledger';
import { loadFigures } from './bench-load';
import { evidenceFigures } from './bench-evidence';

/** Every budgeted figure of this run, for the closing summary. */
const budgets: { name: string; judged: number; budget: number; held: boolean }[] = [];

/**
 * Prints a figure. A budget is judged on the ratio when the figure has one (a median ratio for
 * figures with a spread), else on the value: held when it is at most the budget.
 */
function emit(f: Figure): void {
  const out: Figure & { held?: boolean } = { ...f, value: round(f.value) };
  if (f.baseline !== undefined) out.baseline = round(f.baseline);
  if (f.ratio !== undefined) out.ratio = round(f.ratio, 3);
  const roundSpread = (sp: Spread): Spread => ({
    ...sp,
    min: round(sp.min),
    p25: round(sp.p25),
    median: round(sp.median),
    p75: round(sp.p75),
    max: round(sp.max),
  });
  if (f.spread) out.spread = roundSpread(f.spread);
  if (f.baselineSpread) out.baselineSpread = roundSpread(f.baselineSpread);
  if (f.budget !== undefined) {
    const judged = f.ratio ?? f.value;
    out.held = judged <= f.budget;
    budgets.push({ name: f.name, judged, budget: f.budget, held: out.held });
  }
  console.log(JSON.stringify(out));
}

/** The closing line: how many budgets this run held, and which not. */
function summary(): void {
  const over = budgets.filter((b) => !b.held);
  console.log(
    JSON.stringify({
      name: 'budgets',
      held: budgets.length - over.length,
      of: budgets.length,
      over: over.map((b) => `${b.name} ${round(b.judged, 3)} > ${b.budget}`),
    }),
  );
  if (over.length > 0) process.exitCode = 2;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

const API_BUNDLE = path.join(REPO_ROOT, 'cloudfunctions', 'api', 'index.js');
const OFFICE = 'o-bench-office-admin';
const SETUP_CODE = 'bench-setup-code';

/**
 * The cost of `require`-ing the api bundle in a fresh Node process, against the bare
 * wx-server-sdk (what any function pays). Many fresh processes, interleaved (ours, bare, ours, …)
 * so that the machine's noise hits both alike. Each process reports its wall time and the CPU time
 * (user + system) the require took. The budget is judged on CPU time: on a shared machine wall
 * time mostly measures how long the process waited for a core (it varied 300–1,900 ms for the same
 * bare require while CPU time stayed 240–300 ms), whereas CPU time is the work a cold start does,
 * which is what wall time is on an idle instance. Ratio: the median of each pair's ratio; the
 * spread of both kinds is printed. BENCH_COLD_RUNS sets the number of pairs (default 41).
 */
function coldRequire(): { bare: Sample[]; api: Sample[] } {
  const probe = (target: string) =>
    `process.env.TENCENTCLOUD_SECRETID='x';process.env.TENCENTCLOUD_SECRETKEY='x';` +
    `const c=process.cpuUsage();const t=process.hrtime.bigint();require(${JSON.stringify(target)});` +
    `const u=process.cpuUsage(c);` +
    `process.stdout.write(JSON.stringify({wall:Number(process.hrtime.bigint()-t)/1e6,cpu:(u.user+u.system)/1e3}))`;
  const sdk = require.resolve('wx-server-sdk');
  const time = (target: string) =>
    JSON.parse(execFileSync(process.execPath, ['-e', probe(target)], { cwd: REPO_ROOT, encoding: 'utf8' })) as Sample;
  const bare: Sample[] = [];
  const api: Sample[] = [];
  // One unmeasured pair first: the first process after a build reads the files from disk.
  time(API_BUNDLE);
  time(sdk);
  const pairs = Number(process.env.BENCH_COLD_RUNS ?? 41);
  for (let i = 0; i < pairs; i++) {
    api.push(time(API_BUNDLE));
    bare.push(time(sdk));
  }
  return { bare, api };
}
interface Sample {
  wall: number;
  cpu: number;
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

/** setData figures of real pages, measured under jest with miniprogram-simulate (test/bench/*.bench.ts). */
function pageFigures(): Figure[] {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-bench-pages-')), 'figures.jsonl');
  execFileSync(process.execPath, [require.resolve('jest/bin/jest'), '-c', 'jest.bench.config.js', '--silent'], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_OUT: out },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return fs
    .readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Figure);
}

/** The api bundle: its size and its cold start. */
async function coldBench(): Promise<void> {
  emit({ name: 'api.bundle.size', value: fs.statSync(API_BUNDLE).size / 1024, unit: 'KiB' });
  // The office's part beside it (office.js), loaded on the first office call, never at a cold start.
  emit({ name: 'api.office_part.size', value: fs.statSync(path.join(path.dirname(API_BUNDLE), 'office.js')).size / 1024, unit: 'KiB' });
  const cold = coldRequire();
  const figure = (kind: keyof Sample) => {
    const ours = spreadOf(cold.api.map((x) => x[kind]));
    const bare = spreadOf(cold.bare.map((x) => x[kind]));
    // Each process against its neighbour of the other kind, then the median of those ratios:
    // a burst of load on the machine falls on both of a pair.
    const ratio = spreadOf(cold.api.map((x, i) => x[kind] / (cold.bare[i] as Sample)[kind])).median;
    return { value: ours.median, baseline: bare.median, ratio, spread: ours, baselineSpread: bare };
  };
  emit({ name: 'api.cold_require', unit: 'ms (cpu)', ...figure('cpu'), budget: 1.1 });
  emit({ name: 'api.cold_require.wall', unit: 'ms', ...figure('wall') });
}

async function main(): Promise<void> {
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
    const { roundId } = await prepareJourneys(cloud, OFFICE, addDays(officeDay(new Date()), 10));
    const journeys2021 = await measureJourneys(cloud, OFFICE, roundId);

    // 100× the 2021 data: 99 earlier years of the same table, so 2021 stays the current plan.
    const units = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));
    for (let year = 1922; year < 1922 + 99; year++) {
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
    for (const f of journeyFigures(journeys2021, await measureJourneys(cloud, OFFICE, roundId))) emit(f);
    for (const f of packageFigures(REPO_ROOT)) emit(f);
    for (const f of pageFigures()) emit(f);
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

// ---- reminders at province scale ---------------------------------------------------------

/**
 * The reminder timer at province scale: 100 cities' 2021 tables in one current plan (every unit
 * of the directory 100 times: 3,500 units, 80,500 assignments), `perUnit` active contacts per unit
 * (3: 10,200 reminders; 15: 51,000), one open round due in 3 days (so every unit is at its "3 days
 * before" reminder), a fifth of the assignments already submitted, nine in ten contacts with a
 * subscription. WeChat answers each send after a simulated 100 ms. The function runs with its
 * own defaults (concurrency, time budget) unless BENCH_REMINDER_CONCURRENCY is set. Runs are fired
 * at the times of the trigger's config.json (09:00, 09:05, …), each with that time as its `Time`,
 * until one completes. `cities` = 1 is the 2021 scale, the baseline for database requests per reminder.
 */
async function reminderRuns(cities: number, perUnit: number, firings: readonly Date[], concurrency?: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-bench-remind-'));
  const ids = { deadline: 'bench-tmpl-deadline', returned: 'bench-tmpl-returned', urge: 'bench-tmpl-urge' };
  const cloud = new LocalCloud({
    dir,
    functionEnv: {
      SUBSCRIBE_TEMPLATES: JSON.stringify(ids),
      ...(concurrency === undefined ? {} : { REMINDER_CONCURRENCY: String(concurrency) }),
    },
  });
  try {
    cloud.openapi.setTemplates(localTemplates(ids));
    // WeChat's own count is not modelled here: the ledger decides who is sent to.
    cloud.openapi.setQuotaPolicy('unlimited');
    cloud.openapi.setLatency(100);
    const at = new Date();
    const directory = DIRECTORY.units.map((u, i) => ({ id: u.code, name: u.name, kind: u.kind, active: true, order: i }));
    const docs = buildPlanDocs(TABLE_2021, directory, DIRECTORY.groups);
    const insert = async (collection: string, rows: object[]) => {
      for (let i = 0; i < rows.length; i += 1000) await db.collection(collection).add({ data: rows.slice(i, i + 1000) });
    };
    const city = (id: string, k: number) => (k === 0 ? id : `${id}-c${k}`);
    const cityName = (name: string, k: number) => (k === 0 ? name : `${name}（${k}）`);
    await insert('plans', [docs.plan]);
    await insert('tasks', docs.tasks);
    const units: object[] = [];
    const assignments: (typeof docs.assignments)[number][] = [];
    const contacts: object[] = [];
    const subscriptions: object[] = [];
    for (let k = 0; k < cities; k++) {
      for (const u of directory) {
        const unitId = city(u.id, k);
        units.push({
          _id: unitId,
          name: cityName(u.name, k),
          kind: u.kind,
          named: true,
          active: true,
          order: k * 100 + u.order,
          createdAt: at,
          updatedAt: at,
        });
        for (let c = 0; c < perUnit; c++) {
          const openid = `o-bench-${unitId}-${c}`;
          contacts.push({
            _id: openid,
            name: `联络员${c}`,
            phone: '13800000000',
            unitId,
            status: 'active',
            isAdmin: false,
            createdAt: at,
            updatedAt: at,
          });
          // Nine in ten have a subscription left.
          if ((units.length * perUnit + c) % 10 !== 0) {
            subscriptions.push({ _id: `${openid}:${ids.deadline}`, openid, templateId: ids.deadline, quota: 2, updatedAt: at });
          }
        }
      }
      for (const a of docs.assignments)
        assignments.push({ ...a, _id: city(a._id, k), unitId: city(a.unitId, k), unitName: cityName(a.unitName, k) });
    }
    await insert('units', units);
    await insert('assignments', assignments);
    await insert('contacts', contacts);
    await insert('subscriptions', subscriptions);
    const roundId = 'bench-round-q3';
    await insert('rounds', [
      {
        _id: roundId,
        planId: docs.plan._id,
        name: '第三季度',
        dueDate: '2021-09-30',
        scope: 'all',
        overrides: {},
        status: 'open',
        createdBy: OFFICE,
        createdAt: at,
        updatedAt: at,
      },
    ]);
    const reports = assignments
      .filter((_a, i) => i % 5 === 0)
      .map((a) => ({
        _id: `${a._id}-${roundId}-v1`,
        assignmentId: a._id,
        planId: docs.plan._id,
        taskNo: a.taskNo,
        unitId: a.unitId,
        roundId,
        version: 1,
        state: 'submitted',
        submittedAt: at,
        requestKey: `bench:${a._id}`,
      }));
    await insert('reports', reports);

    const runs: { at: Date; ms: number; planMs: number; sent: number; requests: number; complete: boolean; planned: number }[] = [];
    for (const now of firings) {
      cloud.db.resetStats();
      const t0 = Date.now();
      const res = (await cloud.runTrigger('reminder', 'remind', { Time: now.toISOString() })) as {
        ok: boolean;
        data?: { sent: number; complete: boolean; planned: number; planMs: number };
        message?: string;
      };
      if (!res.ok || !res.data) throw new Error(`reminder run failed: ${res.message}`);
      const requests = Object.values(cloud.db.stats().requests).reduce((a, b) => a + b, 0);
      runs.push({
        at: now,
        ms: Date.now() - t0,
        planMs: res.data.planMs,
        sent: res.data.sent,
        requests,
        complete: res.data.complete,
        planned: res.data.planned,
      });
      if (res.data.complete) break;
    }
    const sent = runs.reduce((n, r) => n + r.sent, 0);
    const ms = runs.reduce((n, r) => n + r.ms, 0);
    const sendMs = runs.reduce((n, r) => n + r.ms - r.planMs, 0);
    const requests = runs.reduce((n, r) => n + r.requests, 0);
    return {
      assignments: assignments.length,
      due: assignments.length - reports.length,
      planned: runs[0]?.planned ?? 0,
      runs,
      sent,
      ms,
      sendMs,
      requests,
    };
  } finally {
    cloud.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The reminder trigger's firings on the bench day (2021-09-27, UTC+8) from its config.json, and
 * how many of them can still finish before 09:30 (a run may take the whole 60 s timeout).
 */
function reminderFirings(): { firings: Date[]; beforeCutoff: number; cutoff: Date } {
  const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cloudfunctions', 'reminder', 'config.json'), 'utf8')) as {
    timeout: number;
    triggers: { config: string }[];
  };
  const cron = parseCron(config.triggers[0]?.config ?? '');
  const cutoff = new Date('2021-09-27T09:30:00+08:00');
  const firings: Date[] = [];
  for (let t = nextFire(cron, new Date('2021-09-27T00:00:00+08:00')); t && t < cutoff; t = nextFire(cron, t)) firings.push(t);
  const beforeCutoff = firings.filter((f) => f.getTime() + config.timeout * 1000 <= cutoff.getTime()).length;
  return { firings, beforeCutoff, cutoff };
}

async function reminderBench(): Promise<void> {
  const override = process.env.BENCH_REMINDER_CONCURRENCY;
  const concurrency = override === undefined ? REMINDER_DEFAULTS.concurrency : Number(override);
  const { firings, beforeCutoff, cutoff } = reminderFirings();
  // Past the morning's firings the bench keeps firing (a day that does not finish shows how far off it is).
  const extra = Array.from({ length: 20 }, (_x, i) => new Date(cutoff.getTime() + i * 5 * 60_000));
  const fire = [...firings, ...extra];
  const conc = override === undefined ? undefined : concurrency;

  const small = await reminderRuns(1, 3, fire, conc);
  const perReminder2021 = small.requests / Math.max(1, small.sent);
  emit({ name: 'reminder.2021.sent', value: small.sent, unit: 'messages' });
  emit({ name: 'reminder.2021.db_requests_per_reminder', value: perReminder2021, unit: 'requests' });
  emit({ name: 'reminder.concurrency', value: concurrency, unit: 'sends' });
  emit({ name: 'reminder.send_latency', value: 100, unit: 'ms' });
  emit({ name: 'reminder.firings_before_0930', value: beforeCutoff, unit: 'runs' });

  // A province's day: one run at the default concurrency.
  const big = await reminderRuns(100, 3, fire, conc);
  emit({ name: 'reminder.province.assignments', value: big.assignments, unit: 'docs' });
  emit({ name: 'reminder.province.assignments_due', value: big.due, unit: 'assignments' });
  emit({ name: 'reminder.province.reminders_planned', value: big.planned, unit: 'messages' });
  emit({ name: 'reminder.province.sent', value: big.sent, unit: 'messages' });
  emit({ name: 'reminder.province.sends_per_second', value: big.sent / (big.ms / 1000), unit: 'messages/s' });
  // The send phase alone, against the ceiling of concurrency / latency.
  emit({
    name: 'reminder.province.sends_per_second.sending',
    value: big.sent / (big.sendMs / 1000),
    unit: 'messages/s',
    baseline: concurrency / 0.1,
    ratio: big.sent / (big.sendMs / 1000) / (concurrency / 0.1),
  });
  emit({ name: 'reminder.province.plan', value: big.runs[0]?.planMs ?? NaN, unit: 'ms' });
  const perReminder = big.requests / Math.max(1, big.sent);
  emit({
    name: 'reminder.province.db_requests_per_reminder',
    value: perReminder,
    unit: 'requests',
    baseline: perReminder2021,
    ratio: perReminder / perReminder2021,
  });
  emit({ name: 'reminder.province.first_run', value: big.runs[0]?.ms ?? NaN, unit: 'ms', budget: 60000 });
  emit({ name: 'reminder.province.runs_to_finish', value: big.runs.length, unit: 'runs', budget: 1 });

  // 50,000 messages (15 contacts per unit): the morning's firings together, done before 09:30.
  const huge = await reminderRuns(100, 15, fire, conc);
  const last = huge.runs[huge.runs.length - 1];
  const doneBy = last ? (last.at.getTime() + last.ms - (firings[0] as Date).getTime()) / 60_000 : NaN;
  emit({ name: 'reminder.province_50k.reminders_planned', value: huge.planned, unit: 'messages' });
  emit({ name: 'reminder.province_50k.sent', value: huge.sent, unit: 'messages' });
  emit({ name: 'reminder.province_50k.sends_per_second.sending', value: huge.sent / (huge.sendMs / 1000), unit: 'messages/s' });
  emit({ name: 'reminder.province_50k.longest_run', value: Math.max(...huge.runs.map((r) => r.ms)), unit: 'ms', budget: 60000 });
  emit({ name: 'reminder.province_50k.runs_to_finish', value: huge.runs.length, unit: 'runs', budget: beforeCutoff });
  // Minutes from the first firing (09:00) until the last run ended: 30 is 09:30.
  emit({ name: 'reminder.province_50k.done_after_0900', value: doneBy, unit: 'min', budget: 30 });
}

/** 50 contact persons submitting while 5 administrators review (scripts/bench-load.ts). */
async function loadBench(): Promise<void> {
  for (const f of await loadFigures()) emit(f);
}

/** report.submit with the most and largest evidence the contract allows, against the function's timeout (scripts/bench-evidence.ts). */
async function evidenceBench(): Promise<void> {
  for (const f of await evidenceFigures()) emit(f);
}

async function ledgerBench(): Promise<void> {
  for (const f of ledgerFigures()) emit(f);
}

// BENCH_ONLY=cold, main, reminder, load, evidence or ledger (or several, comma-separated) runs those parts only
// (the reminder part alone takes about a minute). A ledger measurement runs this bundle again as
// a child (scripts/bench-ledger.ts).
if (!ledgerChild()) {
  const parts: [string, () => Promise<void>][] = [
    ['cold', coldBench],
    ['main', main],
    ['reminder', reminderBench],
    ['load', loadBench],
    ['evidence', evidenceBench],
    ['ledger', ledgerBench],
  ];
  const only = process.env.BENCH_ONLY?.split(',').map((x) => x.trim());
  parts
    .filter(([name]) => !only || only.includes(name))
    .reduce((done, [, run]) => done.then(run), Promise.resolve())
    .then(summary)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
