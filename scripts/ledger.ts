/**
 * `npm run ledger -- <command>`: the ledger function, run for real on the local cloud's data
 * (as the office's admin), for the office's IT staff and for checks.
 *
 *   export   [--plan <year>] [--round <id or name>] [--out <file.xlsx>]   工作台账
 *   archive  [--plan <year>] [--round <id or name>] [--out <file.zip>]    佐证材料压缩包
 *   template [--plan <year>] [--out <file.xlsx>]                          导入模板（给出年度则填入该年度的表）
 *   import   <file.xlsx> [--dry-run] [--year <year>] [--current]          检查并导入任务分解表（年度取自表格标题；--year 须与之一致）
 *   current  --plan <year>                                                切换当前年度
 *
 * Common options: --dir <data folder> (LOCAL_CLOUD_DIR, default .local-cloud), --as <openid> (an
 * administrator; default the first one on file, which under `npm start` is the local office admin).
 * The data folder must not be open in `npm start` at the same time (stop it first).
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import type { ApiResult } from '../miniprogram/shared/api';
import {
  importPrefix,
  type ImportCheckResult,
  type LedgerActionName,
  type LedgerFileView,
  type LedgerRequest,
  type LedgerResponse,
} from '../miniprogram/shared/ledger-api';
import { cloud } from '../cloudfunctions/common/cloud';
import { ledgerArgProblems } from './ledger-args';
import { LocalCloud, REPO_ROOT, lockRefusal } from './local-cloud/runtime';
import { createBridge, listen } from './local-cloud/server';

const USAGE = `用法 / usage:
  npm run ledger -- export   [--plan <年度>] [--round <轮次编号或名称>] [--out <文件.xlsx>]
  npm run ledger -- archive  [--plan <年度>] [--round <轮次编号或名称>] [--out <文件.zip>]
  npm run ledger -- template [--plan <年度>] [--out <文件.xlsx>]
  npm run ledger -- import   <任务分解表.xlsx> [--dry-run] [--year <年度>] [--current]
  npm run ledger -- current  --plan <年度>
  通用选项：--dir <数据目录>（默认 .local-cloud）  --as <管理员 openid>`;

/** A refusal to run, shown as is (after the data folder is closed). */
class Stop extends Error {}
function fail(message: string): never {
  throw new Stop(message);
}

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`--${name} 需要一个值\n\n${USAGE}`);
  return v;
}
const flag = (name: string) => argv.includes(`--${name}`);
function year(name: string): number | undefined {
  const raw = option(name);
  if (raw === undefined) return undefined;
  if (!/^\d{4}$/.test(raw)) fail(`--${name} 应为四位年度，例如 2021（收到 ${raw}）`);
  return Number(raw);
}

type Call = <A extends LedgerActionName>(action: A, data: LedgerRequest<A>) => Promise<LedgerResponse<A>>;

/** The office admin the calls are made as: `--as`, else the first one on file (`npm start` creates the local office admin). */
function adminOf(local: LocalCloud): string {
  const wanted = option('as');
  const admins = local.db
    .find('contacts', { isAdmin: true })
    .sort((a, b) => new Date(a.createdAt as string).getTime() - new Date(b.createdAt as string).getTime())
    .map((c) => String(c._id));
  if (wanted) return admins.includes(wanted) ? wanted : fail(`${wanted} 不是管理员。管理员：${admins.join('、') || '（无）'}`);
  return admins[0] ?? fail('数据目录中还没有管理员：请先运行 npm start（首次启动会创建本地管理员）。');
}

/** A round given by id or by name (within the plan when one is given). */
function roundId(local: LocalCloud, planYear: number | undefined): string | undefined {
  const given = option('round');
  if (given === undefined) return undefined;
  const rounds = local.db.find('rounds', planYear === undefined ? {} : { planId: `plan-${planYear}` });
  const hit = rounds.find((r) => r._id === given) ?? rounds.filter((r) => r.name === given);
  if (!Array.isArray(hit)) return String(hit._id);
  if (hit.length === 1) return String(hit[0]?._id);
  const list = rounds.map((r) => `  ${String(r._id)}  ${String(r.name)}（截止 ${String(r.dueDate)}）`).join('\n');
  fail(`${hit.length > 1 ? '有多个同名轮次，请用编号' : `找不到轮次 ${given}`}。可选的轮次：\n${list || '  （无）'}`);
}

async function save(view: LedgerFileView, out: string | undefined): Promise<string> {
  const file = path.resolve(process.cwd(), out ?? view.name);
  const res = await fetch(view.url);
  if (!res.ok) fail(`下载 ${view.name} 失败：HTTP ${res.status}`);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

function printCheck(check: ImportCheckResult): void {
  console.log(
    [
      `标题：${check.title || '（无）'}${check.yearInFile ? `（${check.yearInFile} 年）` : ''}`,
      `大项 ${check.sections}，小项 ${check.categories}，任务 ${check.tasks} 项，涉及单位 ${check.units} 个，责任分工 ${check.assignments} 条`,
    ].join('\n'),
  );
  if (check.problems.length === 0) {
    console.log('检查通过：没有发现问题。');
    return;
  }
  console.log(`发现 ${check.problems.length} 处问题：`);
  for (const p of check.problems) {
    const where = p.column ? `第 ${p.row} 行 ${p.column} 列（${p.header}）` : `第 ${p.row} 行`;
    console.log(`  ${where}：${p.message}${p.suggestions?.length ? `（是否为：${p.suggestions.join('、')}）` : ''}`);
  }
}

async function run(local: LocalCloud, call: Call, admin: string): Promise<void> {
  const command = argv[0];
  const plan = year('plan');
  switch (command) {
    case 'export': {
      const res = await call('ledger.export', { year: plan, roundId: roundId(local, plan) });
      console.log(`已导出 ${res.name}：${res.tasks} 项任务，${res.rounds} 个报送轮次，${res.rows} 行 → ${await save(res, option('out'))}`);
      return;
    }
    case 'archive': {
      const res = await call('ledger.archive', { year: plan, roundId: roundId(local, plan) });
      const missing = res.missing ? `，${res.missing} 个未能打包（见压缩包内 索引.xlsx）` : '';
      console.log(`已打包 ${res.name}：${res.files} 个文件${missing} → ${await save(res, option('out'))}`);
      return;
    }
    case 'template': {
      const res = await call('ledger.template', { year: plan });
      console.log(`已生成 ${res.name} → ${await save(res, option('out'))}`);
      return;
    }
    case 'current': {
      if (plan === undefined) fail(`请用 --plan 指定年度\n\n${USAGE}`);
      const res = await call('plan.setCurrent', { year: plan });
      console.log(res.changed ? `当前年度已切换为 ${res.year} 年。` : `${res.year} 年已是当前年度。`);
      return;
    }
    case 'import': {
      const source = argv[1];
      if (!source || source.startsWith('--')) fail(`请给出要导入的 .xlsx 文件\n\n${USAGE}`);
      const file = path.resolve(process.cwd(), source);
      if (!fs.existsSync(file)) fail(`找不到文件 ${file}`);
      // Where the office's page uploads it, through the SDK as a function would.
      const cloudPath = `${importPrefix(admin)}${Date.now()}-${crypto.randomBytes(3).toString('hex')}.xlsx`;
      const { fileID } = (await cloud.uploadFile({ cloudPath, fileContent: fs.createReadStream(file) })) as { fileID: string };
      // A --year other than the title's is refused by the check already (the function names both years).
      const given = year('year');
      const check = await call('import.check', { fileID, year: given });
      printCheck(check);
      if (check.problems.length > 0) {
        process.exitCode = 1;
        return;
      }
      const target = given ?? check.yearInFile;
      if (target === null) fail('表格标题中没有写明年度：请用 --year 指定要导入的年度');
      console.log(
        `导入年度：${target} 年（${given === undefined ? '取自表格标题' : check.yearInFile ? '与表格标题一致' : '--year 指定，表格标题中没有年度'}）`,
      );
      if (flag('dry-run')) return;
      // The function decides the year again from the file: it is the one that writes.
      const res = await call('import.commit', { fileID, year: given, makeCurrent: flag('current'), requestId: crypto.randomUUID() });
      console.log(
        `已导入 ${res.year} 年任务分解表：${res.tasks} 项任务，${res.assignments} 条责任分工；` +
          (res.current ? '已设为当前年度。' : '未设为当前年度（需要时运行 npm run ledger -- current --plan <年度>）。'),
      );
      return;
    }
    default:
      fail(USAGE);
  }
}

async function main(): Promise<void> {
  if (!argv[0] || argv[0] === '--help' || argv[0] === '-h') fail(USAGE);
  const problems = ledgerArgProblems(argv);
  if (problems.length) fail(`${problems.join('\n')}\n\n${USAGE}`);
  const dir = path.resolve(REPO_ROOT, option('dir') ?? process.env.LOCAL_CLOUD_DIR ?? '.local-cloud');
  let baseUrl = 'http://127.0.0.1:0';
  let local: LocalCloud;
  try {
    local = new LocalCloud({ dir, baseUrl: () => baseUrl });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    fail(lockRefusal(err, dir, 'npm run ledger') ?? text);
  }
  // The function writes and reads storage over HTTP, as in the cloud: a bridge on a free port.
  const server = createBridge(local);
  try {
    baseUrl = await listen(server, 0);
    if (local.db.count('plans', {}) === 0) fail(`数据目录 ${dir} 中还没有任务分解表：请先运行 npm start。`);
    const admin = adminOf(local);
    const call: Call = async (action, data) => {
      const res = (await local.invoke('ledger', { action, data }, { openid: admin })) as ApiResult<never>;
      // The field as this command names it: the year is --year here.
      if (!res.ok) fail(`${res.message}${res.field ? `（${res.field === 'year' ? '--year' : res.field}）` : ''} [${res.code}]`);
      return res.data;
    };
    await run(local, call, admin);
  } finally {
    server.closeAllConnections();
    server.close();
    local.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Stop ? err.message : err);
  process.exitCode = 1;
});
