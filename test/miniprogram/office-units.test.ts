/**
 * @jest-environment jsdom
 *
 * 单位目录: add a department (it gets the table's group tasks at once),
 * rename it (the old name stays as an alias, and the page says so), retire
 * and restore it after confirming; field errors next to the fields.
 */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, simulate, until, wxState } from '../helpers/miniprogram';
import { openOffice, texts } from './office-helpers';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

const rowOf = (rows: string[], name: string) => rows.find((r) => r.startsWith(name)) ?? '';

test('add a department, rename it keeping the old name as an alias, retire and restore it', async () => {
  const page = await openOffice(t, ADMIN, 'units');
  expect(page.text()).toContain('改名后原名称会保留为别名');
  const before = texts(page, '.unit-row').length;

  // Adding without a name or kind: each field says what is missing.
  await page.tap('.add-unit');
  await page.tap('.save-add');
  expect(page.textOf('.error-add-name')).toBe('请填写单位名称');
  expect(page.textOf('.error-add-kind')).toBe('请选择单位类别');

  await page.type('.add-name', '市统计局');
  await page.tap('.kind-department');
  await page.tap('.save-add');
  await until(() => texts(page, '.unit-row').length === before + 1, 'the new unit in the list');
  expect(wxState.toasts[0]).toMatch(/^已添加「市统计局」，按任务分解表新增 \d+ 项责任分工$/);
  const added = (await api(t, ADMIN, 'unit.directory', {})).find((u) => u.name === '市统计局');
  expect(added).toMatchObject({ kind: 'department', active: true });
  if (!added) throw new Error('not added');

  // Another unit under an existing name is refused next to the name field.
  await page.tap('.add-unit');
  await page.type('.add-name', '市司法局');
  await page.tap('.kind-town');
  await page.tap('.save-add');
  await until(() => page.textOf('.error-add-name') !== '', 'the duplicate-name error');
  expect(page.textOf('.error-add-name')).toContain('市司法局');
  await page.tap('.add-unit');

  // Rename: the page says the old name stays, and the row then shows it as an alias.
  const index = texts(page, '.unit-row').findIndex((r) => r.startsWith('市统计局'));
  await page.tap('.rename', index);
  expect(page.textOf('.rename-tip')).toBe('原名称「市统计局」会保留为别名。');
  await page.type('.rename-input', '邹城市统计局');
  await page.tap('.save-rename');
  await until(() => rowOf(texts(page, '.unit-row'), '邹城市统计局') !== '', 'the renamed unit');
  expect(rowOf(texts(page, '.unit-row'), '邹城市统计局')).toContain('别名：市统计局');
  expect(wxState.toasts).toContain('已改名为「邹城市统计局」，原名称保留为别名');
  expect((await api(t, ADMIN, 'unit.directory', {})).find((u) => u.id === added.id)).toMatchObject({
    name: '邹城市统计局',
    aliases: ['市统计局'],
  });

  // Retire: confirmed only after reading what it does; the unit leaves the bind list.
  await bindActive(t, 'o-contact-stats-01', '邹城市统计局', '周统计', '13800000021');
  page.lifecycle('onLoad');
  await until(() => rowOf(texts(page, '.unit-row'), '邹城市统计局').includes('联络员 1 人'), 'the contact count');
  const at = texts(page, '.unit-row').findIndex((r) => r.startsWith('邹城市统计局'));
  wxState.modalConfirm = false;
  const asked = wxState.modals.length;
  await page.tap('.retire', at);
  await until(() => wxState.modals.length > asked, 'the confirmation');
  // Let the dialog's answer land (its callback comes on a later turn) before looking.
  await simulate.sleep(20);
  expect(wxState.modals.pop()).toContain('它的联络员（1 人）将不能再登录报送');
  expect((await api(t, ADMIN, 'unit.list')).some((u) => u.id === added.id)).toBe(true);

  wxState.modalConfirm = true;
  await page.tap('.retire', at);
  await until(() => rowOf(texts(page, '.unit-row'), '邹城市统计局').includes('已停用'), 'the retired unit');
  expect((await api(t, ADMIN, 'unit.list')).some((u) => u.id === added.id)).toBe(false);
  expect(await t.as('o-contact-stats-01')('tasks.mine', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });

  // Restore brings it and its contact back.
  expect(page.root.querySelectorAll('.restore')).toHaveLength(1);
  await page.tap('.restore');
  await until(() => !rowOf(texts(page, '.unit-row'), '邹城市统计局').includes('已停用'), 'the restored unit');
  expect((await api(t, 'o-contact-stats-01', 'tasks.mine', {})).unit.name).toBe('邹城市统计局');
});
