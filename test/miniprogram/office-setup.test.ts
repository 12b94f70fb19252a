/**
 * @jest-environment jsdom
 *
 * 系统设置 on a new environment, against the real functions: the first
 * administrator sets up with the code, imports the built-in 2021 table, and
 * checks the deployment, seeing what is still to do.
 */
import { ADMIN, SETUP_CODE, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { bindActive, until } from '../helpers/miniprogram';
import { openOffice } from './office-helpers';

let t: TestCloud;
beforeEach(() => {
  t = startTestCloud({ setup: 'bare' });
});
afterEach(() => t.close());

test('first run: set up, import the 2021 table once, check the deployment', async () => {
  const page = await openOffice(t, ADMIN, 'setup');
  expect(page.data().phase).toBe('form');
  expect(page.root.querySelector('.btn-check')).toBeUndefined();
  await page.type('.input-code', SETUP_CODE);
  await page.type('.input-name', '张科长');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'done', 'bootstrap');
  expect(page.text()).toContain('您已成为管理员');

  await page.tap('.btn-seed');
  await until(() => page.data().seedResult !== '', 'seed');
  expect(page.textOf('.seed-result')).toBe('已导入2021 年任务分解表：44 项任务、35 个单位');
  expect(t.cloud.db.count('tasks', { planId: 'plan-2021' })).toBe(44);
  await page.tap('.btn-seed');
  await until(() => String(page.data().seedResult).includes('无需再导入'), 'second seed');
  expect(page.textOf('.seed-result')).toBe('2021 年任务分解表：44 项任务、35 个单位已经在系统中，无需再导入');

  await page.tap('.btn-check');
  await until(() => (page.data().checkItems as unknown[]).length > 0, 'check');
  expect(page.textOf('.check-collections')).toContain('集合齐全');
  expect(page.textOf('.check-collections')).toContain('正常');
  expect(page.textOf('.check-timer')).toContain('还没有运行过');
  expect(page.textOf('.check-timer')).toContain('需处理');
  expect(page.textOf('.check-setupCode')).toContain('建议在 api 云函数的环境变量中删除');
  expect(page.textOf('.btn-check')).toBe('重新检查');
});

test('a contact sees neither the import nor the check', async () => {
  const admin = t.as(ADMIN);
  await admin('admin.bootstrap', { setupCode: SETUP_CODE, name: '张科长' });
  await admin('plan.seed', { year: 2021 });
  const contact = 'o-setup-contact-01';
  await bindActive(t, contact, '市司法局');
  const page = await openOffice(t, contact, 'setup');
  expect(page.data().phase).toBe('taken');
  expect(page.root.querySelector('.btn-seed')).toBeUndefined();
  expect(page.root.querySelector('.btn-check')).toBeUndefined();
  expect(page.text()).not.toContain('部署检查');
});

test('the 工作台 leads to 系统设置', async () => {
  await t.seed();
  const page = await openOffice(t, ADMIN, 'overview');
  expect(page.textOf('.entry-setup')).toContain('系统设置');
});
