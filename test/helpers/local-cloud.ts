/**
 * A LocalCloud for tests: the real cloud functions, loaded from their TS
 * sources in-process, on a fresh data folder, behind its HTTP bridge (so
 * storage's temporary links work, for the functions too). `as(openid)`
 * gives a caller that sends api actions the way the mini program does.
 */
import { createHash } from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { ActionName, ActionRequest, ActionResponse, ApiResult } from '../../miniprogram/shared/api';
import type { LedgerActionName, LedgerRequest, LedgerResult } from '../../miniprogram/shared/ledger-api';
import type { LinksActionName, LinksRequest, LinksResult } from '../../miniprogram/shared/links-api';
import { forgetCollectionsCheck } from '../../cloudfunctions/common/collections';
import { LocalCloud, type CloudMain } from '../../scripts/local-cloud/runtime';
import { createBridge, listen } from '../../scripts/local-cloud/server';
import { localTemplates } from '../../scripts/local-cloud/templates';

export const SETUP_CODE = 'test-setup-code-2021';
export const ADMIN = 'o-test-office-admin';
/** Subscribe-message templates as configured in the function's environment. */
export const TEMPLATES = { deadline: 'tmpl-deadline-0001', returned: 'tmpl-returned-0001', urge: 'tmpl-urge-0001' } as const;
/** A 政务民生 account's configuration: deadline and 催办 templates long-term, 退回 one-time. */
export const LONG_TERM_TEMPLATES = {
  deadline: { id: 'tmpl-deadline-long', kind: 'long-term' },
  returned: TEMPLATES.returned,
  urge: { id: 'tmpl-urge-long', kind: 'long-term' },
} as const;

export interface TestCloud {
  cloud: LocalCloud;
  dir: string;
  as(openid: string | undefined): <A extends ActionName>(action: A, data?: ActionRequest<A>) => Promise<ApiResult<ActionResponse<A>>>;
  /** The same for the `ledger` function. */
  ledger(openid: string | undefined): <A extends LedgerActionName>(action: A, data?: LedgerRequest<A>) => Promise<LedgerResult<A>>;
  /** The same for the `linkcheck` function. */
  links(openid: string | undefined): <A extends LinksActionName>(action: A, data?: LinksRequest<A>) => Promise<LinksResult<A>>;
  /** The bridge's base URL (`/call/<fn>`, `/storage/...`), once it listens. */
  origin(): Promise<string>;
  /** Bootstraps ADMIN and seeds the 2021 table. */
  seed(): Promise<void>;
  close(): void;
}

export function loadFromSource(fn: { dir: string }): CloudMain {
  return (require(path.join(fn.dir, 'src', 'index.ts')) as { main: CloudMain }).main;
}

/** How a test cloud starts when a test does not say: `TEST_CLOUD_SETUP=bare` runs a suite on a new environment. */
export const DEFAULT_SETUP: 'schema' | 'bare' = process.env.TEST_CLOUD_SETUP === 'bare' ? 'bare' : 'schema';

/**
 * `env`: extra function environment variables (REMINDER_BUDGET_MS, …). `setup: 'bare'`:
 * no collection and no index but `_id` (see LocalCloudOptions.setup). `today`: the local
 * cloud's clock (every function, the database and storage see it; the test itself keeps real time).
 */
export function startTestCloud(
  opts: {
    fsync?: boolean;
    dir?: string;
    env?: Record<string, string>;
    setup?: 'schema' | 'bare';
    today?: Date;
    /** The storage security rule file (LocalCloudOptions.storageRuleFile); default the shipped one. */
    storageRuleFile?: string | null;
  } = {},
): TestCloud {
  forgetCollectionsCheck();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-test-'));
  let base = 'http://127.0.0.1:0';
  const cloud = new LocalCloud({
    dir,
    fsync: opts.fsync ?? false,
    load: loadFromSource,
    functionEnv: { SETUP_CODE, SUBSCRIBE_TEMPLATES: JSON.stringify(TEMPLATES), ...opts.env },
    baseUrl: () => base,
    setup: opts.setup ?? DEFAULT_SETUP,
    ...(opts.storageRuleFile !== undefined ? { storageRuleFile: opts.storageRuleFile } : {}),
  });
  if (opts.today) cloud.clock.set(opts.today);
  const bridge = createBridge(cloud);
  const listening = listen(bridge, 0).then((url) => (base = url));
  // The templates "added in the console", with the keywords of the default keyword maps.
  cloud.openapi.setTemplates(localTemplates(TEMPLATES));
  const as: TestCloud['as'] = (openid) => (action, data) =>
    cloud.invoke('api', data === undefined ? { action } : { action, data }, { openid }) as Promise<ApiResult<never>>;
  const ledger: TestCloud['ledger'] = (openid) => async (action, data) => {
    // The ledger writes and reads storage over the bridge, like a function in the cloud.
    await listening;
    return cloud.invoke('ledger', data === undefined ? { action } : { action, data }, { openid }) as Promise<ApiResult<never>>;
  };
  const links: TestCloud['links'] = (openid) => async (action, data) => {
    await listening;
    return cloud.invoke('linkcheck', data === undefined ? { action } : { action, data }, { openid }) as Promise<ApiResult<never>>;
  };
  return {
    cloud,
    dir,
    as,
    ledger,
    links,
    origin: () => listening,
    async seed() {
      await listening;
      const admin = as(ADMIN);
      const boot = await admin('admin.bootstrap', { setupCode: SETUP_CODE, name: '测试管理员' });
      if (!boot.ok) throw new Error(`bootstrap failed: ${boot.message}`);
      const seeded = await admin('plan.seed', { year: 2021 });
      if (!seeded.ok) throw new Error(`seed failed: ${seeded.message}`);
    },
    close() {
      bridge.closeAllConnections();
      bridge.close();
      cloud.close();
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What the database and storage hold, to the write: the journal's size,
 * every collection's count, and every stored file (path, size, upload time:
 * a file written over changes it too). Equal before and after a call = the
 * call wrote nothing. `exceptPrefix`: files under it are left out (e.g.
 * evidence copies a failed submit may leave, which nothing refers to).
 */
export function writeMark(t: TestCloud, opts: { exceptPrefix?: string } = {}): string {
  const journal = path.join(t.dir, 'db', 'journal.log');
  const counts = t.cloud.db
    .listCollections()
    .map((c) => `${c.name}=${c.count}`)
    .sort()
    .join(',');
  const files = t.cloud.storage.count();
  const stored = t.cloud.storage
    .list({ limit: files })
    .filter((f) => opts.exceptPrefix === undefined || !f.cloudPath.startsWith(opts.exceptPrefix))
    .map((f) => `${f.cloudPath}|${f.size}|${f.uploadedAt}`)
    .join('\n');
  const digest = createHash('sha256').update(stored).digest('hex').slice(0, 12);
  const kept = opts.exceptPrefix === undefined ? files : t.cloud.storage.count() - t.cloud.storage.count({ prefix: opts.exceptPrefix });
  return `journal=${fs.existsSync(journal) ? fs.statSync(journal).size : 0};${counts};storage=${kept} files ${digest}`;
}

/** Unwraps an envelope that must be ok, failing the test with its message otherwise. */
export function okData<T>(res: ApiResult<T>): T {
  if (!res.ok) throw new Error(`expected ok, got ${res.code}: ${res.message}`);
  return res.data;
}

/** Unwraps an envelope that must be a refusal, failing the test when it is ok. */
export function refused(res: ApiResult<unknown>): { code: string; field?: string; message: string } {
  if (res.ok) throw new Error('expected a refusal, got ok');
  return res;
}
