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
  NOTE_HEIGHT,
  SIDE_MARGIN,
  TITLE_HEIGHT,
  TOP_MARGIN,
  newWriter,
  writeHeader,
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
    lines.push(state ? `（${linkSummary(state, now)}，${HOST_KIND_TEXT[state.latest.hostKind]}）` : '（链接尚未检查）');
  }
  return lines.join('\n');
}

const DECISION = { approve: '通过', return: '退回' } as const;

function rowValues(row: LedgerRow<Latest>): Value[] {
  const report = row.report?.doc;
  const review = row.report?.review;
  return [
    null,
    null,
    null,
    null,
    null,
    row.unitActive ? row.unitName : `${row.unitName}（已停用）`,
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

const SUMMARY_COLUMNS: Column[] = [
  { header: '序号', width: 8, align: 'center' },
  { header: '任务要求（摘要）', width: 50 },
  ...COUNT_COLUMNS.map((c): Column => ({ header: c.header, width: 9, align: 'center' })),
];

/** The summary sheet: counts per task and per unit, and in total. */
function writeSummarySheet(sheet: Sheet, title: string, table: LedgerTable<Latest>): void {
  const columns = SUMMARY_COLUMNS;
  const counts = (c: StatusCounts): Value[] => COUNT_COLUMNS.map((k) => c[k.key]);
  writeTitle(sheet, 1, `${title} 汇总`, columns.length, 14);
  writeHeader(sheet, 2, columns);
  let r = 3;
  for (const block of table.blocks) {
    const c = table.taskCounts.get(block.task.no);
    writeRow(sheet, r++, columns, [block.task.no, firstChars(block.task.requirement, 60), ...(c ? counts(c) : [])]);
  }
  writeRow(sheet, r++, columns, ['合计', '', ...counts(table.totals)]);
  r++;
  writeHeader(sheet, r++, [{ header: '序号', width: 8 }, { header: '单位（按单位名录顺序，不作排名）', width: 50 }, ...columns.slice(2)]);
  table.unitCounts.forEach((u, i) => writeRow(sheet, r++, columns, [i + 1, u.unitName, ...counts(u.counts)]));
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
      writeNote(
        sheet,
        2,
        `导出时间：${formatOfficeTime(now)}；报送轮次：${roundNames}；应报 ${t.assigned} 项次，已通过 ${t.approved}，已报送待审 ${t.submitted}，` +
          `已退回 ${t.returned}，待报送 ${t.not_started}，已逾期 ${t.overdue}。佐证材料原件见“${fileTitle(scope.plan, '佐证材料', scope.label)}”压缩包，按“第NN项/单位/轮次”分文件夹存放。`,
        COLUMNS.length,
      );
      writeHeader(sheet, HEADER_ROW, COLUMNS);
      sheet.getRow(HEADER_ROW).commit();
      const rows = writeLedgerSheet(sheet, table, HEADER_ROW + 1, TITLE_HEIGHT + NOTE_HEIGHT);
      sheet.commit();
      const sum = addSheet(writer, '汇总', SUMMARY_COLUMNS, 2);
      writeSummarySheet(sum, title, table);
      sum.commit();
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
