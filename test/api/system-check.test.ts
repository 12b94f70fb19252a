/** system.check reports what a deployment lacks, from the real functions' own records. */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { db } from '../../cloudfunctions/common/cloud';
import { officeDay } from '../../cloudfunctions/common/domain/dates';
import { C } from '../../cloudfunctions/common/schema';
import type { SystemCheck } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { remind } from '../reminder/helpers';

let t: TestCloud;
afterEach(() => t.close());

const check = async () => okData(await t.as(ADMIN)('system.check', {}));
const item = (c: SystemCheck, key: string) => c.items.find((i) => i.key === key);

test('a fresh deployment: collections made by the functions, templates set, the timer not yet run, the setup code still there', async () => {
  t = startTestCloud({ setup: 'bare' });
  await t.seed();
  const c = await check();
  expect(item(c, 'collections')).toMatchObject({ status: 'ok', detail: expect.stringContaining('集合齐全') });
  expect(item(c, 'templates')?.status).toBe('ok');
  expect(item(c, 'timer')).toMatchObject({ status: 'warn', detail: expect.stringContaining('还没有运行过') });
  expect(item(c, 'setupCode')).toMatchObject({ status: 'warn', detail: expect.stringContaining('建议在 api 云函数的环境变量中删除') });
  expect(item(c, 'storage')?.status).toBe('unknown');
  expect(c.status).toBe('warn');
});

test('after the timer ran today, and with the setup code removed, everything is in order', async () => {
  // Bootstrapping needs the code; it is taken away afterwards, as the guide says.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-check-'));
  t = startTestCloud({ dir });
  await t.seed();
  t.close();
  t = startTestCloud({ dir, env: { SETUP_CODE: '' } });
  await remind(t, officeDay(new Date()));
  const c = await check();
  fs.rmSync(dir, { recursive: true, force: true });
  expect(item(c, 'setupCode')).toMatchObject({ status: 'ok', detail: '已初始化，口令已删除' });
  expect(c.status).toBe('ok');
  expect(item(c, 'timer')).toMatchObject({
    status: 'ok',
    detail: expect.stringMatching(/^上次运行 \d{4}-\d{2}-\d{2} \d{2}:\d{2}，发出 \d+ 条/),
  });
  expect(c.items.map((i) => i.key)).toEqual(['collections', 'templates', 'timer', 'storage', 'setupCode', 'versions']);
});

test('missing templates and a timer that stopped running are named', async () => {
  t = startTestCloud({ env: { SUBSCRIBE_TEMPLATES: JSON.stringify({ deadline: 'tmpl-deadline-0001' }) } });
  await t.seed();
  await remind(t, '2021-09-27');
  const c = await check();
  expect(item(c, 'templates')).toMatchObject({ status: 'warn', detail: expect.stringContaining('未配置：退回通知、催办通知') });
  expect(item(c, 'timer')).toMatchObject({ status: 'warn', detail: expect.stringContaining('之后没有再运行') });
});

test('contacts cannot run it', async () => {
  t = startTestCloud();
  await t.seed();
  expect(await t.as('o-someone-else')('system.check', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
});

test('a new version that names another collection creates it at its first cold start', async () => {
  t = startTestCloud({ setup: 'bare' });
  // As an earlier version left it: its marker lists only the collections it knew.
  await db.createCollection('settings');
  await db
    .collection('settings')
    .doc('schema')
    .set({ data: { collections: ['settings'], at: new Date() } });
  expect(t.cloud.db.listCollections().map((c) => c.name)).toEqual(['settings']);
  okData(await t.as('o-first-visitor')('me.get'));
  const names = t.cloud.db.listCollections().map((c) => c.name);
  expect(Object.values(C).filter((c) => !names.includes(c))).toEqual([]);
});
