/**
 * Reading what the ledger function wrote: the file behind a LedgerFileView
 * (fetched by its temporary URL, as the PC would), its sheets with exceljs,
 * and the raw parts of an .xlsx or .zip.
 */
import ExcelJS from 'exceljs';
import type { LedgerFileView } from '../../miniprogram/shared/ledger-api';
import { zipEntries, zipEntryData } from '../../cloudfunctions/ledger/src/read-xlsx';

export async function fetchFile(view: Pick<LedgerFileView, 'url'>): Promise<Buffer> {
  const res = await fetch(view.url);
  if (!res.ok) throw new Error(`GET ${view.url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return wb;
}

/** Every entry of a zip (an .xlsx is one) by name. */
export function unzip(bytes: Buffer): Map<string, Buffer> {
  const entries = zipEntries(bytes);
  if (!entries) throw new Error('not a zip file');
  return new Map(entries.map((e) => [e.name, zipEntryData(bytes, e)]));
}

/** A sheet's XML as written (to look at cell types and formulas as Excel will). */
export function sheetXml(xlsx: Buffer, sheetNo: number): string {
  const part = unzip(xlsx).get(`xl/worksheets/sheet${sheetNo}.xml`);
  if (!part) throw new Error(`no sheet ${sheetNo}`);
  return part.toString('utf8');
}

/** The `t` attribute of cell `ref` in a sheet's XML ('' when it has none). */
export function cellTypeInXml(xml: string, ref: string): string {
  const m = new RegExp(`<c r="${ref}"([^>]*)>`).exec(xml);
  if (!m) throw new Error(`cell ${ref} not in the sheet XML`);
  return /\bt="([^"]*)"/.exec(m[1] ?? '')?.[1] ?? '';
}

/** Whether cell `ref` of a sheet (`xml`, from the package `xlsx`) has a style with quotePrefix="1". */
export function quotePrefixed(xlsx: Buffer, xml: string, ref: string): boolean {
  const style = Number(/\bs="(\d+)"/.exec(new RegExp(`<c r="${ref}"([^>]*)>`).exec(xml)?.[1] ?? '')?.[1] ?? 0);
  const styles = unzip(xlsx).get('xl/styles.xml')?.toString('utf8') ?? '';
  const xfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '';
  const xf = xfs.match(/<xf [^>]*>/g)?.[style] ?? '';
  return xf.includes('quotePrefix="1"');
}

/** An .xlsx whose first sheet holds `rows` (row 1 first), with `merges` such as `A3:A5`. */
export async function xlsxOf(rows: readonly (readonly (string | number | null)[])[], merges: readonly string[] = []): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('任务分解表');
  rows.forEach((cells, i) => {
    cells.forEach((v, j) => {
      if (v !== null && v !== '') sheet.getCell(i + 1, j + 1).value = v;
    });
  });
  for (const m of merges) sheet.mergeCells(m);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * `xlsx` (a 任务分解表, e.g. the ledger's template of 2021) with the year in its
 * title changed to `year`, the cell edited with exceljs as an office worker edits
 * it in a spreadsheet program: last year's table made into the next one's, which
 * the import accepts only as the year its title names. Text other than the title
 * is left as it is (a task's own `2021年年底前` stays).
 */
export async function withTitleYear(xlsx: Buffer, year: number): Promise<Buffer> {
  const wb = await readWorkbook(xlsx);
  const sheet = wb.worksheets[0];
  if (!sheet) throw new Error('no sheet');
  for (let r = 1; r <= Math.min(sheet.rowCount, 10); r++) {
    const cell = sheet.getRow(r).getCell(1);
    const text = cell.text;
    if (/(?:19|20)\d{2}\s*年/.test(text)) {
      cell.value = text.replace(/(?:19|20)\d{2}(?=\s*年)/, String(year));
      return Buffer.from(await wb.xlsx.writeBuffer());
    }
  }
  throw new Error('no title naming a year in the first 10 rows');
}
