/**
 * ledger.template: the import template, in the columns of the 2021 table
 * (大项 / 小项 / 序号 / 任务要求 / 责任单位) under a title row that names the
 * year. With a year it holds that year's table (a start for next year's, and
 * what the import reads back unchanged); without, one example row the check
 * asks to delete. A second sheet explains the rules and lists the unit
 * directory, since 责任单位 must use its names.
 */
import path from 'path';
import { IMPORT_COLUMNS, type LedgerFileView } from '../../../../miniprogram/shared/ledger-api';
import { db, fetchAll } from '../../../common/cloud';
import { categoryCell, EXAMPLE_MARK, sectionCell } from '../../../common/domain/import-table';
import type { TaskDoc } from '../../../common/domain/plan-docs';
import { currentPlan } from '../../../common/plans';
import type { UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { DIRECTORY, type TableCategory, type TableSection } from '../../../common/table';
import { object, optional, planYearInput } from '../../../common/validate';
import { publish, safeName, withTempDir } from '../files';
import type { LedgerActionDef } from '../router';
import { requirePlan } from '../scope';
import { landscapeBodyHeight, landscapeScale, paginate } from '../../../common/domain/print-layout';
import { quotePrefixPackage } from '../quote-prefix';
import {
  addSheet,
  HEADER_HEIGHT,
  mergeDown,
  newWriter,
  rowHeight,
  SIDE_MARGIN,
  TITLE_HEIGHT,
  TOP_MARGIN,
  writeHeader,
  writeNote,
  writeRow,
  writeTitle,
  type Column,
  type Value,
} from '../xlsx';

/**
 * Printed on A4 landscape, the paper of the office's own 任务分解表: the five columns fit its
 * width with the body at ≥ 9 pt (test/ledger/print-template.test.ts).
 */
export const TEMPLATE_COLUMNS: Column[] = [
  { header: IMPORT_COLUMNS[0] as string, width: 14 },
  { header: IMPORT_COLUMNS[1] as string, width: 16 },
  { header: IMPORT_COLUMNS[2] as string, width: 5, align: 'center' },
  { header: IMPORT_COLUMNS[3] as string, width: 56 },
  { header: IMPORT_COLUMNS[4] as string, width: 30 },
];
export const TEMPLATE_PAPER = 9;
const NOTES_COLUMNS: Column[] = [{ header: '', width: 110 }];

interface TemplateContent {
  title: string;
  sections: readonly TableSection[];
  categories: readonly TableCategory[];
  tasks: readonly Pick<TaskDoc, 'no' | 'category' | 'requirement' | 'unitsText'>[];
}

/** The blank template's one task: the check refuses it until it is deleted. */
const EXAMPLE: TemplateContent = {
  title: '',
  sections: [{ no: 1, label: '一', title: '深化重点领域政府信息公开' }],
  categories: [{ no: 1, label: '(一)', title: '立足实施重大战略推进政务公开', section: 1 }],
  tasks: [
    {
      no: 1,
      category: 1,
      requirement: `${EXAMPLE_MARK}做好各类规划主动公开（这一行是填写示例，导入前请删除；从表头下一行起，每行填写一项任务）`,
      unitsText: '市发展改革局、市自然资源和规划局牵头,市政府各部门、各镇街配合',
    },
  ],
};

const KIND_LABEL = { department: '市政府部门', town: '镇街', other: '其他单位' } as const;

function instructions(units: readonly UnitDoc[]): string[] {
  const groups = DIRECTORY.groups.map((g) => `${g.name}（全部${KIND_LABEL[g.kind]}）`).join('、');
  return [
    '1. 第一行为标题，请写明年度，如“邹城市2022年政务公开工作任务分解表”，导入的年度以标题为准（在往年的表上修改时，请先改标题中的年度）；第二行为表头（大项、小项、序号、任务要求、责任单位），请不要修改。',
    '2. 从表头下一行起，每行填写一项任务。“大项”写成“一、标题”，“小项”写成“(一)标题”；可以合并单元格，也可以只在该大项、小项第一项任务所在行填写。',
    '3. “序号”从 1 起连续编排，不能重复。',
    '4. “责任单位”写法：“甲局、乙局牵头,丙局、丁局配合”，或“甲局、乙局”（共同负责）。',
    `5. 可用单位分组表示全部同类单位：${groups}。其他单位名称须与下面的单位名录一致；名录中没有的单位，请先在小程序“单位管理”中添加。`,
    '6. 任务要求中写明“XXXX年年底前”或“XXXX年X月底前”的，会作为该项任务的完成时限。',
    '7. 上传后先“检查”：系统列出每一处问题所在的行和列；问题改完后才能导入。导入会新建一个年度，不会改动以前年度的数据。',
    '',
    '单位名录（名称 —— 类别；括号内为也能识别的曾用名或别称）：',
    ...units
      .filter((u) => u.active)
      .map((u) => `${u.name} —— ${KIND_LABEL[u.kind]}${u.aliases?.length ? `（${u.aliases.join('、')}）` : ''}`),
  ];
}

/**
 * The table sheet. 大项 and 小项 are merged down each 小项's tasks as in the office's table, but
 * per printed page: a merged cell spanning a page break prints its text on one page only, so a
 * run is split at page ends (`paginate`) and each part carries its labels (the import reads a
 * repeated label as the same 大项 / 小项). Rows get explicit heights from their wrapped text,
 * since LibreOffice and WPS do not fit rows to their text; texts that start like a formula keep
 * the quote-prefix style instead of an apostrophe.
 */
async function writeTemplate(file: string, content: TemplateContent, units: readonly UnitDoc[]): Promise<void> {
  const writer = newWriter(file);
  const sheet = addSheet(writer, '任务分解表', TEMPLATE_COLUMNS, 2, TEMPLATE_PAPER);
  writeTitle(sheet, 1, content.title, TEMPLATE_COLUMNS.length);
  writeHeader(sheet, 2, TEMPLATE_COLUMNS);
  const sectionOf = new Map(content.sections.map((s) => [s.no, s]));
  const categoryOf = new Map(content.categories.map((c) => [c.no, c]));
  const blocks: { category: number; labels: Value[]; rows: Value[][] }[] = [];
  for (const task of [...content.tasks].sort((a, b) => a.no - b.no)) {
    const row: Value[] = [null, null, task.no, task.requirement, task.unitsText];
    const last = blocks[blocks.length - 1];
    if (last && last.category === task.category) {
      last.rows.push(row);
      continue;
    }
    const category = categoryOf.get(task.category);
    const section = category ? sectionOf.get(category.section) : undefined;
    blocks.push({
      category: task.category,
      labels: [section ? sectionCell(section) : '', category ? categoryCell(category) : ''],
      rows: [row],
    });
  }
  const widths = TEMPLATE_COLUMNS.map((c) => c.width);
  const pages = paginate(
    blocks.map((b) => ({ own: b.rows.map((v) => rowHeight(TEMPLATE_COLUMNS, v)), need: rowHeight(TEMPLATE_COLUMNS, b.labels) })),
    landscapeBodyHeight(TEMPLATE_PAPER, TOP_MARGIN, landscapeScale(widths, TEMPLATE_PAPER, SIDE_MARGIN), HEADER_HEIGHT),
    TITLE_HEIGHT,
  );
  let r = 3;
  blocks.forEach((b, i) => {
    for (const seg of pages[i]!) {
      const start = r;
      for (let k = seg.from; k < seg.to; k++) {
        const values = k === seg.from ? [...b.labels, ...b.rows[k]!.slice(2)] : b.rows[k]!;
        writeRow(sheet, r++, TEMPLATE_COLUMNS, values, seg.heights[k - seg.from], true);
      }
      mergeDown(sheet, 1, start, r - 1);
      mergeDown(sheet, 2, start, r - 1);
      if (seg.pageBreakAfter) sheet.getRow(r - 1).addPageBreak();
    }
  });
  sheet.getRow(r - 1).commit();
  sheet.commit();

  const notes = addSheet(writer, '填写说明', NOTES_COLUMNS, 1, TEMPLATE_PAPER);
  writeTitle(notes, 1, '任务分解表填写说明', 1, 14);
  instructions(units).forEach((line, i) => writeNote(notes, i + 2, line, NOTES_COLUMNS));
  notes.commit();
  await writer.commit();
  await quotePrefixPackage(file);
}

export const ledgerTemplate: LedgerActionDef<'ledger.template'> = {
  access: 'admin',
  input: object({ year: optional(planYearInput) }),
  async run({ year }): Promise<LedgerFileView> {
    const units = await fetchAll<UnitDoc>(db.collection(C.units), 'order');
    let content: TemplateContent;
    let name: string;
    if (year !== undefined) {
      const plan = await requirePlan(year);
      const tasks = await fetchAll<TaskDoc>(db.collection(C.tasks).where({ planId: plan._id }), 'no');
      content = { title: plan.title, sections: plan.sections, categories: plan.categories, tasks };
      name = `${safeName(`${plan.title}（导入模板）`, 120)}.xlsx`;
    } else {
      // A title for next year, so the year is read from the file unless the office changes it.
      const current = await currentPlan();
      const next = (current?.year ?? new Date().getFullYear()) + 1;
      content = { ...EXAMPLE, title: `${current?.region ?? ''}${next}年政务公开工作任务分解表` };
      name = '政务公开工作任务分解表（导入模板）.xlsx';
    }
    return withTempDir(async (dir) => {
      const file = path.join(dir, 'template.xlsx');
      await writeTemplate(file, content, units);
      return publish(file, `ledger/templates/${name}`, name);
    });
  },
};
