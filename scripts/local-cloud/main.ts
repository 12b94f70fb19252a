/**
 * `npm start`: the local cloud with its HTTP bridge and timers, seeded with
 * the bundled 2021 table on first start.
 *
 *   --port <n>     (LOCAL_CLOUD_PORT, default 3900; 0 picks a free port)
 *   --host <h>     (LOCAL_CLOUD_HOST, default 127.0.0.1)
 *   --dir <path>   (LOCAL_CLOUD_DIR, default .local-cloud; .local-cloud-demo with --demo)
 *   --no-seed      start empty and print the setup code instead
 *   --today <d>    the local cloud's clock: 2021-09-20 (10:00 Beijing time) or 2021-09-20T10:30
 *   --demo         a living demo year on top of the 2021 table (demo.ts), on its own clock
 *   --internet     let the link check fetch public web pages (off: the local cloud stays offline)
 *
 * It stops cleanly (data folder closed, port freed) on SIGINT, SIGTERM and SIGHUP, and
 * when the process that started it goes away (npm passes SIGINT and SIGTERM on, not SIGHUP).
 */
import crypto from 'crypto';
import fs from 'fs';
import type http from 'http';
import path from 'path';
import { parseToday } from './clock';
import { readDemoMarker, seedDemo } from './demo';
import { LocalCloud, REPO_ROOT, lockRefusal } from './runtime';
import { createBridge, listen } from './server';
import { LOCAL_TEMPLATE_IDS, localTemplates } from './templates';

export const LOCAL_OFFICE_OPENID = 'o-local-office-admin';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The one-time setup code, generated once per data folder. */
export function setupCode(dir: string): string {
  const file = path.join(dir, 'setup-code.txt');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const code = crypto.randomBytes(6).toString('hex');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, `${code}\n`, { mode: 0o600 });
  return code;
}

interface Envelope {
  ok: boolean;
  data?: unknown;
  code?: string;
  message?: string;
}

async function call(cloud: LocalCloud, action: string, data: unknown): Promise<unknown> {
  const res = (await cloud.invoke('api', { action, data }, { openid: LOCAL_OFFICE_OPENID })) as Envelope;
  if (!res.ok) throw new Error(`${action} failed: ${res.code} ${res.message}`);
  return res.data;
}

/** A refusal to start, shown as is. */
class StartError extends Error {}

function options() {
  const demo = process.argv.includes('--demo');
  const todayText = arg('today');
  const today = todayText === undefined ? undefined : parseToday(todayText);
  if (todayText !== undefined && !today) {
    throw new StartError(`--today 应为日期（如 2021-09-20）或日期加时间（如 2021-09-20T10:30，北京时间），收到 ${todayText}`);
  }
  const portText = arg('port') ?? process.env.LOCAL_CLOUD_PORT ?? '3900';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartError(`--port 应为 0–65535 的整数，收到 ${portText}`);
  const dir = path.resolve(REPO_ROOT, arg('dir') ?? process.env.LOCAL_CLOUD_DIR ?? (demo ? '.local-cloud-demo' : '.local-cloud'));
  return {
    demo,
    today,
    port,
    dir,
    host: arg('host') ?? process.env.LOCAL_CLOUD_HOST ?? '127.0.0.1',
    noSeed: process.argv.includes('--no-seed'),
    internet: process.argv.includes('--internet'),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const { dir, port, host } = opts;
  // A start that fails leaves no new data folder behind.
  const existed = fs.existsSync(dir);
  let cloud: LocalCloud | undefined;
  let server: http.Server | undefined;
  try {
    const code = setupCode(dir);
    let baseUrl = `http://${host}:${port}`;
    try {
      cloud = new LocalCloud({
        dir,
        functionEnv: { SETUP_CODE: code, SUBSCRIBE_TEMPLATES: JSON.stringify(LOCAL_TEMPLATE_IDS) },
        baseUrl: () => baseUrl,
        internet: opts.internet,
      });
    } catch (err) {
      throw new StartError(lockRefusal(err, dir, 'npm start') ?? (err instanceof Error ? err.message : String(err)));
    }
    cloud.openapi.setTemplates(localTemplates(LOCAL_TEMPLATE_IDS));
    // An accept in DevTools reaches our ledger (subscription.record) but not this stand-in for WeChat's
    // own count: let the ledger alone decide locally. The tests keep 'enforce' and grant explicitly.
    cloud.openapi.setQuotaPolicy('unlimited');
    server = createBridge(cloud);
    try {
      baseUrl = await listen(server, port, host);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') {
        throw new StartError(`端口 ${port} 已被占用（另一个本地云还在运行？）。请先停止它，或换一个端口：npm start -- --port ${port + 1}`);
      }
      if (e.code === 'EACCES') throw new StartError(`没有权限监听 ${host}:${port}：换一个端口，例如 npm start -- --port 3900`);
      throw err;
    }

    const shown = path.relative(process.cwd(), dir);
    // Inside the project a short relative path reads best; elsewhere, the absolute one.
    const lines = [
      `本地云已启动 / local cloud running: ${baseUrl}`,
      `数据目录 / data folder: ${shown && !shown.startsWith('..') ? shown : dir}`,
    ];
    const seeded = cloud.db.count('plans', {}) > 0;
    const marker = readDemoMarker(dir);
    let curl = `curl -s -X POST ${baseUrl}/call/api -H 'x-local-openid: ${LOCAL_OFFICE_OPENID}' -d '{"action":"plan.get","data":{"year":2021}}'`;
    if (opts.demo) {
      if (seeded && !marker) {
        throw new StartError(
          `数据目录 ${dir} 已有数据，不是演示数据：--demo 需要新的数据目录，例如 npm start -- --demo --dir .local-cloud-demo2`,
        );
      }
      if (!seeded) {
        const summary = await seedDemo(cloud, { dir, baseUrl, setupCode: code, office: LOCAL_OFFICE_OPENID, today: opts.today });
        lines.push(...summary);
      } else if (!opts.today && marker) cloud.clock.set(new Date(marker.today));
      else if (opts.today) cloud.clock.set(opts.today);
      if (seeded) lines.push('演示数据已在（上次 --demo 生成），继续使用');
    } else {
      if (opts.today) cloud.clock.set(opts.today);
      if (!seeded && !opts.noSeed) {
        await call(cloud, 'admin.bootstrap', { setupCode: code, name: '政务公开科（本地）' });
        const seed = (await call(cloud, 'plan.seed', { year: 2021 })) as { tasks: number; assignments: number; units: number };
        lines.push(`已导入 2021 年任务分解表：${seed.tasks} 项任务，${seed.units} 个单位，${seed.assignments} 条责任分工`);
        lines.push(`本地管理员 openid：${LOCAL_OFFICE_OPENID}（初始化口令已由它使用）`);
      } else if (!seeded) {
        lines.push(`初始化口令 / setup code: ${code}`);
        // Nobody is an administrator yet: the first useful call is the bootstrap itself.
        curl = `curl -s -X POST ${baseUrl}/call/api -H 'x-local-openid: ${LOCAL_OFFICE_OPENID}' -d '{"action":"admin.bootstrap","data":{"setupCode":"${code}","name":"政务公开科"}}'`;
      }
    }
    if (!opts.demo && marker && !opts.today) lines.push('提示：这是演示数据目录，用 npm start -- --demo 启动可回到演示日期');
    lines.push(
      cloud.clock.state().set
        ? `云端时间 / clock: ${cloud.clock.label()}（已设定；控制台右上角可改回真实时间）`
        : `云端时间 / clock: ${cloud.clock.label()}（真实时间；npm start -- --today 2021-09-20 或控制台右上角可设定）`,
    );
    for (const t of cloud.startTimers()) {
      lines.push(`定时触发器 ${t.fn}/${t.trigger}：下次 ${t.next ? t.next.toISOString() : '—'}`);
    }
    lines.push(
      '试一试 / try:',
      `  ${curl}`,
      `用浏览器打开 ${baseUrl}/ 查看本地云控制台（数据、存储、消息、函数、账号）`,
      `停止：按 Ctrl+C（或 kill ${process.pid}）`,
    );
    console.log(lines.join('\n'));
  } catch (err) {
    server?.close();
    cloud?.close();
    if (!existed) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  serveUntilStopped(server, cloud);
}

/** Stops on a signal, or when the process that started us (npm) is gone. */
function serveUntilStopped(server: http.Server, cloud: LocalCloud): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close();
    cloud.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  // `npm start` execs us (package.json), so npm is our parent and passes SIGINT/SIGTERM on to us;
  // it dies of SIGHUP (or SIGKILL) without passing anything on, and then our parent changes.
  // Compared with the parent at module load: one that dies while we start counts too.
  const watch = setInterval(() => {
    if (process.ppid !== STARTED_BY) stop();
  }, 500);
  watch.unref();
}

/** The process that started this one, read before anything else runs (npm may be stopped while we start). */
const STARTED_BY = process.ppid;

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
