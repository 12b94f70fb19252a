/**
 * The README's main job: `npm start` builds, seeds the 2021 table on first
 * start, serves the bridge and the console, and keeps its data across
 * restarts (kill -9 too).
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LOCAL_OFFICE as OFFICE, startLocalCloud } from '../../scripts/local-cloud/child';

const ROOT = path.resolve(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'api', 'local-cloud', 'console'], { cwd: ROOT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-start-'));
}, 60000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const start = () => startLocalCloud(dir);

async function planTasks(url: string): Promise<number> {
  const res = await fetch(`${url}/call/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-local-openid': OFFICE },
    body: JSON.stringify({ action: 'plan.get', data: { year: 2021 } }),
  });
  const body = (await res.json()) as { result: { ok: boolean; data: { tasks: unknown[] } } };
  return body.result.ok ? body.result.data.tasks.length : -1;
}

test('first start seeds the 2021 table and prints how to use it', async () => {
  const { origin, output, stop } = await start();
  try {
    expect(output()).toContain('已导入 2021 年任务分解表：44 项任务，35 个单位');
    expect(output()).toContain(`x-local-openid: ${OFFICE}`);
    expect(await planTasks(origin)).toBe(44);
    // The last line points at the console, which the same server serves.
    expect(output()).toContain(`用浏览器打开 ${origin}/ 查看本地云控制台`);
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
