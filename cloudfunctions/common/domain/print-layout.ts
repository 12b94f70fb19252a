/**
 * Row heights for printed sheets. LibreOffice and WPS do not fit rows to
 * wrapped text when they open an .xlsx (Excel sometimes does): a row without
 * an explicit height prints one line high and the rest of the text is cut.
 * So the writer computes each row's height from the text of its cells.
 *
 * Widths are in spreadsheet column units (about one Latin digit of the body
 * font); a CJK or full-width character takes two.
 */

/** Excel's and WPS's largest row height, in points. */
export const MAX_ROW_HEIGHT = 409;

/** Characters printed two units wide: CJK, Hangul, kana, full-width forms. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Display width of one line of text, in column units. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += WIDE.test(ch) || ch.codePointAt(0)! > 0xffff ? 2 : 1;
  return w;
}

/**
 * Lines `text` takes in a column `width` units wide when wrapped: each
 * paragraph (line break) at least one line. One unit is kept as margin for
 * the cell's padding and the difference between fonts.
 */
export function wrappedLines(text: string, width: number): number {
  if (text === '') return 1;
  const perLine = Math.max(2, Math.floor(width) - 1);
  return text.split(/\r\n|\r|\n/).reduce((n, para) => n + Math.max(1, Math.ceil(displayWidth(para) / perLine)), 0);
}

/** Line height and top + bottom padding in points, for a body font of `fontPt`. */
export function lineHeight(fontPt: number): number {
  return Math.ceil(fontPt * 1.35 * 2) / 2;
}

/** Height in points that shows every cell's text in full (at most `MAX_ROW_HEIGHT`). */
export function textHeight(cells: readonly { text: string; width: number }[], fontPt: number): number {
  const lines = Math.max(1, ...cells.map((c) => wrappedLines(c.text, c.width)));
  return Math.min(MAX_ROW_HEIGHT, lines * lineHeight(fontPt) + 4);
}

/**
 * Heights of rows that share merged cells: each row fits its own cells; when
 * the merged texts need more than the rows give together, the last row takes
 * the difference (the rows stay readable, the merged text is not cut).
 */
export function blockHeights(ownHeights: readonly number[], mergedNeed: number): number[] {
  const out = [...ownHeights];
  const sum = out.reduce((a, b) => a + b, 0);
  if (out.length > 0 && sum < mergedNeed) out[out.length - 1] = Math.min(MAX_ROW_HEIGHT, out[out.length - 1]! + mergedNeed - sum);
  return out;
}

/** Paper sizes in points (portrait width × height) by their OOXML paperSize code. */
export const PAPER = { 8: { name: 'A3', width: 842, height: 1191 }, 9: { name: 'A4', width: 595, height: 842 } } as const;

/**
 * Printed width in points of a column `width` units wide, on the wide side:
 * Excel gives 7 px + 5 px padding at 96 dpi (≈ 5.25 pt per unit), while
 * LibreOffice 7.4 printed our ledger at about 7 pt per unit (measured from
 * its PDF), so fit-to-width scales down more there.
 */
export function columnPoints(width: number): number {
  return width * 7;
}

/**
 * The scale (percent) that fits columns of `widths` across the landscape
 * page, at most 100: what "fit to one page wide" will print at.
 */
export function landscapeScale(widths: readonly number[], paper: 8 | 9, marginInches: number): number {
  const printable = PAPER[paper].height - 2 * marginInches * 72;
  const total = widths.reduce((s, w) => s + columnPoints(w), 0);
  return Math.min(100, Math.floor((printable / total) * 100));
}

/**
 * The body height of a landscape page in sheet points (before scaling), below
 * the repeated header row, with margins of `marginInches` top and bottom.
 * 8 % is kept back for the footer and rounding in the printing program.
 */
export function landscapeBodyHeight(paper: 8 | 9, marginInches: number, scale: number, headerRow: number): number {
  return Math.floor(((PAPER[paper].width - 2 * marginInches * 72) * 0.92 * 100) / scale - headerRow);
}

/** Rows `from`…`to - 1` of a block printed together on one page, with their final heights. */
export interface Segment {
  from: number;
  to: number;
  heights: number[];
  /** The page ends after this segment. */
  pageBreakAfter: boolean;
}

/**
 * Splits blocks of rows (a task's rows, sharing its merged label cells) into
 * per-page segments. A merged cell that spans a page break prints its text
 * on one of the pages only (LibreOffice: the one holding its middle), so the
 * writer merges and labels each segment on its own and puts a manual page
 * break after a segment that fills its page. `need` is what the block's
 * merged texts need; a segment grows to it (`blockHeights`), and a block
 * whose need does not fit in what is left of a page starts on a new page.
 * `capacity` is the height of a page's body in points; `used` what the
 * first page already holds (title, note).
 */
export function paginate(blocks: readonly { own: readonly number[]; need: number }[], capacity: number, used = 0): Segment[][] {
  const out: Segment[][] = [];
  let onPage = used;
  let last: Segment | undefined;
  for (const { own, need } of blocks) {
    const segments: Segment[] = [];
    let i = 0;
    while (i < own.length) {
      if (onPage > 0 && capacity - onPage < Math.min(need, capacity)) {
        if (last) last.pageBreakAfter = true;
        onPage = 0;
      }
      const from = i;
      let sum = 0;
      while (i < own.length && (i === from || onPage + sum + own[i]! <= capacity)) sum += own[i++]!;
      const heights = blockHeights(own.slice(from, i), need);
      onPage += heights.reduce((a, b) => a + b, 0);
      last = { from, to: i, heights, pageBreakAfter: false };
      segments.push(last);
      if (i < own.length) {
        last.pageBreakAfter = true;
        onPage = 0;
      }
    }
    out.push(segments);
  }
  return out;
}
