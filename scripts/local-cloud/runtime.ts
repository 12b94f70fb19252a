/**
 * The local cloud: the real cloud functions, unchanged, with the real
 * wx-server-sdk, answered by local backends (an embedded durable database,
 * a storage folder, a subscribe-message outbox) through one seam. Used by
 * `npm start`, by the full-stack tests (in-process) and by the benchmarks.
 * It is never a second implementation of business logic: every rule runs
 * in the functions themselves.
 */
import { AsyncLocalStorage } from 'async_hooks';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { createDatabaseBackend, type DatabaseBackend } from './db/database';
import { discoverFunctions, type FunctionConfig } from './functions';
import { runAs, type CallIdentity } from './identity';
import { createOpenApiBackend, type OpenApiBackend } from './openapi';
import { createOpenDataBackend, GET_OPEN_DATA_API, type OpenDataBackend } from './opendata';
import { installSdkSeam } from './sdk-seam';
import { createStorageBackend, type StorageBackend } from './storage';
import { loadStorageRule } from './storage-rules';
import { nextFire } from './cron';
import { LocalClock } from './clock';
import { INDEXES } from '../../cloudfunctions/common/schema';
import { LOCAL_NETWORK, type LocalNetworkPolicy } from '../../cloudfunctions/common/link-fetch';

export type CloudMain = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

export interface LocalCloudOptions {
  /** Data folder: database journal, files, outbox. */
  dir: string;
  envId?: string;
  appid?: string;
  /** fsync every acknowledged write (on by default; tests may turn it off for speed). */
  fsync?: boolean;
  functionsRoot?: string;
  /** How to load a function's `main`: the esbuild bundle by default, TS sources in tests. */
  load?: (fn: FunctionConfig) => CloudMain;
  /** Environment variables the functions see, as configured in the 云开发 console. */
  functionEnv?: Record<string, string>;
  /**
   * Storage security rule file client uploads are judged by: the project's shipped
   * rule by default; null for the platform's default rule (a bucket never configured).
   */
  storageRuleFile?: string | null;
  /** Base URL of the HTTP bridge, for storage URLs; set by the server once it listens. */
  baseUrl?: () => string;
  /** Whether functions may fetch public internet addresses (the link check); off by default: the local cloud stays offline. */
  internet?: boolean;
  /**
   * `schema` (default): the collections and speed indexes of common/schema.ts, as a
   * deployment that took the optional console steps. `bare`: a new 云开发 environment —
   * no collection, no index but `_id`; the functions create the collections themselves.
   */
  setup?: 'schema' | 'bare';
}

export interface CallRecord {
  at: Date;
  fn: string;
  action?: string;
  /** Masked: the console and logs never show a full OPENID. */
  caller: string;
  source: CallIdentity['source'];
  ms: number;
  /** `ok`, the envelope's error code, or the platform error. */
  result: string;
}

export class LocalCallError extends Error {
  constructor(
    readonly errCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'LocalCallError';
  }
}

/** The project root, found upwards so this works from sources and from the bundle. */
export const REPO_ROOT = (() => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'project.config.json'))) return dir;
  }
  throw new Error('project root (project.config.json) not found above ' + __dirname);
})();
/** The storage security rule the deployment pastes into the console (README 部署). */
export const STORAGE_RULE_FILE = path.join(REPO_ROOT, 'storage.rules.json');
const RECENT_CALLS = 200;
const ACTION_NAME = /^[A-Za-z][\w.-]{0,63}$/;

/**
 * What to tell someone whose tool (`npm run remind`, `npm run ledger`, a second `npm start`)
 * found the data folder locked by a running local cloud: how to stop it. Undefined for other errors.
 */
export function lockRefusal(err: unknown, dir: string, tool: string): string | undefined {
  const text = err instanceof Error ? err.message : String(err);
  if (!/already open/.test(text)) return undefined;
  const pid = /process (\d+)/.exec(text)?.[1];
  const how = pid ? `在运行 npm start 的终端按 Ctrl+C，或运行 kill ${pid}` : '在运行 npm start 的终端按 Ctrl+C';
  return `数据目录 ${dir} 正被本地云使用${pid ? `（进程 ${pid}）` : ''}。请先停止它（${how}），再运行 ${tool}。`;
}

export function maskOpenid(openid: string | undefined): string {
  if (!openid) return '-';
  return openid.length <= 8 ? `${openid.slice(0, 2)}***` : `${openid.slice(0, 4)}***${openid.slice(-4)}`;
}

export class LocalCloud {
  readonly db: DatabaseBackend;
  readonly storage: StorageBackend;
  readonly openapi: OpenApiBackend;
  readonly opendata: OpenDataBackend;
  readonly envId: string;
  readonly functions: Map<string, FunctionConfig>;
  readonly calls: CallRecord[] = [];
  /** The time every function, the database, storage and the timers see (settable locally). */
  readonly clock = new LocalClock();
  private readonly appid: string;
  private readonly load: (fn: FunctionConfig) => CloudMain;
  private readonly loaded = new Map<string, CloudMain>();
  private readonly functionEnv: Record<string, string>;
  private readonly running = new AsyncLocalStorage<FunctionConfig>();
  private readonly uninstall: () => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /**
   * Outbound network of the functions (the link check): the policy the local
   * runtime, and only it, installs. Internal addresses stay refused except
   * the origins a test serves pages from.
   */
  readonly network: LocalNetworkPolicy & { allowOrigins: string[]; hosts: Record<string, string> };
  private readonly previousNetwork: unknown;
  private timersOn?: (fn: string, trigger: string, result: unknown) => void;

  constructor(opts: LocalCloudOptions) {
    // A rule it cannot evaluate stops the start here, before anything is opened, rather than allowing everything.
    const storageRule = loadStorageRule(opts.storageRuleFile === undefined ? STORAGE_RULE_FILE : opts.storageRuleFile);
    fs.mkdirSync(opts.dir, { recursive: true });
    this.envId = opts.envId ?? 'local-dev';
    this.appid = opts.appid ?? 'wx0000000000local';
    this.functionEnv = opts.functionEnv ?? {};
    this.load = opts.load ?? ((fn) => (require(path.join(fn.dir, 'index.js')) as { main: CloudMain }).main);
    const now = () => this.clock.now();
    this.db = createDatabaseBackend({ dir: path.join(opts.dir, 'db'), fsync: opts.fsync ?? true, now });
    this.storage = createStorageBackend({
      dir: path.join(opts.dir, 'storage'),
      envId: this.envId,
      baseUrl: opts.baseUrl ?? (() => 'http://127.0.0.1:0'),
      rule: storageRule,
      now: () => now().getTime(),
    });
    this.openapi = createOpenApiBackend({ dir: path.join(opts.dir, 'openapi'), now });
    this.opendata = createOpenDataBackend({ dir: path.join(opts.dir, 'opendata'), appid: this.appid, now });
    // A clock set from the console moves the next timer runs with it.
    this.clock.onChange(() => {
      if (this.timersOn !== undefined || this.timers.size > 0) this.startTimers(this.timersOn);
    });
    this.functions = new Map(discoverFunctions(opts.functionsRoot ?? path.join(REPO_ROOT, 'cloudfunctions')).map((f) => [f.name, f]));
    if ((opts.setup ?? 'schema') === 'schema') {
      for (const [collection, indexes] of Object.entries(INDEXES)) {
        this.db.ensureCollection(collection);
        for (const index of indexes) this.db.createIndex(collection, index);
      }
    }
    this.network = { internet: opts.internet ?? false, allowOrigins: [], hosts: {} };
    const global = globalThis as Record<symbol, unknown>;
    this.previousNetwork = global[LOCAL_NETWORK];
    global[LOCAL_NETWORK] = this.network;
    this.uninstall = installSdkSeam({
      'database.': this.db.handle,
      'storage.': this.storage.handle,
      'wx.': (params, args) => this.openApi(params, args),
    });
  }

  /** The platform refuses open API calls a function's config.json does not declare (-604101). */
  private openApi: OpenApiBackend['handle'] = (params, args) => {
    const fn = this.running.getStore();
    const api = String(params.apiName ?? '');
    // CloudID open data needs no config.json permission; it resolves for the calling user,
    // whom the platform knows from the invocation (locally: the identity overlay).
    if (params.action === 'wx.openApi' && api === GET_OPEN_DATA_API)
      return this.opendata.handle(params, process.env.WX_OPENID || undefined);
    if (params.action === 'wx.openApi' && (!fn || !fn.openapi.includes(api))) {
      return Promise.resolve({
        code: 'PERMISSION_DENIED',
        message: `-604101 function has no permission to call this API: ${api} (add it to ${fn?.name ?? '?'}/config.json permissions.openapi)`,
      });
    }
    return this.openapi.handle(params, args);
  };

  private main(fn: FunctionConfig): CloudMain {
    let main = this.loaded.get(fn.name);
    if (!main) {
      main = this.load(fn);
      this.loaded.set(fn.name, main);
    }
    return main;
  }

  /** Calls a function as the platform would: with an identity, a timeout and a context. */
  async invoke(name: string, event: unknown, who: { openid?: string; source?: CallIdentity['source'] } = {}): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) throw new LocalCallError(-501000, `FunctionName parameter could not be found: ${name}`);
    const source = who.source ?? 'wx_client';
    const identity: CallIdentity = { openid: who.openid, appid: this.appid, source, envId: this.envId };
    const requestId = crypto.randomUUID();
    // The platform adds userInfo to client calls; our functions ignore it and use getWXContext().
    const fullEvent =
      source === 'wx_client' && event && typeof event === 'object'
        ? { ...(event as object), userInfo: { appId: this.appid, openId: who.openid } }
        : event;
    const context = { request_id: requestId, function_name: name, namespace: this.envId, time_limit_in_ms: fn.timeout * 1000 };
    const started = Date.now();
    let result = 'ok';
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = this.clock.run(() =>
        runAs(identity, () => this.running.run(fn, () => this.main(fn)(fullEvent, context)), this.functionEnv),
      );
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LocalCallError(-504003, `Invoking task timed out after ${fn.timeout} seconds`)),
          fn.timeout * 1000,
        );
      });
      const out = await Promise.race([run, timeout]);
      if (out && typeof out === 'object' && (out as { ok?: unknown }).ok === false) {
        result = String((out as { code?: unknown }).code ?? 'error');
      }
      return out;
    } catch (err) {
      result = err instanceof LocalCallError ? String(err.errCode) : 'exception';
      if (err instanceof LocalCallError) throw err;
      throw new LocalCallError(-504002, `functions execute fail: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
      const action = event && typeof event === 'object' ? (event as { action?: unknown }).action : undefined;
      this.calls.push({
        at: new Date(started),
        fn: name,
        // Only a well-formed action name: the log never holds what the caller typed elsewhere.
        action: typeof action === 'string' ? (ACTION_NAME.test(action) ? action : '(invalid)') : undefined,
        caller: maskOpenid(who.openid),
        source,
        ms: Date.now() - started,
        result,
      });
      if (this.calls.length > RECENT_CALLS) this.calls.splice(0, this.calls.length - RECENT_CALLS);
    }
  }

  /**
   * A group CloudID for `openid`, as wx.getGroupEnterInfo gives a user who opened the
   * mini program from a card in group `opengid`. Only that user's calls can resolve it.
   */
  issueGroupCloudId(openid: string, opengid: string, opts?: { ttlMs?: number }): string {
    return this.opendata.issueGroupCloudId(openid, opengid, opts);
  }

  /** Fires a timer trigger now, as the platform would (no OPENID, SOURCE wx_trigger). */
  runTrigger(name: string, trigger: string, extra: Record<string, unknown> = {}): Promise<unknown> {
    const fn = this.functions.get(name);
    const t = fn?.triggers.find((x) => x.name === trigger);
    if (!fn || !t) throw new LocalCallError(-501000, `no trigger ${trigger} on ${name}`);
    const event = { Type: 'Timer', TriggerName: t.name, Time: this.clock.now().toISOString(), Message: '', ...extra };
    return this.invoke(name, event, { source: 'wx_trigger' });
  }

  /** Schedules every timer trigger per its cron; returns the next fire times. */
  startTimers(onFire?: (fn: string, trigger: string, result: unknown) => void): { fn: string; trigger: string; next?: Date }[] {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.timersOn = onFire;
    const plan: { fn: string; trigger: string; next?: Date }[] = [];
    for (const fn of this.functions.values()) {
      for (const t of fn.triggers) {
        const schedule = () => {
          const next = nextFire(t.cron, this.clock.now());
          if (!next) return undefined;
          // setTimeout's longest delay is ~24.8 days: beyond it, look again later.
          const delay = Math.min(next.getTime() - this.clock.now().getTime(), 2 ** 31 - 1);
          const handle = setTimeout(
            () => {
              if (this.clock.now() < next) return void schedule();
              this.runTrigger(fn.name, t.name).then(
                (r) => onFire?.(fn.name, t.name, r),
                (e: unknown) => onFire?.(fn.name, t.name, e),
              );
              schedule();
            },
            Math.max(0, delay),
          );
          this.timers.set(`${fn.name}/${t.name}`, handle);
          return next;
        };
        plan.push({ fn: fn.name, trigger: t.name, next: schedule() });
      }
    }
    return plan;
  }

  /** Test only: lets the functions fetch pages from `origin` (a loopback test server), optionally under another host name. */
  allowOrigin(origin: string, hostName?: string): string {
    const url = new URL(origin);
    if (hostName === undefined) {
      this.network.allowOrigins.push(url.origin);
      return url.origin;
    }
    this.network.hosts[hostName] = url.hostname;
    // As URL.origin writes it (a default port is left out), since that is what a fetch compares.
    const named = new URL(`${url.protocol}//${hostName}:${url.port}`).origin;
    this.network.allowOrigins.push(named);
    return named;
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    (globalThis as Record<symbol, unknown>)[LOCAL_NETWORK] = this.previousNetwork;
    this.uninstall();
    this.db.close();
  }
}
