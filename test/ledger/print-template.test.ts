/**
 * The import templates on paper, as LibreOffice prints them: the 2021 table's template (with a
 * task whose text starts like a formula, as stored after an edit in the console) and the blank
 * template, converted to PDF by LibreOffice and read back: every task and every instruction in
 * full, nothing below 9 pt, the header, a 大项 and a page number on every page of the table, and
 * no apostrophe in sight.
 */
import type ExcelJS from 'exceljs';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { db } from '../../cloudfunctions/common/cloud';
import { sectionCell } from '../../cloudfunctions/common/domain/import-table';
import { taskId } from '../../cloudfunctions/common/domain/plan-docs';
import { landscapeScale } from '../../cloudfunctions/common/domain/print-layout';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import { TEMPLATE_COLUMNS, TEMPLATE_PAPER } from '../../cloudfunctions/ledger/src/actions/template';
import { BODY_PT } from '../../cloudfunctions/ledger/src/xlsx';
import { fetchFile, readWorkbook } from '../helpers/ledger';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { apostropheLines, keepPage, print, squash, type Printed } from './print-render';

/** Task 3's requirement as stored: it starts like a formula. */
const FORMULA_LIKE = '-围绕构建“三大经济”新格局,做好重点项目建设和产业政策实施情况公开';

let t: TestCloud;
let dir: string;
let year: Printed;
let blank: Printed;
let sheet: ExcelJS.Worksheet;

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await db
    .collection('tasks')
    .doc(taskId(2021, 3))
    .update({ data: { requirement: FORMULA_LIKE } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-template-print-'));
  const files = { year: path.join(dir, 'year.xlsx'), blank: path.join(dir, 'blank.xlsx') };
  const yearBytes = await fetchFile(okData(await t.ledger(ADMIN)('ledger.template', { year: 2021 })));
  fs.writeFileSync(files.year, yearBytes);
  fs.writeFileSync(files.blank, await fetchFile(okData(await t.ledger(ADMIN)('ledger.template', {}))));
  sheet = (await readWorkbook(yearBytes)).worksheets[0] as ExcelJS.Worksheet;
  year = print(files.year, dir);
  blank = print(files.blank, dir);
  keepPage(year.pdf, 1, 'template-print.png', 110);
}, 600_000);

afterAll(() => {
  t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tablePages = (p: Printed) => p.pages.filter((page) => squash(page).includes('大项小项序号任务要求责任单位'));

test('A4 landscape, one page wide at ≥ 9 pt, the header row repeated', () => {
  expect(sheet.pageSetup).toMatchObject({ paperSize: TEMPLATE_PAPER, orientation: 'landscape', fitToWidth: 1, printTitlesRow: '2:2' });
  expect(
    landscapeScale(
      TEMPLATE_COLUMNS.map((c) => c.width),
      TEMPLATE_PAPER,
      0.4,
    ) * BODY_PT,
  ).toBeGreaterThanOrEqual(900);
  for (const p of [year, blank]) {
    expect(p.sizes.length).toBeGreaterThan(100);
    expect(Math.min(...p.sizes)).toBeGreaterThanOrEqual(9);
  }
});

test('every task of the year prints in full, the one that starts like a formula exactly as stored', () => {
  const all = squash(tablePages(year).join(''));
  for (const task of TABLE_2021.tasks) {
    const requirement = task.no === 3 ? FORMULA_LIKE : task.requirement;
    expect([task.no, all.includes(squash(requirement)), all.includes(squash(task.unitsText))]).toEqual([task.no, true, true]);
  }
  expect(apostropheLines(year.pages)).toEqual([]);
  expect(
    year.pages
      .join('\n')
      .split('\n')
      .some((l) => l.startsWith('-围绕构建')),
  ).toBe(true);
});

test('every page of the table names its 大项 and carries the header and a page number', () => {
  const sections = TABLE_2021.sections.map((s) => squash(sectionCell(s)));
  const pages = tablePages(year);
  expect(pages.length).toBeGreaterThan(2);
  pages.forEach((page, i) => {
    const text = squash(page);
    expect([i, sections.some((s) => text.includes(s))]).toEqual([i, true]);
    expect(text).toContain(`第${i + 1}页，共${year.pages.length}页`);
  });
});

test('the instructions print in full: the rules and the whole unit directory', () => {
  for (const p of [year, blank]) {
    const all = squash(p.pages.join(''));
    expect(all).toContain(squash('“序号”从 1 起连续编排，不能重复。'));
    for (const u of DIRECTORY.units) expect([u.name, all.includes(squash(u.name))]).toEqual([u.name, true]);
  }
  expect(squash(tablePages(blank).join(''))).toContain(squash('这一行是填写示例，导入前请删除'));
});
