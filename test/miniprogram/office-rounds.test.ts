/**
 * @jest-environment jsdom
 *
 * 轮次管理: create a round for all tasks with task 32's own due day taken
 * from the table, field errors next to the fields, edit a round down to
 * chosen tasks (search by text), and close it only after confirming.
 */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, officeDayFromNow, simulate, until, wxState } from '../helpers/miniprogram';
import { openOffice, texts } from './office-helpers';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

test('a round for all tasks, with task 32 due at the year end as the table says', async () => {
  const page = await openOffice(t, ADMIN, 'rounds');
  await page.tap('.btn-new');
  // Nothing filled in: each field says what is missing, nothing is created.
  await page.tap('.btn-save');
  expect(page.textOf('.error-name')).toContain('请填写轮次名称');
  expect(page.textOf('.error-dueDate')).toBe('请选择截止日期');
  expect(await api(t, ADMIN, 'round.list', {})).toEqual([]);

  await page.type('.input-name', '第四季度报送');
  expect(page.textOf('.error-name')).toBe('');
  await page.change('.due-picker', '2021-12-20');
  expect(page.textOf('.due-value')).toBe('2021-12-20');
  // The table's own deadline is offered; one tap sets it.
  expect(page.textOf('.suggestion')).toContain('任务分解表规定第 32 项2021年年底前完成');
  await page.tap('.use-suggestion');
  expect(texts(page, '.override-row')).toEqual(['第 32 项2021-12-31删除']);
  expect(page.root.querySelector('.suggestion')).toBeUndefined();
  await page.tap('.btn-save');
  await until(() => page.data().mode === 'list' && texts(page, '.round-row').length === 1, 'the list with the new round');
  expect(wxState.toasts).toContain('已新建「第四季度报送」');
  expect(texts(page, '.round-row')[0]).toContain('全部任务 · 1 项单独截止');

  const [round] = await api(t, ADMIN, 'round.list', {});
  expect(round).toMatchObject({ name: '第四季度报送', dueDate: '2021-12-20', scope: 'all', overrides: { '32': '2021-12-31' } });
});

test('editing narrows a round to chosen tasks found by their text; overrides outside them are dropped', async () => {
  const round = await api(t, ADMIN, 'round.create', {
    name: '第三季度报送',
    dueDate: officeDayFromNow(20),
    scope: 'all',
    overrides: { '32': '2021-12-31' },
  });
  const page = await openOffice(t, ADMIN, 'rounds');
  await page.tap('.round-edit');
  expect(page.data().mode).toBe('form');
  expect(page.data().form).toMatchObject({ id: round.id, name: '第三季度报送', all: true });

  await page.tap('.scope-some');
  // No task chosen yet: the override of task 32 has nothing to apply to.
  expect(texts(page, '.override-row')).toEqual([]);
  await page.type('.task-search', '政策解读');
  const found = texts(page, '.task-option');
  expect(found.length).toBeGreaterThan(0);
  for (const row of found) expect(row).toMatch(/^\d+\. /);
  await page.tap('.task-option', 0);
  const firstNo = Number(found[0]?.split('.')[0]);
  await page.type('.task-search', '44');
  await page.tap('.task-option');
  expect(page.text()).toContain('已选 2 项');
  // Another due day for task 44, through the task picker (index 1 of [firstNo, 44]).
  await page.change('.add-override-picker', 1);
  expect(texts(page, '.override-row')).toEqual([expect.stringContaining('第 44 项')]);
  await page.change('.override-picker', '2021-12-25');
  await page.tap('.btn-save');
  await until(() => page.data().mode === 'list', 'the list again');
  expect(wxState.toasts).toContain('已保存「第三季度报送」');

  const [saved] = await api(t, ADMIN, 'round.list', {});
  expect(saved).toMatchObject({ scope: [firstNo, 44].sort((a, b) => a - b), overrides: { '44': '2021-12-25' } });
});

test('a server refusal lands next to its field', async () => {
  const page = await openOffice(t, ADMIN, 'rounds');
  await page.tap('.btn-new');
  await page.type('.input-name', '第三季度报送');
  await page.change('.due-picker', '2021-02-30');
  await page.tap('.btn-save');
  await until(() => page.textOf('.error-dueDate') !== '', 'the date error');
  expect(page.data().mode).toBe('form');
  expect(page.textOf('.error-form')).toBe('');
});

test('closing asks first; cancelled, nothing changes; confirmed, the round is closed and can no longer be edited', async () => {
  await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(5), scope: 'all' });
  const page = await openOffice(t, ADMIN, 'rounds');
  wxState.modalConfirm = false;
  await page.tap('.round-close');
  await until(() => wxState.modals.length === 1, 'the confirmation');
  expect(wxState.modals[0]).toContain('关闭「第三季度报送」后，联络员不能再报送');
  // Let the dialog's answer land (its callback comes on a later turn) before looking.
  await simulate.sleep(20);
  expect((await api(t, ADMIN, 'round.list', {}))[0]?.status).toBe('open');

  wxState.modalConfirm = true;
  await page.tap('.round-close');
  await until(() => texts(page, '.round-row')[0]?.includes('已结束') === true, 'the closed round');
  expect((await api(t, ADMIN, 'round.list', {}))[0]?.status).toBe('closed');
  expect(page.root.querySelector('.round-edit')).toBeUndefined();
  expect(page.root.querySelector('.round-close')).toBeUndefined();
});
