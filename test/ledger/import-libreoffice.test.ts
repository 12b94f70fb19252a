/**
 * Import of files really saved by LibreOffice: our template opened and
 * saved as .xlsx by LibreOffice reads to the same table (44 tasks, the same
 * check) as our own file; saved as .ods it is refused with the advice to
 * save as .xlsx. One LibreOffice run per file kind.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { importPrefix } from '../../miniprogram/shared/ledger-api';
import { startUploader, type Uploader } from '../helpers/journey';
import { fetchFile } from '../helpers/ledger';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';

let t: TestCloud;
let up: Uploader;
let dir: string;
let ours: Buffer;

/** `file` saved by LibreOffice as `format` (xlsx or ods), with a private profile. */
function saveAs(file: string, format: 'xlsx' | 'ods'): Buffer {
  const out = path.join(dir, format);
  fs.mkdirSync(out, { recursive: true });
  execFileSync(
    'libreoffice',
    [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--convert-to', format, '--outdir', out, file],
    { timeout: 240_000, stdio: 'ignore' },
  );
  return fs.readFileSync(path.join(out, `${path.basename(file, '.xlsx')}.${format}`));
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  up = await startUploader(t);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-lo-'));
  ours = await fetchFile(okData(await t.ledger(ADMIN)('ledger.template', { year: 2021 })));
  fs.writeFileSync(path.join(dir, 'template.xlsx'), ours);
}, 600_000);
afterAll(() => {
  t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
const check = async (bytes: Buffer) =>
  t.ledger(ADMIN)('import.check', { fileID: await up.upload(ADMIN, `${importPrefix(ADMIN)}lo-${++seq}.xlsx`, bytes) });

test('the template saved by LibreOffice as .xlsx reads to the same 44 tasks as our own file', async () => {
  const saved = saveAs(path.join(dir, 'template.xlsx'), 'xlsx');
  expect(saved.equals(ours)).toBe(false);
  const mine = okData(await check(ours));
  const theirs = okData(await check(saved));
  expect(theirs).toMatchObject({ tasks: 44, sections: 5, categories: 20, problems: [] });
  expect(theirs).toEqual(mine);
}, 600_000);

test('saved as .ods: refused with the advice to save as .xlsx, nothing written', async () => {
  const before = t.cloud.db.count('plans', {});
  const res = await check(saveAs(path.join(dir, 'template.xlsx'), 'ods'));
  expect(res).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'fileID', message: expect.stringContaining('.ods') });
  expect(res).toMatchObject({ message: expect.stringContaining('另存为”.xlsx') });
  expect(t.cloud.db.count('plans', {})).toBe(before);
}, 600_000);
