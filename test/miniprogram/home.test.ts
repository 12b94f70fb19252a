/** @jest-environment jsdom */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, openPage, unitIdOf, until, useCloud, wxState } from '../helpers/miniprogram';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

test('首页 asks a newcomer to bind, with a button that opens 绑定单位', async () => {
  useCloud(t, 'o-newcomer-0001');
  const page = await openPage('pages/home/index');
  expect(page.text()).toContain('正在加载');
  await until(() => page.data().phase === 'ready', 'home to load');
  expect(page.textOf('.hero-title')).toBe('尚未绑定单位');
  expect(page.text()).toContain('绑定所在单位后，即可查看本单位的任务');
  expect(page.text()).not.toContain('政务公开科管理员');
  expect(page.root.querySelectorAll('.task-item')).toHaveLength(0);
  await page.tap('.btn-bind');
  expect(wxState.navigations).toEqual(['/pages/bind/index']);
});

test('首页 tells a contact waiting for approval that the office is reviewing', async () => {
  const openid = 'o-newcomer-0002';
  await api(t, openid, 'contact.bind', { unitId: await unitIdOf(t, '市民政局'), name: '钱九', phone: '13800000009' });
  useCloud(t, openid);
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase === 'ready', 'home to load');
  expect(page.textOf('.hero-title')).toBe('绑定申请审核中');
  expect(page.text()).toContain('已申请绑定市民政局，政务公开科审核通过后即可查看本单位任务');
  await page.tap('.link-action');
  expect(wxState.navigations).toEqual(['/pages/bind/index']);
});

test('首页 marks the office admin, and tapping the table card opens it', async () => {
  useCloud(t, ADMIN);
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase === 'ready', 'home to load');
  expect(page.text()).toContain('政务公开科管理员');
  expect(page.textOf('.plan-card')).toContain('邹城市2021年政务公开工作任务分解表');
  await page.tap('.plan-card');
  expect(wxState.navigations).toEqual(['/pages/plan/index?year=2021']);
});

test('首页 explains a failure in plain words and recovers on 重新加载', async () => {
  useCloud(t, 'o-newcomer-0003');
  const invoke = t.cloud.invoke.bind(t.cloud);
  let fail = true;
  t.cloud.invoke = (...args) => (fail ? Promise.reject(new Error('offline')) : invoke(...args));
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase === 'error', 'the error state');
  expect(page.text()).toContain('网络不给力，请检查网络后重试');
  fail = false;
  await page.tap('.btn-plain');
  await until(() => page.data().phase === 'ready', 'reload');
  expect(page.textOf('.hero-title')).toBe('尚未绑定单位');
});

test('首页 shows the person their account id and copies it, so the office can make them an admin', async () => {
  useCloud(t, 'o-future-admin-01');
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase === 'ready', 'home to load');
  expect(page.textOf('.account-id')).toBe('o-future-admin-01');
  await page.tap('.account-cell');
  expect(wxState.clipboard).toBe('o-future-admin-01');
  // The copied id is exactly what admin.add takes.
  const added = await api(t, ADMIN, 'admin.add', { openid: wxState.clipboard, name: '新管理员' });
  expect(added).toMatchObject({ openid: 'o-future-admin-01', name: '新管理员' });
});
