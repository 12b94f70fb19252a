/**
 * `npm run soak -- [--seconds 60] [--rounds n] [--contacts 50] [--admins 5] [--submits 5]
 *   [--decisions 15] [--crash-every 3] [--fuzz-runs 100]`
 *
 * A longer load than the test suite's on `npm start`'s local cloud (its own
 * process, fsync on): rounds of contact persons submitting while
 * administrators review, and every `--crash-every`-th round a burst of
 * concurrent submits during which the process is killed (SIGKILL), restarted
 * on the same data and every submit retried, as the app does. Prints per
 * round and in total: requests, throughput, p50/p95/p99, errors; then the
 * integrity check over everything (every acknowledged report present
 * exactly once with its evidence, every acknowledged decision once); then
 * the input fuzz of the api and ledger functions with `--fuzz-runs` cases per
 * action and role (the ledger actions that build files a fifth), with the
 * cases run per action. Exits non-zero on any error or problem.
 * Flags may also come from SOAK_SECONDS, SOAK_ROUNDS, … (upper case).
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { REPO_ROOT } from './local-cloud/runtime';
import { LOCAL_OFFICE, startLocalCloud } from './local-cloud/child';
import { errorsOf } from './bench-load';
import {
  Client,
  burstAndCrash,
  checkStopped,
  latencies,
  prepare,
  retrySubmits,
  runLoad,
  type CallRecord,
  type Decided,
  type Submitted,
} from './load';

function option(name: string, fallback: number | undefined): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`SOAK_${name.toUpperCase().replace(/-/g, '_')}`];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} 应为非负整数（收到 ${raw}）`);
  return n;
}

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : `${Math.round(x)} ms`);
const quantiles = (calls: readonly CallRecord[], action: string) => {
  const l = latencies(calls)[action];
  return l ? `p50 ${ms(l.p50)} · p95 ${ms(l.p95)} · p99 ${ms(l.p99)}` : '—';
};
const errorText = (errors: Record<string, number>) =>
  Object.keys(errors).length === 0
    ? '0'
    : Object.entries(errors)
        .map(([k, n]) => `${k} ${n}`)
        .join('，');

interface FuzzReport {
  runs: number;
  total: number;
  actions: { fn: string; action: string; admin: number; contact: number; outcomes: Record<string, number> }[];
}

/** The input fuzz of the api and ledger functions (test/fuzz) with `runs` cases per action and role; its per-action counts. */
function fuzz(runs: number): { ok: boolean; report?: FuzzReport } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-soak-fuzz-')), 'fuzz.json');
  let ok = true;
  try {
    execFileSync(process.execPath, [require.resolve('jest/bin/jest'), '--silent', 'test/fuzz/inputs.test.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_REPORT: file },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch {
    ok = false;
  }
  const report = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as FuzzReport) : undefined;
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return { ok, report };
}

async function main(): Promise<number> {
  const seconds = option('seconds', 60) as number;
  const rounds = option('rounds', undefined);
  const contacts = option('contacts', 50) as number;
  const admins = option('admins', 5) as number;
  const submits = option('submits', 5) as number;
  const decisions = option('decisions', 15) as number;
  const crashEvery = option('crash-every', 3) as number;
  const fuzzRuns = option('fuzz-runs', 100) as number;
  console.log(
    `浸泡测试：${contacts} 名联络员、${admins} 名管理员，每轮每人报送 ${submits} 次、每名管理员审核 ${decisions} 次；` +
      (rounds === undefined ? `运行约 ${seconds} 秒` : `${rounds} 轮`) +
      (crashEvery > 0 ? `；每 ${crashEvery} 轮一次进程崩溃（kill -9）与重启` : ''),
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-soak-'));
  let cloud = await startLocalCloud(dir);
  const all: { submits: Submitted[]; decisions: Decided[] } = { submits: [], decisions: [] };
  const calls: CallRecord[] = [];
  const errors: Record<string, number> = {};
  const count = (e: Record<string, number>) => {
    for (const [k, n] of Object.entries(e)) errors[k] = (errors[k] ?? 0) + n;
  };
  let loadMs = 0;
  let crashes = 0;
  const cast = await prepare(new Client(cloud.origin), { office: LOCAL_OFFICE, tag: 'soak', contacts, admins }).catch(
    async (err: unknown) => {
      await cloud.stop();
      throw err;
    },
  );
  const started = Date.now();
  try {
    for (let r = 0; rounds === undefined ? Date.now() - started < seconds * 1000 : r < rounds; r++) {
      const client = new Client(cloud.origin);
      if (crashEvery > 0 && r % crashEvery === crashEvery - 1) {
        // A quarter of the burst answered, then the process dies.
        const burst = await burstAndCrash(client, cast, r, Math.ceil(contacts / 4), cloud.kill);
        crashes++;
        cloud = await startLocalCloud(dir);
        const retried = await retrySubmits(new Client(cloud.origin), burst);
        all.submits.push(...burst, ...retried);
        const acked = burst.filter((s) => s.outcome === 'ok').length;
        const failedRetries = retried.filter((s) => s.outcome !== 'ok');
        if (failedRetries.length) count({ 'report.submit(retry)': failedRetries.length });
        console.log(
          `第 ${r + 1} 轮（崩溃）：${burst.length} 次并发报送，kill -9 前已确认 ${acked}；重启后全部重试：` +
            `成功 ${retried.length - failedRetries.length}（其中重复请求 ${retried.filter((s) => s.duplicate).length}），失败 ${failedRetries.length}`,
        );
        continue;
      }
      const run = await runLoad(client, cast, { submitsPerContact: submits, decisionsPerAdmin: decisions, pass: r });
      all.submits.push(...run.submits);
      all.decisions.push(...run.decisions);
      calls.push(...client.calls);
      loadMs += run.ms;
      const e = errorsOf(client.calls);
      count(e);
      console.log(
        `第 ${r + 1} 轮：${client.calls.length} 次请求，${(run.ms / 1000).toFixed(1)} 秒，${(client.calls.length / (run.ms / 1000)).toFixed(1)} 次/秒；` +
          `报送 ${quantiles(client.calls, 'report.submit')}；审核队列 ${quantiles(client.calls, 'review.queue')}；审核 ${quantiles(client.calls, 'review.decide')}；` +
          `并发审核冲突 ${run.decisions.filter((d) => d.outcome === 'CONFLICT').length}；错误 ${errorText(e)}`,
      );
    }
  } finally {
    await cloud.stop();
  }

  const check = checkStopped(dir, cast.roundId, all);
  fs.rmSync(dir, { recursive: true, force: true });
  const lines = [
    '',
    `合计：${calls.length} 次请求（不含崩溃轮），${(loadMs / 1000).toFixed(1)} 秒，${(calls.length / (loadMs / 1000)).toFixed(1)} 次/秒；崩溃并重启 ${crashes} 次`,
  ];
  for (const action of ['report.submit', 'review.queue', 'report.get', 'review.decide'])
    lines.push(`  ${action.padEnd(14)} ${quantiles(calls, action)}`);
  lines.push(
    `错误：${errorText(errors)}`,
    `完整性：已确认的报送 ${check.acknowledged} 份，库中本轮报告 ${check.reports} 份（未获应答但已落库 ${check.unacknowledgedPresent}），` +
      `审核记录 ${check.reviews} 条；问题 ${check.problems.length} 个`,
  );
  for (const p of check.problems.slice(0, 20)) lines.push(`  ! ${p}`);
  console.log(lines.join('\n'));

  let fuzzOk = true;
  if (fuzzRuns > 0) {
    console.log(`\n接口输入模糊测试：每个接口、每种身份 ${fuzzRuns} 例 …`);
    const f = fuzz(fuzzRuns);
    fuzzOk = f.ok && f.report !== undefined;
    if (f.report) {
      const width = Math.max(...f.report.actions.map((a) => a.fn.length + 1 + a.action.length));
      console.log(`共 ${f.report.total} 例，${f.report.actions.length} 个接口${f.ok ? '，全部通过' : '，有失败（见上方输出）'}`);
      for (const a of f.report.actions) {
        const outcomes = Object.entries(a.outcomes)
          .map(([code, n]) => `${code} ${n}`)
          .join('，');
        console.log(
          `  ${`${a.fn} ${a.action}`.padEnd(width)} ${String(a.admin + a.contact).padStart(5)} 例（管理员 ${a.admin}，联络员 ${a.contact}）：${outcomes}`,
        );
      }
    } else console.log('模糊测试没有产出报告（见上方输出）');
  }
  return Object.keys(errors).length === 0 && check.problems.length === 0 && fuzzOk ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
