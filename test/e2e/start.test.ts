/**
 * The README's main job: `npm start` builds, seeds the 2021 table on first
 * start, serves the bridge and the console, keeps its data across restarts
 * (kill -9 too), and stops like a service: any signal to it, to the npm
 * process in front of it or to both as a group frees the port and the data
 * folder's lock.
 * Nothing here waits a fixed time: only for output and exit events.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { LOCAL_OFFICE as OFFICE, startLocalCloud } from '../../scripts/local-cloud/child';
import { pidAlive } from '../../scripts/local-cloud/db/store';

const ROOT = path.resolve(__dirname, '..', '..');
let dir: string;
const temps: string[] = [];
const tempDir = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
};

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'api', 'reminder', 'local-cloud', 'remind', 'console'], {
    cwd: ROOT,
  });
  dir = tempDir('zwgk-start-');
}, 60000);
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const start = () => startLocalCloud(dir);

async function api(url: string, openid: string, action: string, data: unknown): Promise<{ ok: boolean; data?: unknown; message?: string }> {
  const res = await fetch(`${url}/call/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-local-openid': openid },
    body: JSON.stringify({ action, data }),
  });
  return ((await res.json()) as { result: { ok: boolean; data?: unknown; message?: string } }).result;
}

async function planTasks(url: string): Promise<number> {
  const res = await api(url, OFFICE, 'plan.get', { year: 2021 });
  return res.ok ? (res.data as { tasks: unknown[] }).tasks.length : -1;
}

test('first start seeds the 2021 table and prints how to use it', async () => {
  const { origin, output, stop } = await start();
  try {
    expect(output()).toContain('已导入 2021 年任务分解表：44 项任务，35 个单位');
    expect(output()).toContain(`x-local-openid: ${OFFICE}`);
    expect(await planTasks(origin)).toBe(44);
    // The last lines point at the console, which the same server serves, and say how to stop.
    expect(output()).toContain(`用浏览器打开 ${origin}/ 查看本地云控制台`);
    expect(output()).toMatch(/停止：按 Ctrl\+C（或 kill \d+）/);
    expect(output()).toMatch(/云端时间 \/ clock: \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）（真实时间/);
    const page = await fetch(`${origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script defer src="/console/console.js"></script>');
  } finally {
    await stop();
  }
}, 30000);

test('a restart keeps the data and does not seed again; so does kill -9', async () => {
  const second = await start();
  expect(second.output()).not.toContain('已导入');
  expect(await planTasks(second.origin)).toBe(44);
  await second.kill();

  const third = await start();
  try {
    expect(third.output()).not.toContain('已导入');
    expect(await planTasks(third.origin)).toBe(44);
  } finally {
    await third.stop();
  }
}, 30000);

test('--today sets the clock the functions see and the banner shows it', async () => {
  const cloud = await startLocalCloud(tempDir('zwgk-today-'), 30000, ['--today', '2021-09-20T10:30']);
  try {
    expect(cloud.output()).toContain('云端时间 / clock: 2021-09-20 10:30（北京时间）（已设定');
    const round = await api(cloud.origin, OFFICE, 'round.create', { name: '第三季度', dueDate: '2021-09-30', scope: 'all' });
    expect(round.ok).toBe(true);
    const audit = (await api(cloud.origin, OFFICE, 'audit.list', { limit: 1 })).data as { entries: { at: string }[] };
    expect(audit.entries[0]?.at.slice(0, 10)).toBe('2021-09-20');
  } finally {
    await cloud.stop();
  }
}, 30000);

test('--no-seed prints a curl that works: it bootstraps the administrator with the setup code', async () => {
  const cloud = await startLocalCloud(tempDir('zwgk-noseed-'), 30000, ['--no-seed']);
  try {
    const curl = /curl -s -X POST (\S+) -H 'x-local-openid: (\S+)' -d '(.+)'/.exec(cloud.output());
    if (!curl) throw new Error(`no curl in:\n${cloud.output()}`);
    const res = await fetch(curl[1] as string, { method: 'POST', headers: { 'x-local-openid': curl[2] as string }, body: curl[3] });
    const body = (await res.json()) as { result: { ok: boolean; data: { isAdmin: boolean } } };
    expect(body.result).toMatchObject({ ok: true, data: { isAdmin: true } });
  } finally {
    await cloud.stop();
  }
}, 30000);

/** Runs build/<tool>.js to its end. */
function tool(name: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'build', `${name}.js`), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('a busy port names the port and --port, and a failed start leaves no new data folder', async () => {
  const running = await start();
  try {
    const port = new URL(running.origin).port;
    const fresh = path.join(tempDir('zwgk-busy-'), 'data');
    const r = tool('local-cloud', ['--port', port, '--dir', fresh]);
    expect(r.status).toBe(1);
    expect(r.out).toContain(`端口 ${port} 已被占用`);
    expect(r.out).toContain('--port');
    expect(r.out).not.toContain('EADDRINUSE');
    expect(fs.existsSync(fresh)).toBe(false);

    // The same data folder while it runs: told how to stop the running one.
    const remind = tool('remind', ['--dir', dir, '--now', '2021-09-20']);
    expect(remind.status).not.toBe(0);
    expect(remind.out).toContain(`kill ${running.child.pid}`);
    expect(remind.out).toContain('Ctrl+C');
    expect(remind.out).toContain('npm run remind');
  } finally {
    await running.stop();
  }
}, 30000);

// ---- stopping npm start by a signal ---------------------------------------------------------

interface NpmStart {
  npm: ChildProcess;
  /** The local cloud's own pid and port, from its banner. */
  pid: number;
  port: number;
  exited: Promise<void>;
}

/** Servers started through npm: a failed test must not leave one running (afterEach below). */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** `npm start -- --port 0 --dir <d>` in a process group of its own, resolved once it printed its banner. */
function npmStart(d: string): Promise<NpmStart> {
  const npm = spawn('npm', ['start', '--', '--port', '0', '--dir', d], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const port = /local cloud running: http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      const pid = /kill (\d+)）/.exec(out)?.[1];
      if (port && pid) {
        npm.stdout?.off('data', onData);
        started.push(Number(pid));
        resolve({ npm, pid: Number(pid), port: Number(port), exited });
      }
    };
    npm.stdout?.on('data', onData);
    npm.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    void exited.then(() => reject(new Error(`npm start exited early:\n${out}`)));
  });
}

/** Resolves when `pid` has exited (its exit is not our child's event, so we look; a zombie counts as gone). */
async function gone(pid: number): Promise<void> {
  while (pidAlive(pid)) await new Promise((r) => setTimeout(r, 100));
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('npm starts the server itself: no shell stands between them to swallow a signal', async () => {
  const run = await npmStart(tempDir('zwgk-tree-'));
  try {
    const stat = fs.readFileSync(`/proc/${run.pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])).toBe(run.npm.pid);
  } finally {
    process.kill(run.pid, 'SIGTERM');
    await gone(run.pid);
    await run.exited;
  }
}, 120000);

// Ctrl+C in a terminal sends SIGINT to the whole foreground group (npm and node alike); `kill <pid>`
// reaches one process only. npm passes SIGINT and SIGTERM on and dies of SIGHUP and SIGKILL without
// passing anything on: then the server sees that its parent is gone.
describe.each([
  ['SIGINT', 'npm'],
  ['SIGTERM', 'npm'],
  ['SIGHUP', 'npm'],
  ['SIGKILL', 'npm'],
  ['SIGINT', 'server'],
  ['SIGTERM', 'server'],
  ['SIGHUP', 'server'],
  ['SIGINT', 'group'],
  ['SIGTERM', 'group'],
  ['SIGHUP', 'group'],
] as const)('%s to the %s', (signal, target) => {
  test('stops the server: the port is free and the data folder can be opened again', async () => {
    const d = tempDir('zwgk-signal-');
    const run = await npmStart(d);
    const npmPid = run.npm.pid as number;
    process.kill(target === 'npm' ? npmPid : target === 'group' ? -npmPid : run.pid, signal);
    await gone(run.pid);
    await run.exited;
    expect(await portFree(run.port)).toBe(true);
    const remind = tool('remind', ['--dir', d, '--now', '2021-09-20']);
    expect(remind.out).not.toContain('正被本地云使用');
    expect(remind.status).toBe(0);
  }, 120000);
});
