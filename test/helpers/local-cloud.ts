/**
 * A LocalCloud for tests: the real cloud functions, loaded from their TS
 * sources in-process, on a fresh data folder. `as(openid)` gives a caller
 * that sends api actions the way the mini program does.
 */
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import type { ActionName, ActionRequest, ActionResponse, ApiResult } from '../../miniprogram/shared/api';
import type { LedgerActionName, LedgerRequest, LedgerResult } from '../../miniprogram/shared/ledger-api';
import { LocalCloud, type CloudMain } from '../../scripts/local-cloud/runtime';
import { localTemplates } from '../../scripts/local-cloud/templates';

export const SETUP_CODE = 'test-setup-code-2021';
export const ADMIN = 'o-test-office-admin';
/** Subscribe-message templates as configured in the function's environment. */
export const TEMPLATES = { deadline: 'tmpl-deadline-0001', returned: 'tmpl-returned-0001', urge: 'tmpl-urge-0001' } as const;

export interface TestCloud {
  cloud: LocalCloud;
  dir: string;
  as(openid: string | undefined): <A extends ActionName>(action: A, data?: ActionRequest<A>) => Promise<ApiResult<ActionResponse<A>>>;
  /** The same for the `ledger` function. */
  ledger(openid: string | undefined): <A extends LedgerActionName>(action: A, data?: LedgerRequest<A>) => Promise<LedgerResult<A>>;
  /**
   * Serves the cloud's storage over HTTP on a free port and returns its origin: what uploads
   * (POST /storage/upload), temp URLs and the functions' own uploadFile/downloads go through.
   * Calling it again while serving returns the same origin.
   */
  serve(): Promise<string>;
  stopServing(): Promise<void>;
  /** Bootstraps ADMIN and seeds the 2021 table. */
  seed(): Promise<void>;
  close(): void;
}

export function loadFromSource(fn: { dir: string }): CloudMain {
  return (require(path.join(fn.dir, 'src', 'index.ts')) as { main: CloudMain }).main;
}

/** Storage URLs before `serve()`: nothing listens there, as when the bridge is down. */
const UNSERVED = 'http://127.0.0.1:0';

/** `env`: extra function environment variables (REMINDER_BUDGET_MS, …). */
export function startTestCloud(opts: { fsync?: boolean; dir?: string; env?: Record<string, string> } = {}): TestCloud {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-test-'));
  let origin = UNSERVED;
  const cloud = new LocalCloud({
    dir,
    fsync: opts.fsync ?? false,
    load: loadFromSource,
    baseUrl: () => origin,
    functionEnv: { SETUP_CODE, SUBSCRIBE_TEMPLATES: JSON.stringify(TEMPLATES), ...opts.env },
  });
  // The templates "added in the console", with the keywords of the default keyword maps.
  cloud.openapi.setTemplates(localTemplates(TEMPLATES));
  const as: TestCloud['as'] = (openid) => (action, data) =>
    cloud.invoke('api', data === undefined ? { action } : { action, data }, { openid }) as Promise<ApiResult<never>>;
  const ledger: TestCloud['ledger'] = (openid) => (action, data) =>
    cloud.invoke('ledger', data === undefined ? { action } : { action, data }, { openid }) as Promise<ApiResult<never>>;
  let server: http.Server | undefined;
  const stopServing = async () => {
    const s = server;
    server = undefined;
    origin = UNSERVED;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    cloud,
    dir,
    as,
    ledger,
    async serve() {
      if (server) return origin;
      const s = http.createServer((req, res) => {
        if (!cloud.storage.httpHandler(req, res)) {
          res.statusCode = 404;
          res.end();
        }
      });
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      server = s;
      origin = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      return origin;
    },
    stopServing,
    async seed() {
      const admin = as(ADMIN);
      const boot = await admin('admin.bootstrap', { setupCode: SETUP_CODE, name: '测试管理员' });
      if (!boot.ok) throw new Error(`bootstrap failed: ${boot.message}`);
      const seeded = await admin('plan.seed', { year: 2021 });
      if (!seeded.ok) throw new Error(`seed failed: ${seeded.message}`);
    },
    close() {
      void stopServing();
      cloud.close();
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Unwraps an envelope that must be ok, failing the test with its message otherwise. */
export function okData<T>(res: ApiResult<T>): T {
  if (!res.ok) throw new Error(`expected ok, got ${res.code}: ${res.message}`);
  return res.data;
}
