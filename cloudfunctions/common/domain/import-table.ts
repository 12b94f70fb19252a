/**
 * Reading a 任务分解表 the office fills in (the import template: a title
 * row naming the year, a header row 大项 / 小项 / 序号 / 任务要求 / 责任单位,
 * one row per task) into a task table, with every problem named by its
 * row and column as Excel shows them. Pure: the sheet arrives as cell texts
 * (merged cells already carry their value into every cell they cover), and
 * unit names are checked against a directory the caller passes in.
 *
 * 大项 and 小项 are merged down their tasks in the template; a table that
 * leaves them blank below the first task instead means the same, so blank
 * cells take the value above. A row with nothing in 序号 / 任务要求 /
 * 责任单位 is not a task (blank, or a heading row naming a 大项 or 小项).
 */
import {
  IMPORT_COLUMNS,
  YEAR_MISSING_TEXT,
  yearMismatchText,
  type ImportColumn,
  type ImportProblem,
} from '../../../miniprogram/shared/ledger-api';
import type { TableCategory, TableSection, TableTask } from '../table';
import type { DirectoryUnit, UnitGroup } from './assignments';
import { fromCellText } from './cell-text';
import { isValidDay } from './dates';
import { parseResponsibility, ResponsibilityParseError } from './responsibility';
import { suggestUnits } from './unit-match';

/** Marks the example row of the blank template; the check asks for it to be deleted. */
export const EXAMPLE_MARK = '【示例】';
/** Rows searched for the header. */
const HEADER_SEARCH_ROWS = 10;
export const IMPORT_LIMITS = { tasks: 500, requirement: 2000, unitsText: 500, title: 100, heading: 100 } as const;

/** A task read from the sheet, with the row it came from. */
export interface ImportedTask extends TableTask {
  row: number;
}
export interface ImportedTable {
  title: string;
  yearInFile: number | null;
  sections: TableSection[];
  categories: TableCategory[];
  tasks: ImportedTask[];
  problems: ImportProblem[];
  /** Where each column is (A = 0), for problems found later. */
  columns: Record<ImportColumn, number>;
}

/** `A`, `B`, … `Z`, `AA`, … for a 0-based column index. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** 1 → 一, 12 → 十二, 20 → 二十 (labels for headings that carry none). */
export function chineseNumber(n: number): string {
  if (n < 10) return CN_DIGITS[n] as string;
  if (n < 20) return `十${n % 10 ? CN_DIGITS[n % 10] : ''}`;
  if (n < 100) return `${CN_DIGITS[Math.floor(n / 10)]}十${n % 10 ? CN_DIGITS[n % 10] : ''}`;
  return String(n);
}

const SECTION_HEAD = /^([一二三四五六七八九十百零〇]+)\s*[、.．]\s*([\s\S]*)$/;
const CATEGORY_HEAD = /^([(（]\s*[一二三四五六七八九十百零〇]+\s*[)）])\s*[、.．]?\s*([\s\S]*)$/;

/** A year as a title names it: `2022年`. */
const TITLE_YEAR = /((?:19|20)\d{2})\s*年/;
/** Lines above a table's title: `附件1`, a document number such as `邹政办字〔2021〕12号`. */
const NOT_A_TITLE = /^附件|^附表|[〔［[]\s*\d{4}\s*[〕］\]]|\d+\s*号$/;

/**
 * Problems for the rows a sheet hides (`hidden`, 1-based) that hold
 * anything: a hidden row is easy to miss on screen, and would be imported
 * all the same, so it is shown to the office first.
 */
export function hiddenRowProblems(rows: readonly (readonly string[])[], hidden: readonly number[]): ImportProblem[] {
  return hidden
    .filter((r) => rows[r - 1]?.some((c) => c.trim() !== ''))
    .map((row) => ({
      row,
      column: '',
      header: '',
      message: '这一行被隐藏了，隐藏的行同样会导入：请取消隐藏核对，不需要的请删除这一行后再导入',
    }));
}

/** A character someone used between two unit names that the table's grammar does not read as a separator. */
export function unreadableSeparator(name: string): string | undefined {
  return /[/／|｜\\;；:：·•+＋&＆]/.exec(name)?.[0];
}

/** Plan years the system keeps (as planYearInput checks a year given). */
const PLAN_YEARS = { min: 2000, max: 2100 } as const;

/**
 * Why a year given for an import cannot be: the table's title names another one
 * (last year's table is not next year's by a slip of the finger). Undefined when
 * no year is given, the title names none, or both agree.
 */
export function otherYearThanTitle(titleYear: number | null, given: number | undefined): string | undefined {
  return given !== undefined && titleYear !== null && given !== titleYear ? yearMismatchText(titleYear, given) : undefined;
}

/** The year an import creates: the one given, else the title's; or why there is none. */
export function importYearOf(titleYear: number | null, given: number | undefined): { year: number } | { refusal: string } {
  const refusal = otherYearThanTitle(titleYear, given);
  if (refusal) return { refusal };
  const year = given ?? titleYear;
  if (year === null) return { refusal: YEAR_MISSING_TEXT };
  // A title may name 1998年; a year given was range-checked already.
  if (year < PLAN_YEARS.min || year > PLAN_YEARS.max) {
    return { refusal: `表格标题中的年度是${year}年，年度应在 ${PLAN_YEARS.min} 到 ${PLAN_YEARS.max} 之间：请核对标题` };
  }
  return { year };
}

/** The 大项 cell as the template writes it: `一、深化重点领域政府信息公开`. */
export const sectionCell = (s: Pick<TableSection, 'label' | 'title'>) => `${s.label}、${s.title}`;
/** The 小项 cell as the template writes it: `(一)立足实施重大战略推进政务公开`. */
export const categoryCell = (c: Pick<TableCategory, 'label' | 'title'>) => `${c.label}${c.title}`;

/**
 * A deadline the task text itself sets (`2021年年底前`, `2022年6月底前`): the
 * table has no column for it, and the 2021 table writes it into the text.
 */
export function deadlineIn(text: string): { deadline: string; deadlineText: string } | undefined {
  const yearEnd = /(\d{4})年(?:年底|年末|底)前/.exec(text);
  if (yearEnd) return { deadline: `${yearEnd[1]}-12-31`, deadlineText: yearEnd[0] };
  const monthEnd = /(\d{4})年(\d{1,2})月(?:底|末)前/.exec(text);
  if (monthEnd) {
    const y = Number(monthEnd[1]);
    const m = Number(monthEnd[2]);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const day = `${y}-${String(m).padStart(2, '0')}-${String(last).padStart(2, '0')}`;
    if (isValidDay(day)) return { deadline: day, deadlineText: monthEnd[0] };
  }
  return undefined;
}

/** A day written as `2022-06-30`, `2022/6/30`, `2022.6.30` or `2022年6月30日` (what a date cell reads as, too). */
const DAY = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/;
export function dayIn(text: string): string | undefined {
  const m = DAY.exec(text.trim());
  if (!m) return undefined;
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isValidDay(day) ? day : undefined;
}

/** Cell text as the parser reads it: trimmed, Windows line ends made plain, the ledger's apostrophe removed. */
function clean(cell: string | undefined): string {
  return fromCellText((cell ?? '').replace(/\r\n?/g, '\n').trim());
}
const compact = (s: string) => s.replace(/\s+/g, '');

/** A deadline column some tables add (not in the template): read, never dropped. */
const DEADLINE_HEADER = /^(?:完成时限|完成时间|时限|截止时间|截止日期|完成期限)$/;

function findHeader(
  rows: readonly (readonly string[])[],
): { row: number; columns: Record<ImportColumn, number>; deadline?: number } | ImportProblem {
  let best: { row: number; found: Map<ImportColumn, number> } | undefined;
  for (let r = 0; r < Math.min(rows.length, HEADER_SEARCH_ROWS); r++) {
    const found = new Map<ImportColumn, number>();
    let deadline: number | undefined;
    (rows[r] ?? []).forEach((cell, c) => {
      const text = compact(clean(cell)) as ImportColumn;
      if (IMPORT_COLUMNS.includes(text) && !found.has(text)) found.set(text, c);
      else if (deadline === undefined && DEADLINE_HEADER.test(text)) deadline = c;
    });
    if (found.size === IMPORT_COLUMNS.length) {
      return {
        row: r,
        columns: Object.fromEntries(found) as Record<ImportColumn, number>,
        ...(deadline === undefined ? {} : { deadline }),
      };
    }
    if (found.size >= 2 && (!best || found.size > best.found.size)) best = { row: r, found };
  }
  const expected = IMPORT_COLUMNS.join('、');
  if (best) {
    const missing = IMPORT_COLUMNS.filter((c) => !best.found.has(c)).join('、');
    return { row: best.row + 1, column: '', header: '', message: `表头缺少“${missing}”列：表头应依次为 ${expected}，请使用导入模板` };
  }
  return {
    row: 1,
    column: '',
    header: '',
    message: `前 ${HEADER_SEARCH_ROWS} 行中找不到表头（${expected}），请使用导入模板`,
  };
}

/**
 * The sheet as a task table: sections and categories in order of first
 * appearance, tasks with their parsed 责任单位 and the row they came from,
 * and every problem of the sheet itself. Unit names are checked by `unitProblems`.
 */
export function readImportSheet(rows: readonly (readonly string[])[]): ImportedTable {
  const problems: ImportProblem[] = [];
  const empty: ImportedTable = {
    title: '',
    yearInFile: null,
    sections: [],
    categories: [],
    tasks: [],
    problems,
    columns: { 大项: 0, 小项: 1, 序号: 2, 任务要求: 3, 责任单位: 4 },
  };
  const header = findHeader(rows);
  if (!('columns' in header)) {
    problems.push(header);
    return empty;
  }
  const { columns } = header;
  const at = (row: number, col: ImportColumn, message: string, suggestions?: string[]): void => {
    const p: ImportProblem = { row: row + 1, column: columnLetter(columns[col]), header: col, message };
    if (suggestions) p.suggestions = suggestions;
    problems.push(p);
  };

  // The title: of the texts above the header (the template merges it across), the one that names
  // a year, else a 任务 / 分解表; a 附件 mark or a 文号 above it is no title.
  const above: string[] = [];
  for (let r = 0; r < header.row; r++) {
    const text = (rows[r] ?? []).map(clean).find((t) => t !== '');
    if (text) above.push(text);
  }
  let title =
    above.find((t) => TITLE_YEAR.test(t)) ?? above.find((t) => /任务|分解表/.test(t)) ?? above.find((t) => !NOT_A_TITLE.test(t)) ?? '';
  if ([...title].length > IMPORT_LIMITS.title) title = [...title].slice(0, IMPORT_LIMITS.title).join('');
  const yearMatch = TITLE_YEAR.exec(title);

  const sections: TableSection[] = [];
  const categories: TableCategory[] = [];
  const sectionByText = new Map<string, TableSection>();
  const categoryByKey = new Map<string, TableCategory>();
  const tasks: ImportedTask[] = [];
  const rowOfNo = new Map<number, number>();
  let section: TableSection | undefined;
  let category: TableCategory | undefined;
  /** A row without a usable number: gaps then follow from it and are not reported again. */
  let anyBadNumber = false;

  const heading = (r: number, col: ImportColumn, text: string): boolean => {
    if ([...text].length <= IMPORT_LIMITS.heading) return true;
    at(r, col, `${col}不能超过 ${IMPORT_LIMITS.heading} 个字`);
    return false;
  };
  const useSection = (r: number, text: string): void => {
    let s = sectionByText.get(text);
    if (!s) {
      if (!heading(r, '大项', text)) return;
      const m = SECTION_HEAD.exec(text);
      const no = sections.length + 1;
      s = { no, label: m ? (m[1] as string) : chineseNumber(no), title: m ? (m[2] as string).trim() : text };
      sections.push(s);
      sectionByText.set(text, s);
    }
    // A new 大项 starts its own 小项: one carried from the previous 大项 would be wrong.
    if (s !== section) category = undefined;
    section = s;
  };
  const useCategory = (r: number, text: string): void => {
    if (!section) return;
    const key = `${section.no}\n${text}`;
    let c = categoryByKey.get(key);
    if (!c) {
      if (!heading(r, '小项', text)) return;
      const m = CATEGORY_HEAD.exec(text);
      const no = categories.length + 1;
      c = { no, label: m ? (m[1] as string) : `(${chineseNumber(no)})`, title: m ? (m[2] as string).trim() : text, section: section.no };
      categories.push(c);
      categoryByKey.set(key, c);
    }
    category = c;
  };

  for (let r = header.row + 1; r < rows.length; r++) {
    const row = rows[r] ?? [];
    const cell = (col: ImportColumn) => clean(row[columns[col]]);
    const texts = IMPORT_COLUMNS.map(cell);
    if (texts.some((t) => t.startsWith(EXAMPLE_MARK))) {
      problems.push({ row: r + 1, column: '', header: '', message: '这是模板中的示例行，请删除这一行后再导入' });
      continue;
    }
    const [sectionText, categoryText, noText, requirement, unitsText] = texts as [string, string, string, string, string];
    if (sectionText) useSection(r, sectionText);
    if (categoryText) useCategory(r, categoryText);
    if (!noText && !requirement && !unitsText) continue;

    if (!section) at(r, '大项', '缺少大项：第一项任务所在行应写明大项，如“一、深化重点领域政府信息公开”');
    else if (!category) at(r, '小项', '缺少小项：每个大项下第一项任务所在行应写明小项，如“(一)立足实施重大战略推进政务公开”');

    let no: number | undefined;
    const noNormal = noText.normalize('NFKC').replace(/[.、]$/, '');
    if (!noText) at(r, '序号', '缺少序号');
    else if (!/^\d{1,4}$/.test(noNormal) || Number(noNormal) < 1) at(r, '序号', `序号“${noText}”不是正整数`);
    else if (rowOfNo.has(Number(noNormal))) {
      at(r, '序号', `序号 ${noNormal} 与第 ${(rowOfNo.get(Number(noNormal)) as number) + 1} 行重复`);
    } else {
      no = Number(noNormal);
      rowOfNo.set(no, r);
    }
    if (no === undefined) anyBadNumber = true;

    if (!requirement) at(r, '任务要求', '任务要求为空');
    else if (DAY.test(requirement))
      at(
        r,
        '任务要求',
        `任务要求是一个日期（${requirement}）：请填写任务内容；完成时限写在“完成时限”列，或写进任务要求，如“2022年6月底前完成”`,
      );
    else if ([...requirement].length > IMPORT_LIMITS.requirement) at(r, '任务要求', `任务要求不能超过 ${IMPORT_LIMITS.requirement} 个字`);

    let parsed: ReturnType<typeof parseResponsibility> | undefined;
    if (!unitsText) at(r, '责任单位', '责任单位为空');
    else if ([...unitsText].length > IMPORT_LIMITS.unitsText) at(r, '责任单位', `责任单位不能超过 ${IMPORT_LIMITS.unitsText} 个字`);
    else {
      try {
        parsed = parseResponsibility(unitsText);
      } catch (err) {
        if (!(err instanceof ResponsibilityParseError)) throw err;
        at(r, '责任单位', `${err.message}；请写成“甲局、乙局牵头,丙局配合”或“甲局、乙局”`);
      }
    }

    if (no !== undefined && category && requirement && parsed) {
      const task: ImportedTask = { row: r + 1, no, category: category.no, requirement, unitsText, ...parsed };
      const deadline = deadlineIn(requirement);
      if (deadline) Object.assign(task, deadline);
      // A 完成时限 column says it outright; what it says must be readable.
      const due = header.deadline === undefined ? '' : clean(rows[r]?.[header.deadline]);
      if (due) {
        const day = dayIn(due) ?? deadlineIn(due)?.deadline;
        if (day) Object.assign(task, { deadline: day, deadlineText: due });
        else
          problems.push({
            row: r + 1,
            column: columnLetter(header.deadline!),
            header: '',
            message: `“完成时限”列的“${due}”无法识别为日期：请写成“2022-06-30”或“2022年6月底前”`,
          });
      }
      tasks.push(task);
    }
  }

  const numbers = [...rowOfNo.keys()].sort((a, b) => a - b);
  if (numbers.length === 0 && problems.length === 0) {
    problems.push({ row: header.row + 2, column: '', header: '', message: '表中没有任务：请从表头下一行起每行填写一项任务' });
  }
  if (numbers.length > IMPORT_LIMITS.tasks) {
    problems.push({ row: header.row + 2, column: '', header: '', message: `一张表最多 ${IMPORT_LIMITS.tasks} 项任务` });
  }
  // Numbers run 1…N: a gap is a task lost when the table was copied.
  let expected = 1;
  for (const n of numbers) {
    if (n > expected && !anyBadNumber) {
      const missing = n - 1 === expected ? `${expected}` : `${expected}–${n - 1}`;
      at(rowOfNo.get(n) as number, '序号', `缺少序号 ${missing}（序号应从 1 起连续编排）`);
    }
    expected = n + 1;
  }
  problems.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
  return {
    title,
    yearInFile: yearMatch ? Number(yearMatch[1]) : null,
    sections,
    categories,
    tasks: tasks.sort((a, b) => a.no - b.no),
    problems,
    columns,
  };
}

/**
 * Names in 责任单位 cells that are no unit of the directory (with close
 * names to suggest) or only a retired one, one problem per name and row.
 */
export function unitProblems(table: ImportedTable, units: readonly DirectoryUnit[], groups: readonly UnitGroup[]): ImportProblem[] {
  const active = new Set<string>();
  const retired = new Map<string, string>();
  for (const u of units) {
    for (const n of [u.name, ...(u.aliases ?? [])]) {
      if (u.active) active.add(n);
      else retired.set(n, u.name);
    }
  }
  const groupNames = new Set(groups.map((g) => g.name));
  const candidates = [...units.filter((u) => u.active), ...groups.map((g) => ({ name: g.name }))];
  const column = columnLetter(table.columns.责任单位);
  const out: ImportProblem[] = [];
  for (const t of table.tasks) {
    for (const name of [...t.lead, ...t.responsible, ...t.cooperate]) {
      if (active.has(name) || groupNames.has(name)) continue;
      const old = retired.get(name);
      const message = old
        ? `单位“${name}”已停用：请先在单位管理中恢复“${old}”，或改写为现在承担这项工作的单位`
        : unreadableSeparator(name)
          ? `“${name}”中的“${unreadableSeparator(name)}”不能用来分隔单位：单位之间请用顿号“、”、逗号或换行（Alt+Enter）分隔`
          : `单位名录中没有“${name}”：请改为名录中的名称，或先在单位管理中添加这个单位`;
      const p: ImportProblem = { row: t.row, column, header: '责任单位', message };
      const suggestions = old ? [] : suggestUnits(name, candidates);
      if (suggestions.length) p.suggestions = suggestions;
      out.push(p);
    }
  }
  return out;
}
