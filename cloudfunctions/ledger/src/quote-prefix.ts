/**
 * The quote-prefix cell style, added to a written package (exceljs cannot
 * write it). Kept apart from xlsx.ts so only the functions' file writers load jszip.
 */
import fs from 'fs';
import JSZip from 'jszip';
import { TEXT_FORMAT_ID } from './xlsx';

/**
 * Sets quotePrefix="1" on every cell style with the text format in the
 * written package: Excel, WPS and LibreOffice then show the text exactly as
 * typed (no apostrophe) and keep it text when it is edited or saved as CSV.
 */
export async function quotePrefixPackage(file: string): Promise<void> {
  const zip = await JSZip.loadAsync(await fs.promises.readFile(file));
  const styles = zip.file('xl/styles.xml');
  if (!styles) throw new Error('xlsx without styles');
  const xml = await styles.async('string');
  const out = xml.replace(/<xf ([^>]*)numFmtId="(\d+)"([^>]*?)(\/?)>/g, (all, a: string, id: string, b: string, close: string) =>
    Number(id) === TEXT_FORMAT_ID && !all.includes('quotePrefix') ? `<xf ${a}numFmtId="${id}"${b} quotePrefix="1"${close}>` : all,
  );
  zip.file('xl/styles.xml', out);
  await fs.promises.writeFile(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}
