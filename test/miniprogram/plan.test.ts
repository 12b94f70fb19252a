/** @jest-environment jsdom */
import { startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { openPage, until, useCloud, simulate } from '../helpers/miniprogram';

let t: TestCloud;
beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
});
afterAll(() => t.close());

test('任务分解表 lists every section, category and task with its units by role', async () => {
  useCloud(t, 'o-reader-0001');
  const page = await openPage('pages/plan/index', { year: '2021' });
  await until(() => page.data().phase === 'ready', 'plan to load');
  expect(page.root.querySelectorAll('.section')).toHaveLength(5);
  expect(page.root.querySelectorAll('.task')).toHaveLength(44);
  const text = page.text();
  expect(text).toContain('一、深化重点领域政府信息公开');
  expect(text).toContain('(九)积极回应社会关切');
  expect(text).toContain('24. 进一步完善政务公开、宣传、网信、信访等部门沟通和协调联动机制');
  expect(text).toContain('牵头：市政府办公室；配合：市政府各部门、各镇街');
  expect(text).toContain('时限：2021年年底前');
  // (九) is printed once though the source reprints it at a page break.
  expect(text.split('(九)积极回应社会关切')).toHaveLength(2);
});

test('tapping a task expands its full requirement, tapping again folds it', async () => {
  useCloud(t, 'o-reader-0002');
  const page = await openPage('pages/plan/index', { year: '2021' });
  await until(() => page.data().phase === 'ready', 'plan to load');
  const task = page.root.querySelectorAll('.task')[15];
  // Built-in elements have no light-DOM query in simulate: query from the page root.
  const textOf = () => page.root.querySelectorAll('.task-text')[15];
  expect(textOf()?.dom?.textContent).toContain('16. 提高重大传染病防控信息发布规范化水平');
  expect(textOf()?.dom?.className).toContain('clamp');
  task?.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(textOf()?.dom?.className).not.toContain('clamp');
  task?.dispatchEvent('tap');
  await simulate.sleep(0);
  expect(textOf()?.dom?.className).toContain('clamp');
});
