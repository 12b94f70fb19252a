/**
 * A workbook as a real spreadsheet program prints it: LibreOffice (headless) converts it to PDF
 * or to another .xlsx, read back with poppler (text per page, link annotations) and Ghostscript
 * (the printed size of every text run).
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';

export interface Printed {
  pdf: string;
  /** Each page's text (pdftotext -raw). */
  pages: string[];
  /** Font sizes (points, as printed) of every text run. */
  sizes: number[];
  /** The URLs of the PDF's link annotations, per page (1-based) as pdfinfo -url lists them. */
  links: { page: number; url: string }[];
}

/** Converts `file` in `dir` with LibreOffice to `format` (pdf, xlsx); returns the converted file. */
export function convert(file: string, dir: string, format: 'pdf' | 'xlsx'): string {
  const outDir = path.join(dir, format);
  // A private profile per run: parallel conversions would otherwise share (and lock) one.
  execFileSync(
    'libreoffice',
    [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--convert-to', format, '--outdir', outDir, file],
    { stdio: 'ignore', timeout: 300_000 },
  );
  const out = path.join(outDir, `${path.basename(file, path.extname(file))}.${format}`);
  if (!fs.existsSync(out)) throw new Error(`LibreOffice wrote no ${format} for ${path.basename(file)}`);
  return out;
}

/** `file` (an .xlsx in `dir`) printed to PDF by LibreOffice and read back. */
export function print(file: string, dir: string): Printed {
  const pdf = convert(file, dir, 'pdf');
  const count = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
  const pages = Array.from({ length: count }, (_, i) =>
    execFileSync('pdftotext', ['-raw', '-f', String(i + 1), '-l', String(i + 1), pdf, '-'], { encoding: 'utf8' }),
  );
  const runs = execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-sDEVICE=txtwrite', '-dTextFormat=0', '-sOutputFile=-', pdf], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const sizes = [...runs.matchAll(/size="([\d.]+)"/g)].map((m) => Number(m[1]));
  const links = execFileSync('pdfinfo', ['-url', pdf], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+Annotation\s+(\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ page: Number(m[1]), url: m[2] as string }));
  return { pdf, pages, sizes, links };
}

/**
 * With PRINT_SCREENSHOTS=1, page `page` of `pdf` is kept as docs/screenshots/`name`.png at `dpi` (how
 * the README shows the printed sheets); otherwise nothing is written.
 */
export function keepPage(pdf: string, page: number, name: string, dpi = 80): void {
  if (process.env.PRINT_SCREENSHOTS !== '1') return;
  // pdftoppm adds the extension.
  const out = path.join(__dirname, '..', '..', 'docs', 'screenshots', name.replace(/\.png$/, ''));
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-singlefile', '-f', String(page), '-l', String(page), pdf, out]);
}

/** Text without white space (pdftotext breaks lines where the cell wraps). */
export const squash = (s: string): string => s.replace(/\s+/g, '');

/** Lines that show an apostrophe before a formula-like start: cell safety made visible. */
export const apostropheLines = (pages: readonly string[]): string[] =>
  pages
    .join('\n')
    .split('\n')
    .filter((l) => /(^|\s)'[=+\-@]/.test(l));
