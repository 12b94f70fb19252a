/**
 * ledger.export: the 工作台账 of a year or one round as .xlsx, in the
 * table's own layout (大项 and 小项 merged over their tasks, 序号, 任务要求,
 * 责任单位 merged over the task's rows), then one row per assignment per
 * round: the unit and its role, the status (by the overview's rules), the
 * latest report, its review and its evidence. A second sheet counts per
 * task and per unit (directory order: statistics, never a ranking).
 */
import path from 'path';
import { PROGRESS_LABEL, ROLE_LABEL, STATUS_LABEL, type EvidenceView, type StatusCounts } from '../../../../miniprogram/shared/api';
import type { LedgerExportResult } from '../../../../miniprogram/shared/ledger-api';
import { audit } from '../../../common/audit';
import { db, fetchAll, fetchIn } from '../../../common/cloud';
import { linkSummary, linkTitle, type LinkStateDoc } from '../../../common/domain/link-check';
import { HOST_KIND_TEXT } from '../../../common/domain/link-page';
import { formatOfficeTime } from '../../../common/domain/dates';
import { categoryCell, sectionCell } from '../../../common/domain/import-table';
import { latestKey, ledgerTable, type LedgerRow, type LedgerTable } from '../../../common/domain/ledger';
import type { AssignmentDoc, TaskDoc } from '../../../common/domain/plan-docs';
import type { ReportDoc, ReviewDoc, UnitDoc } from '../../../common/records';
import { latestInRound, latestReviews } from '../../../common/reports';
import { C } from '../../../common/schema';
import { firstChars } from '../../../common/domain/text';
import { publish, withTempDir } from '../files';
import { quotePrefixPackage } from '../quote-prefix';
import type { LedgerActionDef } from '../router';
import { fileTitle, resolveScope, scopeInput, storagePath, type Scope } from '../scope';
import { cellText } from '../../../common/domain/cell-text';
import { landscapeBodyHeight, landscapeScale, paginate, textHeight } from '../../../common/domain/print-layout';
import {
  addSheet,
  BODY_PT,
  HEADER_HEIGHT,
  mergeDown,
  SIDE_MARGIN,
  TITLE_HEIGHT,
  TOP_MARGIN,
  newWriter,
  rowHeight,
  OPEN_LINK_TEXT,
  writeHeader,
  writeLink,
  writeNote,
  writeRow,
  writeTitle,
  type Column,
  type Sheet,
  type Value,
} from '../xlsx';

/**
 * 18 columns printed on A3 landscape: on A4 they print at about 5 pt, and
 * dropping columns would drop what the assessors check (who reported and
 * reviewed, when). Widths sum so that fit-to-width keeps the 10 pt body at
 * ≥ 9 pt (test/ledger/print-layout.test.ts); time columns hold
 * `YYYY-MM-DD HH:mm` on one line.
 */
const COLUMNS: Column[] = [
  { header: '大项', width: 6 },
  { header: '小项', width: 7 },
  { header: '序号', width: 3.5, align: 'center' },
  { header: '任务要求', width: 15 },
  { header: '责任单位', width: 8 },
  { header: '单位', width: 11 },
  { header: '职责', width: 4.5, align: 'center' },
  { header: '报送轮次', width: 8 },
  { header: '截止日期', width: 11, align: 'center' },
  { header: '状态', width: 5.5, align: 'center' },
  { header: '进展', width: 5, align: 'center' },
  { header: '最新报送内容', width: 20 },
  { header: '报送人', width: 6 },
  { header: '报送时间', width: 17 },
  { header: '审核人', width: 6 },
  { header: '审核时间', width: 17 },
  { header: '审核意见', width: 10 },
  { header: '佐证材料', width: 14 },
];
export const LEDGER_COLUMNS: readonly Column[] = COLUMNS;
export const LEDGER_PAPER = 8;
const COL = { section: 1, category: 2, no: 3, requirement: 4, unitsText: 5, unit: 6, role: 7 } as const;
const HEADER_ROW = 3;

const COUNT_COLUMNS: { key: keyof StatusCounts; header: string }[] = [
  { key: 'assigned', header: '应报' },
  { key: 'approved', header: STATUS_LABEL.approved },
  { key: 'submitted', header: `${STATUS_LABEL.submitted}待审` },
  { key: 'returned', header: STATUS_LABEL.returned },
  { key: 'not_started', header: STATUS_LABEL.not_started },
  { key: 'overdue', header: STATUS_LABEL.overdue },
];

/** A row's latest report with its newest review. */
interface Latest {
  state: ReportDoc['state'];
  doc: ReportDoc;
  review?: ReviewDoc;
  /** The link check's states of the report's links, by position. */
  links?: Map<number, LinkStateDoc>;
}

async function loadTable(scope: Scope, now: Date): Promise<LedgerTable<Latest>> {
  const { plan, rounds } = scope;
  const [tasks, assignments, units, perRound] = await Promise.all([
    fetchAll<TaskDoc>(db.collection(C.tasks).where({ planId: plan._id }), 'no'),
    fetchAll<Pick<AssignmentDoc, '_id' | 'taskNo' | 'unitId' | 'unitName' | 'role'>>(
      db.collection(C.assignments).where({ planId: plan._id }).field({ _id: true, taskNo: true, unitId: true, unitName: true, role: true }),
    ),
    fetchAll<UnitDoc>(db.collection(C.units), 'order'),
    // The highest version per assignment, grouped in the database: superseded versions are never read.
    Promise.all(rounds.map((r) => latestInRound(r._id))),
  ]);
  const reportIds = perRound.flatMap((m) => [...m.values()].map((l) => l.reportId));
  const [reports, reviews, linkStates] = await Promise.all([
    fetchIn<ReportDoc>(C.reports, '_id', reportIds),
    latestReviews(reportIds),
    fetchIn<LinkStateDoc>(C.linkStates, 'reportId', reportIds),
  ]);
  const linksOf = new Map<string, Map<number, LinkStateDoc>>();
  for (const st of linkStates) {
    const m = linksOf.get(st.reportId) ?? new Map<number, LinkStateDoc>();
    m.set(st.index, st);
    linksOf.set(st.reportId, m);
  }
  const latest = new Map<string, Latest>();
  for (const doc of reports) {
    const item: Latest = { state: doc.state, doc };
    const review = reviews.get(doc._id);
    if (review) item.review = review;
    const links = linksOf.get(doc._id);
    if (links) item.links = links;
    latest.set(latestKey(doc.roundId, doc.assignmentId), item);
  }
  return ledgerTable({
    sections: plan.sections,
    categories: plan.categories,
    tasks,
    assignments,
    units: new Map(units.map((u) => [u._id, { name: u.name, active: u.active, order: u.order }])),
    rounds,
    latest,
    now,
  });
}

/** The evidence cell: file names, then each link with what the link check found (「6月30日可以打开，政府网站」). */
export function evidenceText(e: EvidenceView | undefined, links?: ReadonlyMap<number, LinkStateDoc>, now: Date = new Date()): string {
  if (!e) return '';
  const lines: string[] = [];
  if (e.images?.length) lines.push(`图片：${e.images.map((f) => f.name).join('、')}`);
  if (e.files?.length) lines.push(`文件：${e.files.map((f) => f.name).join('、')}`);
  for (const [n, l] of (e.links ?? []).entries()) {
    const state = links?.get(n);
    const title = l.title || (state ? linkTitle(state) : '');
    lines.push(`链接：${title ? `${title} ` : ''}${l.url}`);
    lines.push(`（${linkCheckText(state, now)}）`);
  }
  return lines.join('\n');
}

/** What the link check found for one link: 「6月30日可以打开，政府网站」, or that it was not checked yet. */
function linkCheckText(state: LinkStateDoc | undefined, now: Date): string {
  return state ? `${linkSummary(state, now)}，${HOST_KIND_TEXT[state.latest.hostKind]}` : '链接尚未检查';
}

const DECISION = { approve: '通过', return: '退回' } as const;

/** The unit as the ledger names it: a retired one marked so. */
const unitLabel = (row: LedgerRow<Latest>): string => (row.unitActive ? row.unitName : `${row.unitName}（已停用）`);

function rowValues(row: LedgerRow<Latest>): Value[] {
  const report = row.report?.doc;
  const review = row.report?.review;
  return [
    null,
    null,
    null,
    null,
    null,
    unitLabel(row),
    ROLE_LABEL[row.role],
    row.roundName,
    row.due,
    STATUS_LABEL[row.status],
    report ? PROGRESS_LABEL[report.progress] : '',
    report?.text,
    report?.submittedByName,
    report ? formatOfficeTime(report.submittedAt) : '',
    review?.byName,
    review ? formatOfficeTime(review.at) : '',
    review ? `${DECISION[review.decision]}${review.note ? `：${review.note}` : ''}` : '',
    evidenceText(report?.evidence, row.report?.links),
  ];
}

/** Points `values` need in `columns` (each cell's own text). */
function heightOf(values: readonly Value[], cols: readonly number[]): number {
  return textHeight(
    cols.map((c) => ({
      text: values[c - 1] === null || values[c - 1] === undefined ? '' : cellText(String(values[c - 1])),
      width: COLUMNS[c - 1]!.width,
    })),
    BODY_PT,
  );
}
const ROW_COLS = COLUMNS.map((_, i) => i + 1).filter((c) => c > COL.unitsText);
const TASK_COLS = [COL.section, COL.category, COL.no, COL.requirement, COL.unitsText];

/**
 * The ledger sheet, one task block at a time. 大项, 小项, 序号, 任务要求 and
 * 责任单位 are written on each task and merged over its rows on one page
 * only: a merged cell spanning a page break prints its text on one page, so
 * most printed pages would not name their 大项. `paginate` splits a long
 * task at page ends (manual page breaks) and each part carries the labels.
 * Every row gets an explicit height from its wrapped text, since
 * LibreOffice and WPS do not fit rows to their text.
 */
function writeLedgerSheet(sheet: Sheet, table: LedgerTable<Latest>, firstRow: number, usedOnFirstPage: number): number {
  const blocks = table.blocks.map((block) => {
    const head: Value[] = [
      block.section ? sectionCell(block.section) : '',
      block.category ? categoryCell(block.category) : '',
      block.task.no,
      block.task.requirement,
      block.task.unitsText,
    ];
    const bodies: Value[][] = block.rows.length
      ? block.rows.map(rowValues)
      : [[null, null, null, null, null, '本次导出范围内没有报送轮次涉及此项']];
    return { block, head, bodies, own: bodies.map((v) => heightOf(v, ROW_COLS)), need: heightOf(head, TASK_COLS) };
  });
  const scale = landscapeScale(
    COLUMNS.map((c) => c.width),
    LEDGER_PAPER,
    SIDE_MARGIN,
  );
  const pages = paginate(blocks, landscapeBodyHeight(LEDGER_PAPER, TOP_MARGIN, scale, HEADER_HEIGHT), usedOnFirstPage);
  let r = firstRow;
  let rows = 0;
  blocks.forEach(({ block, head, bodies }, b) => {
    for (const seg of pages[b]!) {
      const start = r;
      let unitStart = r;
      for (let i = seg.from; i < seg.to; i++) {
        writeRow(
          sheet,
          r,
          COLUMNS,
          i === seg.from ? [...head, ...bodies[i]!.slice(head.length)] : bodies[i]!,
          seg.heights[i - seg.from],
          true,
        );
        r++;
        const row = block.rows[i];
        if (row) rows++;
        if (row && (i + 1 === seg.to || block.rows[i + 1]?.assignmentId !== row.assignmentId)) {
          mergeDown(sheet, COL.unit, unitStart, r - 1);
          mergeDown(sheet, COL.role, unitStart, r - 1);
          unitStart = r;
        }
      }
      for (const col of TASK_COLS) mergeDown(sheet, col, start, r - 1);
      if (seg.pageBreakAfter) sheet.getRow(r - 1).addPageBreak();
    }
    sheet.getRow(r - 1).commit();
  });
  return rows;
}

/**
 * The 证明链接 sheet: every evidence link of the ledger on its own row, in the ledger's order,
 * with a cell that opens it. A cell of the ledger cannot carry the links itself: a cell holds
 * one hyperlink, and LibreOffice prints a hyperlinked cell on one line without its line breaks
 * (the ledger's 佐证材料 cell would be cut). The URL is printed in full beside the link cell.
 */
const LINK_COLUMNS: Column[] = [
  { header: '序号', width: 4.5, align: 'center' },
  { header: '单位', width: 12 },
  { header: '报送轮次', width: 8 },
  { header: '链接标题', width: 18 },
  { header: '链接地址', width: 38 },
  { header: '点击打开', width: 9, align: 'center' },
  { header: '检查结果', width: 22 },
];
const LINK_OPEN_COL = 6;
export const LINKS_SHEET = '证明链接';

/** The ledger's evidence links in table order, as the 证明链接 sheet lists them. */
function linkRows(table: LedgerTable<Latest>, now: Date): { values: Value[]; url: string }[] {
  const out: { values: Value[]; url: string }[] = [];
  for (const block of table.blocks)
    for (const row of block.rows)
      for (const [n, l] of (row.report?.doc.evidence.links ?? []).entries()) {
        const state = row.report?.links?.get(n);
        out.push({
          url: l.url,
          values: [
            block.task.no,
            unitLabel(row),
            row.roundName,
            l.title || (state ? linkTitle(state) : ''),
            l.url,
            null,
            linkCheckText(state, now),
          ],
        });
      }
  return out;
}

/** Title, note and header of a printed list sheet; returns the first body row. */
function listHead(sheet: Sheet, columns: readonly Column[], title: string, note: string): number {
  writeTitle(sheet, 1, title, columns.length, 14);
  writeNote(sheet, 2, note, columns);
  writeHeader(sheet, 3, columns);
  return 4;
}

function writeLinksSheet(sheet: Sheet, title: string, rows: readonly { values: Value[]; url: string }[]): void {
  let r = listHead(
    sheet,
    LINK_COLUMNS,
    `${title} 证明链接`,
    `每个证明链接一行，顺序与“工作台账”相同；点击“${OPEN_LINK_TEXT}”在浏览器中打开。检查结果为系统最近一次访问该链接的情况。`,
  );
  if (rows.length === 0) writeRow(sheet, r++, LINK_COLUMNS, [null, '本次导出范围内没有证明链接'], undefined, true);
  for (const { values, url } of rows) {
    writeRow(sheet, r, LINK_COLUMNS, values, rowHeight(LINK_COLUMNS, values), true);
    writeLink(sheet, r, LINK_OPEN_COL, url);
    r++;
  }
  sheet.getRow(r - 1).commit();
}

const countHeaders = (first: Column[]): Column[] => [
  ...first,
  ...COUNT_COLUMNS.map((c): Column => ({ header: c.header, width: 8, align: 'center' })),
];
/** Two summary sheets, so that the header repeated on each printed page names what its rows are. */
const TASK_SUMMARY_COLUMNS = countHeaders([
  { header: '序号', width: 6, align: 'center' },
  { header: '任务要求（摘要）', width: 50 },
]);
const UNIT_SUMMARY_COLUMNS = countHeaders([
  { header: '序号', width: 6, align: 'center' },
  { header: '单位（按单位名录顺序，不作排名）', width: 34 },
]);
/** Printed on A4 landscape: both fit its width at the body size. */
export const SUMMARY_SHEETS = [
  { name: '任务汇总', columns: TASK_SUMMARY_COLUMNS },
  { name: '单位汇总', columns: UNIT_SUMMARY_COLUMNS },
] as const;

/** A summary sheet: one row per task or unit with its counts, and the total. */
function writeSummarySheet(sheet: Sheet, columns: readonly Column[], title: string, note: string, rows: readonly Value[][]): void {
  let r = listHead(sheet, columns, title, note);
  for (const values of rows) writeRow(sheet, r++, columns, values, rowHeight(columns, values), true);
  sheet.getRow(r - 1).commit();
}

export const ledgerExport: LedgerActionDef<'ledger.export'> = {
  access: 'admin',
  input: scopeInput,
  async run(input, caller) {
    const scope = await resolveScope(input);
    const now = new Date();
    const table = await loadTable(scope, now);
    const title = fileTitle(scope.plan, '工作台账', scope.label);
    const name = `${title}.xlsx`;
    const result = await withTempDir(async (dir): Promise<LedgerExportResult> => {
      const file = path.join(dir, 'ledger.xlsx');
      const writer = newWriter(file, scope.plan.issuer || undefined);
      const sheet = addSheet(writer, '工作台账', COLUMNS, HEADER_ROW, LEDGER_PAPER);
      writeTitle(sheet, 1, title, COLUMNS.length);
      const t = table.totals;
      const roundNames = scope.rounds.map((x) => x.name).join('、') || '无';
      const noteHeight = writeNote(
        sheet,
        2,
        `导出时间：${formatOfficeTime(now)}；报送轮次：${roundNames}；应报 ${t.assigned} 项次，已通过 ${t.approved}，已报送待审 ${t.submitted}，` +
          `已退回 ${t.returned}，待报送 ${t.not_started}，已逾期 ${t.overdue}。证明链接可在“${LINKS_SHEET}”工作表中逐条点击打开；佐证材料原件见“${fileTitle(scope.plan, '佐证材料', scope.label)}”压缩包，按“第NN项/单位/轮次”分文件夹存放。`,
        COLUMNS,
      );
      writeHeader(sheet, HEADER_ROW, COLUMNS);
      sheet.getRow(HEADER_ROW).commit();
      const rows = writeLedgerSheet(sheet, table, HEADER_ROW + 1, TITLE_HEIGHT + noteHeight);
      sheet.commit();
      const links = addSheet(writer, LINKS_SHEET, LINK_COLUMNS, 3);
      writeLinksSheet(links, title, linkRows(table, now));
      links.commit();
      const counts = (c: StatusCounts): Value[] => COUNT_COLUMNS.map((k) => c[k.key]);
      const total: Value[] = ['合计', '', ...counts(table.totals)];
      const basis = scope.rounds.length ? `按${roundNames}统计，状态与“工作台账”相同。` : '本次导出范围内没有报送轮次。';
      const [byTask, byUnit] = SUMMARY_SHEETS.map((s) => addSheet(writer, s.name, s.columns, 3)) as [Sheet, Sheet];
      writeSummarySheet(byTask, TASK_SUMMARY_COLUMNS, `${title} 任务汇总`, basis, [
        ...table.blocks.map((b) => {
          const c = table.taskCounts.get(b.task.no);
          return [b.task.no, firstChars(b.task.requirement, 60), ...(c ? counts(c) : [])];
        }),
        total,
      ]);
      byTask.commit();
      writeSummarySheet(byUnit, UNIT_SUMMARY_COLUMNS, `${title} 单位汇总`, basis, [
        ...table.unitCounts.map((u, i): Value[] => [i + 1, u.unitName, ...counts(u.counts)]),
        total,
      ]);
      byUnit.commit();
      await writer.commit();
      await quotePrefixPackage(file);
      const view = await publish(file, storagePath(scope.plan.year, name), name);
      return { ...view, rows, tasks: table.blocks.length, rounds: scope.rounds.length };
    });
    await audit(caller.openid, 'ledger.export', `plan:${scope.plan._id}`, {
      year: scope.plan.year,
      roundId: input.roundId ?? null,
      rows: result.rows,
    });
    return result;
  },
};
