/**
 * Import of files really saved by LibreOffice: our template opened and
 * saved as .xlsx by LibreOffice reads to the same table (44 tasks, the same
 * check) as our own file; saved as .ods it is refused with the advice to
 * save as .xlsx; a table with a hidden row and units on separate lines,
 * saved by LibreOffice, gets each problem by row and column and imports
 * nothing. One LibreOffice run per file.
 */
import { execFileSync } from 'child_process';
import ExcelJS from 'exceljs';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { importPrefix } from '../../miniprogram/shared/ledger-api';
import { startUploader, type Uploader } from '../helpers/journey';
import { fetchFile } from '../helpers/ledger';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';

let t: TestCloud;
let up: Uploader;
let dir: string;
let ours: Buffer;

/** `file` saved by LibreOffice as `format` (xlsx or ods), with a private profile. */
function saveAs(file: string, format: 'xlsx' | 'ods'): Buffer {
  const out = path.join(dir, format);
  fs.mkdirSync(out, { recursive: true });
  execFileSync(
    'libreoffice',
    [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--convert-to', format, '--outdir', out, file],
    { timeout: 240_000, stdio: 'ignore' },
  );
  return fs.readFileSync(path.join(out, `${path.basename(file, '.xlsx')}.${format}`));
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  up = await startUploader(t);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-lo-'));
  ours = await fetchFile(okData(await t.ledger(ADMIN)('ledger.template', { year: 2021 })));
  fs.writeFileSync(path.join(dir, 'template.xlsx'), ours);
}, 600_000);
afterAll(() => {
  t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
const check = async (bytes: Buffer) =>
  t.ledger(ADMIN)('import.check', { fileID: await up.upload(ADMIN, `${importPrefix(ADMIN)}lo-${++seq}.xlsx`, bytes) });

test('the template saved by LibreOffice as .xlsx reads to the same 44 tasks as our own file', async () => {
  const saved = saveAs(path.join(dir, 'template.xlsx'), 'xlsx');
  expect(saved.equals(ours)).toBe(false);
  const mine = okData(await check(ours));
  const theirs = okData(await check(saved));
  expect(theirs).toMatchObject({ tasks: 44, sections: 5, categories: 20, problems: [] });
  expect(theirs).toEqual(mine);
}, 600_000);

test('saved as .ods: refused with the advice to save as .xlsx, nothing written', async () => {
  const before = t.cloud.db.count('plans', {});
  const res = await check(saveAs(path.join(dir, 'template.xlsx'), 'ods'));
  expect(res).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'fileID', message: expect.stringContaining('.ods') });
  expect(res).toMatchObject({ message: expect.stringContaining('另存为”.xlsx') });
  expect(t.cloud.db.count('plans', {})).toBe(before);
}, 600_000);

test('saved by LibreOffice: a hidden row is reported, units on separate lines (Alt+Enter) are read, an unreadable separator is named; nothing written', async () => {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('任务分解表');
  sheet.addRows([
    ['邹城市2031年政务公开工作任务分解表'],
    ['大项', '小项', '序号', '任务要求', '责任单位'],
    ['一、深化重点领域政府信息公开', '(一)立足实施重大战略推进政务公开', 1, '做好规划公开', '市司法局\n市财政局牵头,\n各镇街配合'],
    [null, null, 2, '这一行被隐藏了', '市司法局'],
    [null, null, 3, '公开财政预决算', '市司法局/市财政局'],
  ]);
  sheet.getRow(4).hidden = true;
  const file = path.join(dir, 'problems.xlsx');
  fs.writeFileSync(file, Buffer.from(await wb.xlsx.writeBuffer()));
  const saved = saveAs(file, 'xlsx');
  const before = t.cloud.db.count('plans', {});
  const res = okData(await check(saved));
  expect(res.tasks).toBe(3);
  expect(res.problems).toEqual([
    { row: 4, column: '', header: '', message: expect.stringContaining('这一行被隐藏了') },
    {
      row: 5,
      column: 'E',
      header: '责任单位',
      message: expect.stringContaining('“市司法局/市财政局”中的“/”不能用来分隔单位'),
      suggestions: ['市财政局', '市司法局'],
    },
  ]);
  const fileID = await up.upload(ADMIN, `${importPrefix(ADMIN)}lo-commit.xlsx`, saved);
  const commit = await t.ledger(ADMIN)('import.commit', { fileID, year: 2031, makeCurrent: false, requestId: 'lo-problems' });
  expect(commit).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'fileID' });
  expect(t.cloud.db.count('plans', {})).toBe(before);
}, 600_000);
