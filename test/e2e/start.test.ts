/**
 * The README's main job: `npm start` builds, seeds the 2021 table on first
 * start, serves the bridge and the console, and keeps its data across
 * restarts (kill -9 too).
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const OFFICE = 'o-local-office-admin';
let dir: string;

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'api', 'local-cloud', 'console'], { cwd: ROOT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-start-'));
}, 60000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'build', 'local-cloud.js'), '--port', '0', '--dir', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local cloud did not start:\n${out}`)), 20000);
    const check = () => {
      const m = /local cloud running: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('试一试')) {
        clearTimeout(timer);
        resolve({ child, url: m[1] ?? '', output: () => out });
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

async function planTasks(url: string): Promise<number> {
  const res = await fetch(`${url}/call/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-local-openid': OFFICE },
    body: JSON.stringify({ action: 'plan.get', data: { year: 2021 } }),
  });
  const body = (await res.json()) as { result: { ok: boolean; data: { tasks: unknown[] } } };
  return body.result.ok ? body.result.data.tasks.length : -1;
}

const stopped = (child: ChildProcess) => new Promise((r) => child.once('exit', r));

test('first start seeds the 2021 table and prints how to use it', async () => {
  const { child, url, output } = await start();
  try {
    expect(output()).toContain('已导入 2021 年任务分解表：44 项任务，35 个单位');
    expect(output()).toContain(`x-local-openid: ${OFFICE}`);
    expect(await planTasks(url)).toBe(44);
    // The last line points at the console, which the same server serves.
    expect(output()).toContain(`用浏览器打开 ${url}/ 查看本地云控制台`);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script defer src="/console/console.js"></script>');
  } finally {
    child.kill('SIGTERM');
    await stopped(child);
  }
}, 30000);

test('a restart keeps the data and does not seed again; so does kill -9', async () => {
  const second = await start();
  expect(second.output()).not.toContain('已导入');
  expect(await planTasks(second.url)).toBe(44);
  second.child.kill('SIGKILL');
  await stopped(second.child);

  const third = await start();
  try {
    expect(third.output()).not.toContain('已导入');
    expect(await planTasks(third.url)).toBe(44);
  } finally {
    third.child.kill('SIGTERM');
    await stopped(third.child);
  }
}, 30000);
