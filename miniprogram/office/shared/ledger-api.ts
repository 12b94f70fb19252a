/**
 * The contract between the office pages and the `ledger` cloud function
 * (工作台账 export, evidence archive, import of a year's 任务分解表). Same
 * envelope as the `api` function: `{ action, data }` in, ApiResult out.
 * Types and constants only; this file ships in the office subpackage.
 */
import type { ApiResult } from '../../shared/api';

/** A file the ledger function wrote to cloud storage. */
export interface LedgerFileView {
  fileID: string;
  /** File name to show and to save as, e.g. `邹城市2021年政务公开工作台账（全年）.xlsx`. */
  name: string;
  size: number;
  /** Temporary download URL for the PC (copy link); valid until `expiresAt`. */
  url: string;
  /** ISO time. */
  expiresAt: string;
}

export interface LedgerScope {
  /** Plan year; the current plan when omitted. */
  year?: number;
  /** One round only; the whole year (every round) when omitted. */
  roundId?: string;
}

export interface LedgerExportResult extends LedgerFileView {
  /** Assignment rows written (one per assignment per round in scope). */
  rows: number;
  tasks: number;
  rounds: number;
}

export interface LedgerArchiveResult extends LedgerFileView {
  /** Evidence files put into the archive. */
  files: number;
  /** Evidence files that could not be fetched (listed in the archive's index sheet). */
  missing: number;
}

/** A column of the import template, in the order of the 2021 table. */
export type ImportColumn = '大项' | '小项' | '序号' | '任务要求' | '责任单位';
export const IMPORT_COLUMNS: readonly ImportColumn[] = ['大项', '小项', '序号', '任务要求', '责任单位'];

export interface ImportProblem {
  /** 1-based row number as Excel shows it. */
  row: number;
  /** Column letter as Excel shows it (A–E), '' for a whole-row or whole-file problem. */
  column: string;
  /** The template column's header, when the problem is in one. */
  header: ImportColumn | '';
  message: string;
  /** Close names from the unit directory, for a unit that is not in it. */
  suggestions?: string[];
}

export interface ImportCheckResult {
  /** The year read from the sheet's title row, when it names one. */
  yearInFile: number | null;
  title: string;
  sections: number;
  categories: number;
  tasks: number;
  /** Distinct units the table names (groups such as 各镇街 expanded). */
  units: number;
  assignments: number;
  /** Every problem found; the import is refused while any remains. */
  problems: ImportProblem[];
}

export interface ImportCommitInput {
  /** The checked file, uploaded under IMPORT_PREFIX. */
  fileID: string;
  /**
   * Year of the new plan; refused when a plan for that year exists, or when the
   * table's title names another year. Omitted: the title's year.
   */
  year?: number;
  /** Make the new plan the current one (contacts then see its tasks). */
  makeCurrent: boolean;
  /** Idempotency key: a retry returns the first result. */
  requestId: string;
}

export interface ImportCommitResult {
  planId: string;
  year: number;
  tasks: number;
  assignments: number;
  current: boolean;
  duplicate: boolean;
}

export interface SetCurrentResult {
  planId: string;
  year: number;
  /** False when the plan already was the current one. */
  changed: boolean;
}

/** Action name → request and response of the `ledger` function. Admin only. */
export interface LedgerActions {
  /** The 工作台账 (.xlsx) of a year or one round. */
  'ledger.export': { req: LedgerScope; res: LedgerExportResult };
  /** Every evidence file of a year or one round (.zip, one folder per task / unit / round, plus 索引.xlsx). */
  'ledger.archive': { req: LedgerScope; res: LedgerArchiveResult };
  /** The import template (.xlsx); filled with a year's table when `year` is given, else blank with an example row. */
  'ledger.template': { req: { year?: number }; res: LedgerFileView };
  /** Dry run: read an uploaded 任务分解表 and report every problem; writes nothing. A `year` other than the title's is refused. */
  'import.check': { req: { fileID: string; year?: number }; res: ImportCheckResult };
  /** Create the new plan and its assignments from a file without problems. */
  'import.commit': { req: ImportCommitInput; res: ImportCommitResult };
  /** Make a year's plan the current one, e.g. a table imported ahead of time with `makeCurrent: false`. */
  'plan.setCurrent': { req: { year: number }; res: SetCurrentResult };
}
export type LedgerActionName = keyof LedgerActions;
export type LedgerRequest<A extends LedgerActionName> = LedgerActions[A]['req'];
export type LedgerResponse<A extends LedgerActionName> = LedgerActions[A]['res'];
export type LedgerResult<A extends LedgerActionName> = ApiResult<LedgerResponse<A>>;

/** Where the office uploads a 任务分解表 to import: the function refuses other paths. */
export const importPrefix = (openid: string) => `imports/${openid}/`;
/**
 * The refusal when the year chosen for an import is not the one the table's title
 * names: the function and the page say the same (the page before asking to confirm).
 */
export const yearMismatchText = (titleYear: number, chosen: number): string =>
  `表格标题是${titleYear}年，所选年度是${chosen}年：请核对文件或年度（要导入为${chosen}年，请先把表格标题中的年度改为${chosen}年）`;
/** The refusal when neither the import nor the table's title names a year. */
export const YEAR_MISSING_TEXT = '请填写年度：表格标题中没有写明年度（如“邹城市2022年政务公开工作任务分解表”）';
/** Largest import file accepted (a 44-task table is ~30 KB). */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
