/**
 * @jest-environment jsdom
 *
 * 台账与导入, full stack against the real `ledger` function: the year's
 * 工作台账 opens in the reader as a real workbook and its link copies; the
 * 佐证材料 archive is link-only; a year imported ahead of time is switched
 * on from the page; the 2021 table downloaded as a template, its title
 * changed to a new year and picked back from a chat imports as that year
 * (taken from the title), once; another year than the title's is refused at
 * the year field naming both; a title without a year asks for the year; a
 * broken file shows its problems by row and column and imports nothing.
 */
import ExcelJS from 'exceljs';
import { withTitleYear, xlsxOf } from '../helpers/ledger';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, tempFile, until, wxState } from '../helpers/miniprogram';
import { openOffice } from './office-helpers';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

const rowTexts = (page: Awaited<ReturnType<typeof openOffice>>) =>
  page.root.querySelectorAll('.file-row').map((n) => (n.dom?.textContent ?? '').replace(/\s+/g, ' ').trim());

test('the year’s 工作台账 is generated, opens in the reader as a workbook, and its link copies for the PC', async () => {
  const page = await openOffice(t, ADMIN, 'ledger');
  expect(page.data().phase).toBe('ready');
  expect(page.textOf('.year-value')).toBe('2021年（当前）');
  expect(page.textOf('.scope-value')).toBe('全年（所有轮次）');

  await page.tap('.btn-export');
  await until(() => (page.data().files as unknown[]).length === 1 || page.data().jobError !== '', 'the export');
  expect(page.data().jobError).toBe('');
  const [row] = rowTexts(page);
  expect(row).toContain('工作台账 · 2021年全年');
  expect(row).toContain('.xlsx');
  expect(row).toContain('44 项任务');

  await page.tap('.open-file');
  await until(() => wxState.documents.length === 1, 'the reader');
  const doc = wxState.documents[0];
  expect(doc?.fileType).toBe('xlsx');
  const wb = await readWorkbook(doc?.bytes ?? Buffer.alloc(0));
  expect(wb.worksheets.length).toBeGreaterThanOrEqual(2);

  await page.tap('.copy-link');
  expect(wxState.clipboard).toMatch(/^https?:\/\//);
  expect(wxState.toasts).toContain('已复制下载链接，请在电脑浏览器中打开');
});

test('the evidence archive is offered as a link only (a zip does not open on a phone)', async () => {
  const page = await openOffice(t, ADMIN, 'ledger');
  await page.tap('.btn-archive');
  await until(() => (page.data().files as unknown[]).length === 1 || page.data().jobError !== '', 'the archive');
  expect(page.data().jobError).toBe('');
  expect(rowTexts(page)[0]).toContain('佐证材料包 · 2021年全年');
  expect(rowTexts(page)[0]).toContain('.zip');
  expect(page.root.querySelector('.open-file')).toBeUndefined();
  await page.tap('.copy-link');
  expect(wxState.clipboard).toMatch(/^https?:\/\//);
});

test('the 2021 table as a template, retitled and picked back from a chat, is checked and imported as the title’s year once', async () => {
  const page = await openOffice(t, ADMIN, 'ledger');
  await page.tap('.btn-template');
  await until(() => (page.data().files as unknown[]).length === 1 || page.data().jobError !== '', 'the template');
  expect(rowTexts(page)[0]).toContain('导入模板 · 以2021年任务表为底稿');
  await page.tap('.open-file');
  await until(() => wxState.documents.length === 1, 'the reader');
  const template = wxState.documents[0]?.bytes ?? Buffer.alloc(0);

  wxState.messageFiles.push([{ path: tempFile('2021任务分解表.xlsx', template), name: '2021任务分解表.xlsx' }]);
  await page.tap('.btn-pick');
  await until(() => page.data().importStep === 'checked' || page.data().importError !== '', 'the check');
  expect(page.data().importError).toBe('');
  expect(wxState.uploads[0]?.cloudPath.startsWith(`imports/${ADMIN}/`)).toBe(true);
  expect(page.textOf('.check-summary')).toContain('检查通过');
  expect(page.textOf('.check-summary')).toContain('44 项任务');
  expect(page.root.querySelector('.problem')).toBeUndefined();

  // The file names 2021, which exists: the page says so at the year instead of asking the server.
  expect(page.data().importYear).toBe('2021');
  expect(page.textOf('.year-tip')).toContain('取自表格标题“邹城市2021年政务公开工作任务分解表”');
  await page.tap('.btn-commit');
  await until(() => page.data().yearError !== '', 'the refusal');
  expect(page.textOf('.year-error')).toBe('2021年的任务表已经存在，不能重复导入。');

  // Another year for last year's table: refused at the field, naming both years, before any confirmation.
  const modals = wxState.modals.length;
  await page.type('.import-year', '2032');
  expect(page.root.querySelector('.year-error')).toBeUndefined();
  expect(page.root.querySelector('.cell-invalid')).toBeUndefined();
  await page.tap('.btn-commit');
  await until(() => page.data().yearError !== '', 'the refusal');
  expect(page.textOf('.year-error')).toBe(
    '表格标题是2021年，所选年度是2032年：请核对文件或年度（要导入为2032年，请先把表格标题中的年度改为2032年）',
  );
  expect(page.root.querySelector('.cell-invalid')?.dom?.textContent).toContain('年度');
  expect(wxState.modals.length).toBe(modals);
  expect((await api(t, ADMIN, 'plan.list', {})).map((p) => p.year)).toEqual([2021]);

  // The office changes the title to 2032 on the PC and sends the file again: the year comes from it.
  const as2032 = await withTitleYear(template, 2032);
  wxState.messageFiles.push([{ path: tempFile('2032任务分解表.xlsx', as2032), name: '2032任务分解表.xlsx' }]);
  await page.tap('.btn-pick');
  const checkedFile = () => (page.data().check as { fileName: string } | null)?.fileName;
  await until(() => checkedFile() === '2032任务分解表.xlsx' || page.data().importError !== '', 'the second check');
  expect(page.textOf('.check-summary')).toContain('检查通过');
  expect(page.data().importYear).toBe('2032');
  expect(page.textOf('.year-tip')).toContain('取自表格标题“邹城市2032年政务公开工作任务分解表”');
  await page.tap('.make-current');
  expect(page.data().makeCurrent).toBe(false);
  await page.tap('.btn-commit');
  await until(() => page.textOf('.import-done') !== '' || page.data().importError !== '', 'the import');
  expect(wxState.modals.some((m) => m.includes('44 项任务'))).toBe(true);
  expect(page.textOf('.import-done')).toContain('已导入2032年任务分解表：44 项任务');
  expect(page.textOf('.import-done')).not.toContain('已设为当前年度');
  await until(() => page.data().phase === 'ready', 'the reload');

  const plans = await api(t, ADMIN, 'plan.list', {});
  expect(plans.map((p) => [p.year, p.current]).sort()).toEqual([
    [2021, true],
    [2032, false],
  ]);
  const [y2021, y2032] = await Promise.all([api(t, ADMIN, 'plan.get', { year: 2021 }), api(t, ADMIN, 'plan.get', { year: 2032 })]);
  expect(y2032.tasks.map((x) => [x.no, x.requirement])).toEqual(y2021.tasks.map((x) => [x.no, x.requirement]));
  expect(y2032.assignmentCount).toBe(y2021.assignmentCount);
  // The year picker now offers both years; the new one can be switched on from here.
  expect(page.data().yearNames).toEqual(['2032年', '2021年（当前）']);
  expect(page.root.querySelector('.other-year')).toBeUndefined();
  await page.change('.year-picker', 0);
  await until(() => page.textOf('.other-year') !== '', 'the hint');
  expect(page.textOf('.other-year')).toContain('联络员现在看到的是2021年的任务');
  await page.tap('.btn-set-current');
  await until(() => (page.data().yearNames as string[])[0] === '2032年（当前）', 'the switch');
  expect(wxState.toasts).toContain('已切换到2032年');
  expect((await api(t, ADMIN, 'plan.list', {})).find((p) => p.current)?.year).toBe(2032);
  const audit = await api(t, ADMIN, 'audit.list', { action: 'plan.setCurrent' });
  expect(audit.entries.map((e) => e.actor)).toEqual([ADMIN]);
});

test('a title without a year: the page says so and offers a year to check; a refused year shows at the field; the year typed is imported', async () => {
  const bytes = await xlsxOf([
    ['政务公开工作任务分解表'],
    ['大项', '小项', '序号', '任务要求', '责任单位'],
    ['一、深化重点领域政府信息公开', '(一)立足实施重大战略推进政务公开', 1, '做好规划公开', '市司法局'],
  ]);

  const page = await openOffice(t, ADMIN, 'ledger');
  wxState.messageFiles.push([{ path: tempFile('任务分解表.xlsx', bytes), name: '任务分解表.xlsx' }]);
  await page.tap('.btn-pick');
  await until(() => page.data().importStep === 'checked' || page.data().importError !== '', 'the check');
  expect(page.textOf('.check-summary')).toContain('检查通过');
  expect(page.textOf('.year-tip')).toBe('表格标题中没有写明年度，已按最近年度的下一年填写，请核对。');
  // Offered: the year after the newest plan (or after last year); any year may be typed.
  expect(Number(page.data().importYear)).toBeGreaterThan(2021);

  // Meanwhile another administrator imports 2036 from the same file: the function's refusal shows at the year.
  const fileID = t.cloud.storage.fileIdOf(wxState.uploads[0]?.cloudPath ?? '');
  const other = await t.ledger(ADMIN)('import.commit', { fileID, year: 2036, makeCurrent: false, requestId: 'other-admin' });
  expect(other).toMatchObject({ ok: true });
  await page.type('.import-year', '2036');
  await page.tap('.btn-commit');
  await until(() => page.data().yearError !== '' || page.data().importError !== '', 'the refusal');
  expect(page.textOf('.year-error')).toBe('2036 年的任务分解表已经存在，不能重复导入');
  expect(page.data().importError).toBe('');

  await page.type('.import-year', '2037');
  await page.tap('.btn-commit');
  await until(() => page.textOf('.import-done') !== '' || page.data().importError !== '' || page.data().yearError !== '', 'the import');
  expect(page.textOf('.import-done')).toContain('已导入2037年任务分解表：1 项任务');
  const plan = await api(t, ADMIN, 'plan.get', { year: 2037 });
  expect(plan.title).toBe('政务公开工作任务分解表');
});

test('a file with problems lists them by row and column and imports nothing; a non-xlsx file is not uploaded', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('任务分解表');
  ws.addRow(['邹城市2033年政务公开工作任务分解表']);
  ws.addRow(['大项', '小项', '序号', '任务要求', '责任单位']);
  ws.addRow(['一、深化重点领域信息公开', '（一）财政信息', 1, '', '市财政局牵头']);
  ws.addRow(['一、深化重点领域信息公开', '（一）财政信息', 2, '推进就业创业政策公开。', '市人社局牵头']);
  const bytes = Buffer.from(await wb.xlsx.writeBuffer());
  const before = (await api(t, ADMIN, 'plan.list', {})).length;

  const page = await openOffice(t, ADMIN, 'ledger');
  wxState.messageFiles.push([{ path: tempFile('任务表.docx', 1000), name: '任务表.docx' }]);
  await page.tap('.btn-pick');
  await until(() => page.data().importError !== '', 'the refusal');
  expect(page.textOf('.import-error')).toContain('请选择 .xlsx 格式');
  expect(wxState.uploads).toHaveLength(0);

  wxState.messageFiles.push([{ path: tempFile('2033.xlsx', bytes), name: '2033.xlsx' }]);
  await page.tap('.btn-pick');
  await until(() => page.data().importStep === 'checked' || (wxState.uploads.length > 0 && page.data().importStep === 'idle'), 'the check');
  expect(page.textOf('.check-summary')).toContain('处问题');
  const problems = page.root.querySelectorAll('.problem').map((n) => (n.dom?.textContent ?? '').trim());
  expect(problems.some((p) => p.startsWith('第3行 D列（任务要求）'))).toBe(true);
  const unknown = problems.find((p) => p.startsWith('第4行 E列（责任单位）')) ?? '';
  expect(unknown).toContain('市人社局');
  expect(unknown).toContain('相近的单位：市人力资源社会保障局');
  // No way to import a file with problems.
  expect(page.root.querySelector('.btn-commit')).toBeUndefined();
  expect((await api(t, ADMIN, 'plan.list', {})).length).toBe(before);
});
