/**
 * The printed 工作台账, as an office worker prints it: a realistic year
 * (two rounds, a long report, a returned one, links and photos) exported,
 * converted to PDF by LibreOffice (headless) and read back with poppler and
 * Ghostscript. One conversion for the whole file: it takes seconds.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { sectionCell } from '../../cloudfunctions/common/domain/import-table';
import { TABLE_2021 } from '../../cloudfunctions/common/table';
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
import { fetchFile } from '../helpers/ledger';
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
let pages: string[];
/** Font sizes (points, as printed) of every text run, from Ghostscript's text device. */
let sizes: number[];

const squash = (s: string) => s.replace(/\s+/g, '');

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
  // A private profile per run: parallel conversions would otherwise share (and lock) one.
  execFileSync(
    'libreoffice',
    [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, xlsx],
    { stdio: 'ignore', timeout: 300_000 },
  );
  const pdf = path.join(dir, 'ledger.pdf');
  const count = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
  pages = Array.from({ length: count }, (_, i) =>
    execFileSync('pdftotext', ['-raw', '-f', String(i + 1), '-l', String(i + 1), pdf, '-'], { encoding: 'utf8' }),
  );
  const runs = execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', '-dTextFormat=0', '-sOutputFile=-', pdf], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  sizes = [...runs.matchAll(/size="([\d.]+)"/g)].map((m) => Number(m[1]));
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
  expect(lines.filter((l) => /(^|\s)'[=+\-@]/.test(l))).toEqual([]);
});

test('no printed text is smaller than 9 pt', () => {
  expect(sizes.length).toBeGreaterThan(1000);
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(9);
});

test('every page with ledger rows names its 大项, and the header and a page number', () => {
  const sections = TABLE_2021.sections.map((s) => squash(sectionCell(s)));
  const ledgerPages = pages.filter((p) => /待报送|已逾期|已通过|已退回|已报送/.test(p) && !p.includes('任务要求（摘要）'));
  expect(ledgerPages.length).toBeGreaterThan(20);
  ledgerPages.forEach((page, i) => {
    const text = squash(page);
    expect([i, sections.some((s) => text.includes(s))]).toEqual([i, true]);
    expect(text).toContain('大项小项序号任务要求责任单位');
    expect(text).toContain(`第${i + 1}页，共${pages.length}页`);
  });
});
