/**
 * Writing .xlsx files with exceljs's streaming writer: rows go to a temp
 * file as they are committed, so memory holds only the rows not yet
 * committed (a section of the ledger, while its merged cells are open).
 *
 * Every text goes through `text()`: cell-safe (domain/cell-text.ts) and
 * stored as an inline string, which is a string cell in every program.
 * (Plain strings would be written as `t="str"`, the type of a formula's
 * cached result.)
 */
import ExcelJS from 'exceljs';
import { cellText, formulaLike } from '../../common/domain/cell-text';
import { textHeight } from '../../common/domain/print-layout';

export type Sheet = ExcelJS.Worksheet;
export type Writer = ExcelJS.stream.xlsx.WorkbookWriter;
export type Value = string | number | null | undefined;

/** A writer; `author` (the office) is the file's author and company, never the library's name. */
export function newWriter(file: string, author = '邹城市人民政府办公室'): Writer {
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  writer.creator = author;
  writer.lastModifiedBy = author;
  writer.company = author;
  return writer;
}

/** A cell value for `value`: texts cell-safe and inline, numbers as numbers, nothing for '' and null. */
export function cellValue(value: Value): ExcelJS.CellValue {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value;
  return { richText: [{ text: cellText(value) }] };
}

const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF999999' } };
export const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
/** Body text size in points: printed at ≥ 9 pt after fit-to-width (see `landscapeScale`). */
export const BODY_PT = 10;
const BODY_FONT: Partial<ExcelJS.Font> = { name: '宋体', size: BODY_PT };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF4' } };

/** Page margins in inches: left/right, top/bottom (the footer sits in the bottom one). */
export const SIDE_MARGIN = 0.4;
export const TOP_MARGIN = 0.5;
/** Heights in points of the header row and a 16 pt title. */
export const HEADER_HEIGHT = 28;
export const TITLE_HEIGHT = 32;

export interface Column {
  header: string;
  width: number;
  /** Horizontal alignment of body cells (default left). */
  align?: 'left' | 'center';
}

/**
 * A sheet with `columns`, frozen above `headerRow`, printing landscape
 * (A4 unless `paper` is 8 = A3) one page wide with the header row repeated
 * on every page and page numbers in the footer.
 */
export function addSheet(writer: Writer, name: string, columns: readonly Column[], headerRow: number, paper: 8 | 9 = 9): Sheet {
  const sheet = writer.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0 }],
    pageSetup: {
      // exceljs's PaperSize enum omits A3 (8), a valid OOXML paper code.
      paperSize: paper as ExcelJS.PaperSize,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      margins: { left: SIDE_MARGIN, right: SIDE_MARGIN, top: TOP_MARGIN, bottom: TOP_MARGIN, header: 0.3, footer: 0.3 },
      printTitlesRow: `${headerRow}:${headerRow}`,
    },
    headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
  });
  sheet.columns = columns.map((c) => ({ width: c.width }));
  return sheet;
}

/** A title across `span` columns: bold, merged, centred. */
export function writeTitle(sheet: Sheet, row: number, text: string, span: number, size = 16): void {
  const cell = sheet.getRow(row).getCell(1);
  cell.value = cellValue(text);
  cell.font = { ...BODY_FONT, size, bold: true };
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  if (span > 1) sheet.mergeCells(row, 1, row, span);
  sheet.getRow(row).height = size * 2;
}

/** A note line across `columns` (what was exported, when), as high as its wrapped text needs; returns that height. */
export function writeNote(sheet: Sheet, row: number, text: string, columns: readonly Column[]): number {
  const cell = sheet.getRow(row).getCell(1);
  cell.value = cellValue(text);
  cell.font = { ...BODY_FONT, color: { argb: 'FF555555' } };
  cell.alignment = { horizontal: 'left', vertical: 'middle', wrapText: true };
  if (columns.length > 1) sheet.mergeCells(row, 1, row, columns.length);
  const width = columns.reduce((a, c) => a + c.width, 0);
  const height = rowHeight([{ header: '', width }], [text]);
  sheet.getRow(row).height = height;
  return height;
}

/** Points that show every cell of `values` in `columns` in full, as written (see print-layout.ts). */
export function rowHeight(columns: readonly Column[], values: readonly Value[]): number {
  return textHeight(
    columns.map((c, i) => {
      const v = values[i];
      return { text: v === null || v === undefined ? '' : cellText(String(v), true), width: c.width };
    }),
    BODY_PT,
  );
}

export function writeHeader(sheet: Sheet, row: number, columns: readonly Column[]): void {
  const r = sheet.getRow(row);
  columns.forEach((c, i) => {
    const cell = r.getCell(i + 1);
    cell.value = cellValue(c.header);
    cell.font = { ...BODY_FONT, bold: true };
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  });
  r.height = HEADER_HEIGHT;
}

/**
 * The text number format marks cells whose text starts like a formula
 * (`=`, `+`, `-`, `@`): `quotePrefixPackage` gives their style the
 * quote-prefix flag, which exceljs cannot write.
 */
const TEXT_FORMAT = '@';
export const TEXT_FORMAT_ID = 49;

/**
 * One body row: bordered, wrapped, top-aligned (merged cells centre vertically); `height` in
 * points. With `quoteStyle`, formula-like texts get the text format instead of an apostrophe
 * (the caller must run `quotePrefixPackage` on the written file).
 */
export function writeRow(
  sheet: Sheet,
  row: number,
  columns: readonly Column[],
  values: readonly Value[],
  height?: number,
  quoteStyle = false,
): void {
  const r = sheet.getRow(row);
  if (height !== undefined) r.height = height;
  columns.forEach((c, i) => {
    const cell = r.getCell(i + 1);
    const v = values[i];
    if (quoteStyle && typeof v === 'string' && v !== '' && formulaLike(v)) {
      cell.value = { richText: [{ text: cellText(v, true) }] };
      cell.numFmt = TEXT_FORMAT;
    } else cell.value = cellValue(v);
    cell.font = BODY_FONT;
    cell.border = BORDER;
    cell.alignment = { horizontal: c.align ?? 'left', vertical: 'top', wrapText: true };
  });
}

/** What a link cell shows: a short text, so it prints on one line (see `writeLink`). */
export const OPEN_LINK_TEXT = '打开链接';
const LINK_FONT: Partial<ExcelJS.Font> = { ...BODY_FONT, color: { argb: 'FF1F4E99' }, underline: true };

/** `url` as a hyperlink target (parsed, percent-encoded), or null when it is not an http(s) address. */
export function linkTarget(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * Makes cell (`row`, `col`) a hyperlink to `url` (kept in the sheet's relationships as an
 * external target) showing `text`, a short one of ours; nothing when `url` is no web address.
 * LibreOffice turns a hyperlinked cell's whole text into one link field, which neither wraps
 * nor keeps line breaks, so a long URL or a cell of several lines would print cut: the URL is
 * printed as text in a cell of its own and only this short cell carries the link. exceljs
 * writes this cell as a plain string (`t="str"`, no formula): its text is ours, never a contact's.
 */
export function writeLink(sheet: Sheet, row: number, col: number, url: string, text = OPEN_LINK_TEXT): void {
  const target = linkTarget(url);
  if (!target) return;
  const cell = sheet.getRow(row).getCell(col);
  cell.value = { text, hyperlink: target };
  cell.font = LINK_FONT;
}

/** Merges rows `from`…`to` of column `col` (1-based) when they are more than one, centred vertically. */
export function mergeDown(sheet: Sheet, col: number, from: number, to: number): void {
  if (to <= from) return;
  sheet.mergeCells(from, col, to, col);
  const cell = sheet.getRow(from).getCell(col);
  cell.alignment = { ...cell.alignment, vertical: 'middle' };
}
