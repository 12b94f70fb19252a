/**
 * The built `api` function in two files: index.js, which a cold start
 * loads, and office.js beside it, loaded on the first office call. Run on
 * the built bundle (`npm run build`), as the function is deployed: the
 * folder with both files and index.js as entry.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LocalCloud, REPO_ROOT } from '../../scripts/local-cloud/runtime';
import { okData, refused } from '../helpers/local-cloud';

const API_DIR = path.join(REPO_ROOT, 'cloudfunctions', 'api');
const OFFICE = 'o-lazy-office-admin';
const SETUP_CODE = 'lazy-office-setup-code';

/** Which of the function's files a fresh process has loaded after `script`. */
function loadedAfter(script: string): string[] {
  const probe =
    `process.env.TENCENTCLOUD_SECRETID='x';process.env.TENCENTCLOUD_SECRETKEY='x';` +
    `const api=require(${JSON.stringify(path.join(API_DIR, 'index.js'))});${script};` +
    `process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k)=>k.startsWith(${JSON.stringify(API_DIR)})).map((k)=>require('path').basename(k))))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: REPO_ROOT, encoding: 'utf8' })) as string[];
}

describe('the api bundle loads the office part on first use', () => {
  beforeAll(() => {
    for (const file of ['index.js', 'office.js']) {
      if (!fs.existsSync(path.join(API_DIR, file))) throw new Error(`cloudfunctions/api/${file} missing: run npm run build first`);
    }
  });

  it('a cold start loads index.js only', () => {
    expect(loadedAfter('')).toEqual(['index.js']);
  });

  it('an office action loads office.js, which takes the shared modules from index.js', () => {
    // The office part has no copy of the SDK set-up (one cloud.init, one database handle).
    const office = fs.readFileSync(path.join(API_DIR, 'office.js'), 'utf8');
    expect(office).not.toContain('wx-server-sdk');
    expect(office).toContain('require("./index.js").__modules');
    expect(loadedAfter(`require(${JSON.stringify(path.join(API_DIR, 'office.js'))})`).sort()).toEqual(['index.js', 'office.js']);
  });

  it('office actions work through the built files, refusals included', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-lazy-'));
    // The default loader: the built index.js, as deployed.
    const cloud = new LocalCloud({ dir, fsync: false, functionEnv: { SETUP_CODE } });
    try {
      const api = (action: string, data?: unknown) =>
        cloud.invoke('api', data === undefined ? { action } : { action, data }, { openid: OFFICE }) as Promise<never>;
      okData(await api('admin.bootstrap', { setupCode: SETUP_CODE, name: '测试管理员' }));
      // plan.seed reads the 2021 table from the office part.
      const seeded = okData<{ planId: string }>(await api('plan.seed', { year: 2021 }));
      expect(seeded.planId).toBe('plan-2021');
      const units = okData<unknown[]>(await api('unit.directory'));
      expect(units.length).toBe(35);
      // An ApiFailure thrown in office.js is the class index.js's router knows: a clear refusal, not INTERNAL.
      const r = refused(await api('unit.update', { id: 'no-such-unit', name: '不存在的单位' }));
      expect(r.code).toBe('NOT_FOUND');
      expect(r.field).toBe('id');
    } finally {
      cloud.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
