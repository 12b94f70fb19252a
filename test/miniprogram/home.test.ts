/** @jest-environment jsdom */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { openPage, until, useCloud, wxState, simulate } from '../helpers/miniprogram';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

test('首页 shows a newcomer that they are not bound, and the 2021 table at a glance', async () => {
  useCloud(t, 'o-newcomer-0001');
  const page = await openPage('pages/home/index');
  expect(page.text()).toContain('正在加载');
  await until(() => page.data().phase === 'ready', 'home to load');
  const text = page.text();
  expect(text).toContain('尚未绑定单位');
  expect(text).toContain('邹城市2021年政务公开工作任务分解表');
  expect(text).toContain('邹政办字〔2021〕29号 · 5 大项 20 小项 · 共 44 项任务');
  expect(text).not.toContain('政务公开科管理员');
});

test('首页 marks the office admin, and tapping the table opens it', async () => {
  useCloud(t, ADMIN);
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase === 'ready', 'home to load');
  expect(page.text()).toContain('政务公开科管理员');
  const cell = page.root.querySelector('.cell-access');
  cell?.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(wxState.navigations).toEqual(['/pages/plan/index?year=2021']);
});

test('首页 explains a failure in plain words and recovers on 重新加载', async () => {
  useCloud(t, 'o-newcomer-0002');
  const invoke = t.cloud.invoke.bind(t.cloud);
  let fail = true;
  t.cloud.invoke = (...args) => (fail ? Promise.reject(new Error('offline')) : invoke(...args));
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase === 'error', 'the error state');
  expect(page.text()).toContain('网络不给力，请检查网络后重试');
  fail = false;
  page.root.querySelector('.btn-plain')?.dispatchEvent('tap');
  await until(() => page.data().phase === 'ready', 'reload');
  expect(page.text()).toContain('共 44 项任务');
});
