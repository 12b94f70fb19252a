/**
 * Text as the ledger writes it into spreadsheet cells. Reports, file names
 * and link titles come from units; a text beginning with `=`, `+`, `-` or
 * `@` (or a tab or CR) is what spreadsheet programs read as a formula when
 * the cell is edited, pasted or saved as CSV (CSV/formula injection). Such a
 * text gets a leading apostrophe, so it stays text in every program; the
 * writer also stores every text cell as a string, never as a formula.
 */

/** What a spreadsheet reads as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Characters XML 1.0 cannot carry; the xlsx writer drops them, so they must not hide a formula start. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** Excel's limit for one cell. */
export const MAX_CELL_CHARS = 32767;

/** Whether a spreadsheet would read `text` (as written) as the start of a formula. */
export function formulaLike(text: string): boolean {
  return FORMULA_START.test(text.replace(XML_INVALID, ''));
}

/**
 * `text` as it is safe to put into a cell. With `quoteStyle`, the cell gets
 * the quote-prefix style instead (text shown exactly as typed, never read as
 * a formula; the ledger's writer adds it to the package), so no apostrophe.
 */
export function cellText(text: string, quoteStyle = false): string {
  let out = text.replace(XML_INVALID, '');
  if (!quoteStyle && FORMULA_START.test(out)) out = `'${out}`;
  if (out.length > MAX_CELL_CHARS) out = `${out.slice(0, MAX_CELL_CHARS - 1)}…`;
  return out;
}

/** Reads back a cell written by `cellText` (the import reads templates the ledger wrote). */
export function fromCellText(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
