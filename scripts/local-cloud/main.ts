/**
 * `npm start`: the local cloud with its HTTP bridge and timers, seeded with
 * the bundled 2021 table on first start.
 *
 *   --port <n>   (LOCAL_CLOUD_PORT, default 3900; 0 picks a free port)
 *   --host <h>   (LOCAL_CLOUD_HOST, default 127.0.0.1)
 *   --dir <path> (LOCAL_CLOUD_DIR, default .local-cloud)
 *   --no-seed    start empty and print the setup code instead
 *   --internet   let the link check fetch public web pages (off: the local cloud stays offline)
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { LocalCloud, REPO_ROOT } from './runtime';
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

async function main(): Promise<void> {
  const dir = path.resolve(REPO_ROOT, arg('dir') ?? process.env.LOCAL_CLOUD_DIR ?? '.local-cloud');
  const port = Number(arg('port') ?? process.env.LOCAL_CLOUD_PORT ?? 3900);
  const host = arg('host') ?? process.env.LOCAL_CLOUD_HOST ?? '127.0.0.1';
  const code = setupCode(dir);
  let baseUrl = `http://${host}:${port}`;
  const cloud = new LocalCloud({
    dir,
    functionEnv: { SETUP_CODE: code, SUBSCRIBE_TEMPLATES: JSON.stringify(LOCAL_TEMPLATE_IDS) },
    baseUrl: () => baseUrl,
    internet: process.argv.includes('--internet'),
  });
  cloud.openapi.setTemplates(localTemplates(LOCAL_TEMPLATE_IDS));
  // An accept in DevTools reaches our ledger (subscription.record) but not this stand-in for WeChat's
  // own count: let the ledger alone decide locally. The tests keep 'enforce' and grant explicitly.
  cloud.openapi.setQuotaPolicy('unlimited');
  const server = createBridge(cloud);
  baseUrl = await listen(server, port, host);

  const shown = path.relative(process.cwd(), dir);
  // Inside the project a short relative path reads best; elsewhere, the absolute one.
  const lines = [
    `本地云已启动 / local cloud running: ${baseUrl}`,
    `数据目录 / data folder: ${shown && !shown.startsWith('..') ? shown : dir}`,
  ];
  const seeded = cloud.db.count('plans', {}) > 0;
  if (!seeded && !process.argv.includes('--no-seed')) {
    await call(cloud, 'admin.bootstrap', { setupCode: code, name: '政务公开科（本地）' });
    const seed = (await call(cloud, 'plan.seed', { year: 2021 })) as { tasks: number; assignments: number; units: number };
    lines.push(`已导入 2021 年任务分解表：${seed.tasks} 项任务，${seed.units} 个单位，${seed.assignments} 条责任分工`);
    lines.push(`本地管理员 openid：${LOCAL_OFFICE_OPENID}（初始化口令已由它使用）`);
  } else if (!seeded) {
    lines.push(`初始化口令 / setup code: ${code}`);
  }
  for (const t of cloud.startTimers()) {
    lines.push(`定时触发器 ${t.fn}/${t.trigger}：下次 ${t.next ? t.next.toISOString() : '—'}`);
  }
  lines.push(
    '试一试 / try:',
    `  curl -s -X POST ${baseUrl}/call/api -H 'x-local-openid: ${LOCAL_OFFICE_OPENID}' -d '{"action":"plan.get","data":{"year":2021}}'`,
    `用浏览器打开 ${baseUrl}/ 查看本地云控制台（数据、存储、消息、函数、账号）`,
  );
  console.log(lines.join('\n'));

  const stop = () => {
    server.close();
    cloud.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
