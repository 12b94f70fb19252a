/**
 * Reading an uploaded .xlsx into cell texts for the import parser. The
 * file is at most IMPORT_MAX_BYTES; before exceljs inflates it, its zip
 * directory is checked (an .xlsx, not some other zip, and not one that
 * expands to far more than a task table could need), so a wrong or hostile
 * file is refused with a clear message instead of exhausting memory.
 */
import ExcelJS from 'exceljs';
import { inflateRawSync } from 'zlib';
import { invalid } from '../../common/envelope';

/** A 44-task table unpacks to well under 1 MB; this leaves room for large tables and styling. */
export const MAX_UNPACKED_BYTES = 40 * 1024 * 1024;
/** Rows and columns read per sheet: far beyond any task table. */
export const MAX_ROWS = 3000;
export const MAX_COLUMNS = 30;

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  /** As the directory states it. */
  size: number;
  /** Of the entry's local header. */
  offset: number;
}

/** The entries of a zip file from its central directory, or null when `buf` is not one. */
export function zipEntries(buf: Buffer): ZipEntry[] | null {
  const EOCD = 0x06054b50;
  const ENTRY = 0x02014b50;
  const last = buf.length - 22;
  for (let i = last; i >= Math.max(0, last - 0xffff); i--) {
    if (buf.readUInt32LE(i) !== EOCD) continue;
    const count = buf.readUInt16LE(i + 10);
    let off = buf.readUInt32LE(i + 16);
    const entries: ZipEntry[] = [];
    for (let n = 0; n < count; n++) {
      if (off + 46 > buf.length || buf.readUInt32LE(off) !== ENTRY) return null;
      const nameLength = buf.readUInt16LE(off + 28);
      entries.push({
        name: buf.toString('utf8', off + 46, off + 46 + nameLength),
        method: buf.readUInt16LE(off + 10),
        compressedSize: buf.readUInt32LE(off + 20),
        // 0xffffffff: the real size is in a zip64 field; no task table needs one.
        size: buf.readUInt32LE(off + 24) === 0xffffffff ? Number.MAX_SAFE_INTEGER : buf.readUInt32LE(off + 24),
        offset: buf.readUInt32LE(off + 42),
      });
      off += 46 + nameLength + buf.readUInt16LE(off + 30) + buf.readUInt16LE(off + 32);
    }
    return entries;
  }
  return null;
}

/** The bytes of one entry (stored or deflated). */
export function zipEntryData(buf: Buffer, entry: ZipEntry): Buffer {
  const start = entry.offset + 30 + buf.readUInt16LE(entry.offset + 26) + buf.readUInt16LE(entry.offset + 28);
  const data = buf.subarray(start, start + entry.compressedSize);
  return entry.method === 8 ? inflateRawSync(data) : Buffer.from(data);
}

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** Why `buf` cannot be read as a workbook, or null. */
export function workbookProblem(buf: Buffer): string | null {
  if (buf.length >= 8 && buf.subarray(0, 8).equals(OLE_MAGIC)) {
    return '这是旧版 Excel 文件（.xls）：请在 Excel 或 WPS 中“另存为”.xlsx 格式后重新上传';
  }
  const entries = buf.length >= 22 && buf.readUInt32LE(0) === 0x04034b50 ? zipEntries(buf) : null;
  if (!entries) return '文件不是 Excel 工作簿（.xlsx）：请用导入模板填写后上传';
  // An OpenDocument spreadsheet (LibreOffice, WPS "另存为 .ods"): a zip that names its kind first.
  const mimetype = entries.find((e) => e.name === 'mimetype');
  if (mimetype && /opendocument\.spreadsheet/.test(zipEntryData(buf, mimetype).toString('utf8'))) {
    return '这是 .ods 格式的表格：请在 WPS、LibreOffice 或 Excel 中“另存为”.xlsx 格式后重新上传';
  }
  if (!entries.some((e) => e.name === 'xl/workbook.xml')) {
    return '文件不是 Excel 工作簿（.xlsx），可能是 Word 文档或其他压缩包：请用导入模板填写后上传';
  }
  const unpacked = entries.reduce((n, e) => n + e.size, 0);
  if (unpacked > MAX_UNPACKED_BYTES) return '文件内容过大，无法读取：请只保留任务分解表一张工作表后重新上传';
  return null;
}

/** What a cell shows, as text. */
export function cellString(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('hyperlink' in value) return cellString(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellString((value.result ?? null) as ExcelJS.CellValue);
  return '';
}

/** Cell texts of a sheet, row by row (merged cells give their value to every cell they cover). */
export function sheetRows(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  const rowCount = Math.min(sheet.rowCount, MAX_ROWS);
  const columnCount = Math.min(sheet.columnCount, MAX_COLUMNS);
  for (let r = 1; r <= rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= columnCount; c++) cells.push(cellString(row.getCell(c).value));
    rows.push(cells);
  }
  return rows;
}

/** Row numbers (1-based) the sheet hides: they are easy to miss, so the import reports them. */
export function hiddenRows(sheet: ExcelJS.Worksheet): number[] {
  const out: number[] = [];
  const rowCount = Math.min(sheet.rowCount, MAX_ROWS);
  for (let r = 1; r <= rowCount; r++) if (sheet.getRow(r).hidden) out.push(r);
  return out;
}

/** The workbook's sheets as cell texts, in order; refuses, naming `fileID`, what is no readable .xlsx. */
export async function readWorkbook(buf: Buffer): Promise<{ name: string; rows: string[][]; hidden: number[] }[]> {
  const problem = workbookProblem(buf);
  if (problem) throw invalid('fileID', problem);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buf as unknown as ExcelJS.Buffer);
  } catch {
    throw invalid('fileID', '无法读取这个文件：请用 Excel 或 WPS 打开后“另存为”.xlsx 格式再上传');
  }
  return workbook.worksheets.map((s) => ({ name: s.name, rows: sheetRows(s), hidden: hiddenRows(s) }));
}
