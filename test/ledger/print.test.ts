/**
 * The printed 工作台账, as an office worker prints it: a realistic year
 * (two rounds, a long report, a returned one, links and photos) exported,
 * converted to PDF by LibreOffice (headless) and read back with poppler and
 * Ghostscript. One conversion for the whole file: it takes seconds.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { sectionCell } from '../../cloudfunctions/common/domain/import-table';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import { uploadPrefix } from '../../miniprogram/shared/api';
import {
  CONTACTS,
  approveContacts,
  assignmentOf,
  createRound,
  evidenceOf,
  inDays,
  picture,
  reportInput,
  startUploader,
} from '../helpers/journey';
import { fetchFile, unzip } from '../helpers/ledger';
import { apostropheLines, convert, keepPage, print, squash, type Printed } from './print-render';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';

const SSFJ = CONTACTS.ssfj;
const LONG = '本季度我局围绕政府信息公开重点工作，在门户网站“法定主动公开内容”栏目更新行政执法公示信息，'.repeat(6);
const NOTE = '请补充执法公示栏目截图及链接，并说明下一步计划和时间安排。';
const LINKS = ['https://www.zoucheng.gov.cn/art/2021/7/1/art_1234_5678.html', 'https://www.zoucheng.gov.cn/col/col5678/index.html'];
const TEXTS = [LONG, '第二稿：已在政府网站发布解读材料3篇。', '已完成全年公开目录梳理，共计 128 条。'];

/** Texts a spreadsheet would take for formulas: printed exactly as typed, not evaluated, no apostrophe. */
const FORMULA_LIKE = ['=1+1 已在网站公开', '-按计划推进，已完成第一阶段'];

let t: TestCloud;
let dir: string;
let printed: Printed;
let pages: string[];
let resaved: Map<string, Buffer>;

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  const up = await startUploader(t);
  await approveContacts(t, ['ssfj']);
  const q3 = await createRound(t, { name: '第三季度', dueDate: inDays(20) });
  const late = await createRound(t, { name: '上半年', dueDate: inDays(-3), scope: [24, 25, 26] });
  const photo = picture('执法公示');
  const img = await up.upload(SSFJ.openid, `${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}print/1.jpg`, photo);
  const returned = okData(
    await t.as(SSFJ.openid)(
      'report.submit',
      reportInput(assignmentOf(24, 'ssfj'), late.id, 'ledger-print-long', {
        text: TEXTS[0],
        images: [evidenceOf(img, '执法公示栏目截图.jpg', photo)],
        links: [{ url: LINKS[0] as string, title: '行政执法公示' }],
      }),
    ),
  );
  okData(await t.as(ADMIN)('review.decide', { reportId: returned.report.id, decision: 'return', note: NOTE }));
  const approved = okData(
    await t.as(SSFJ.openid)(
      'report.submit',
      reportInput(assignmentOf(25, 'ssfj'), late.id, 'ledger-print-2', {
        text: TEXTS[1],
        links: [{ url: LINKS[1] as string, title: '政策解读' }],
      }),
    ),
  );
  okData(await t.as(ADMIN)('review.decide', { reportId: approved.report.id, decision: 'approve', note: '材料齐全' }));
  okData(await t.as(SSFJ.openid)('report.submit', reportInput(assignmentOf(26, 'ssfj'), late.id, 'ledger-print-3', { text: TEXTS[2] })));
  for (const [i, text] of FORMULA_LIKE.entries()) {
    okData(
      await t.as(SSFJ.openid)(
        'report.submit',
        reportInput(assignmentOf([11, 2][i] as number, 'ssfj'), q3.id, `ledger-print-f${i}`, { text }),
      ),
    );
  }

  const exported = okData(await t.ledger(ADMIN)('ledger.export', { year: 2021 }));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-ledger-print-'));
  const xlsx = path.join(dir, 'ledger.xlsx');
  fs.writeFileSync(xlsx, await fetchFile(exported));
  printed = print(xlsx, dir);
  pages = printed.pages;
  keepPage(printed.pdf, 1, 'ledger-print.png');
  const first = (text: string) => pages.findIndex((p) => p.includes(text)) + 1;
  if (first('链接地址') > 0) keepPage(printed.pdf, first('链接地址'), 'ledger-links-print.png', 110);
  if (first('任务要求（摘要）') > 0) keepPage(printed.pdf, first('任务要求（摘要）'), 'ledger-summary-print.png', 110);
  // LibreOffice opening the file and saving it again (as an office worker might) keeps the links.
  resaved = unzip(fs.readFileSync(convert(xlsx, dir, 'xlsx')));
}, 600_000);

afterAll(() => {
  t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('every report text, review note and link is printed in full', () => {
  const all = squash(pages.join(''));
  for (const text of [...TEXTS, `退回：${NOTE}`, '通过：材料齐全', ...LINKS, '执法公示栏目截图.jpg'])
    expect([text, all.includes(squash(text))]).toEqual([text, true]);
});

test('texts that start like a formula print exactly as typed: not evaluated, no apostrophe', () => {
  const lines = pages.join('\n').split('\n');
  for (const text of FORMULA_LIKE) expect(lines.some((l) => l.includes(text))).toBe(true);
  expect(apostropheLines(pages)).toEqual([]);
});

test('no printed text is smaller than 9 pt', () => {
  expect(printed.sizes.length).toBeGreaterThan(1000);
  expect(Math.min(...printed.sizes)).toBeGreaterThanOrEqual(9);
});

test('every page with ledger rows names its 大项, and the header and a page number', () => {
  const sections = TABLE_2021.sections.map((s) => squash(sectionCell(s)));
  const ledgerPages = pages.filter((p) => p.includes('最新报送内容'));
  expect(ledgerPages.length).toBeGreaterThan(20);
  ledgerPages.forEach((page, i) => {
    const text = squash(page);
    expect([i, sections.some((s) => text.includes(s))]).toEqual([i, true]);
    expect(text).toContain('大项小项序号任务要求责任单位');
    expect(text).toContain(`第${i + 1}页，共${pages.length}页`);
  });
});

test('each evidence link opens from the 证明链接 sheet: a link in the PDF and in the file LibreOffice saves', () => {
  const linkPages = pages.map((p, i) => [i + 1, p] as const).filter(([, p]) => p.includes('链接地址'));
  expect(linkPages.length).toBeGreaterThan(0);
  for (const url of LINKS) {
    // Printed in full beside the cell that opens it, on a page of the sheet.
    expect(linkPages.some(([, p]) => squash(p).includes(url))).toBe(true);
    const annotations = printed.links.filter((l) => l.url === url);
    expect(annotations.length).toBe(1);
    expect(linkPages.map(([n]) => n)).toContain(annotations[0]?.page);
  }
  expect(printed.links).toHaveLength(LINKS.length);
  const rels = [...resaved].filter(([name]) => /^xl\/worksheets\/_rels\//.test(name)).map(([, xml]) => xml.toString('utf8'));
  for (const url of LINKS) expect(rels.some((xml) => xml.includes(`Target="${url}" TargetMode="External"`))).toBe(true);
});

test('the summary sheets: every task and unit in full, their own header and a page number on every page', () => {
  const byTask = pages.filter((p) => p.includes('任务要求（摘要）'));
  const byUnit = pages.filter((p) => p.includes('单位（按单位名录顺序，不作排名）'));
  expect(byTask.length).toBeGreaterThan(0);
  expect(byUnit.length).toBeGreaterThan(0);
  const units = squash(byUnit.join(''));
  for (const u of DIRECTORY.units) expect([u.name, units.includes(squash(u.name))]).toEqual([u.name, true]);
  const tasks = byTask.map(squash).join('');
  for (const no of [1, 22, 44]) expect(tasks).toContain(squash(TABLE_2021.tasks[no - 1]!.requirement.slice(0, 20)));
  for (const page of [...byTask, ...byUnit]) {
    for (const header of ['序号', '应报', '已通过', '已逾期']) expect(squash(page)).toContain(header);
    expect(squash(page)).toMatch(/第\d+页，共\d+页/);
  }
});
