/**
 * Local stand-in for WeChat's open API as reached through CloudBase (`wx.openApi`).
 *
 * `cloud.openapi.subscribeMessage.send(...)` reaches us as a protobuf `CommApiData` whose
 * pairs hold the snake_cased, JSON-encoded arguments; WeChat's answer goes back as a
 * protobuf `CommOpenApiResp` carrying WeChat's JSON body, so the real wx-server-sdk turns
 * `{ errcode: 0 }` into `{ errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' }` and any
 * other errcode into a thrown CloudSDKError with that errCode.
 *
 * Sends are checked like WeChat checks them (template, keyword value rules, page, the person's
 * subscription: one-time quota, or a long-term accept that holds until the person turns it
 * off) and every attempt lands in an fsynced JSON-lines outbox.
 */
import crypto from 'crypto';
import fs from 'fs';
import fsp from 'fs/promises';
import path from 'path';
import { wxProtobuf } from './protobuf';
import type { SdkHandler } from './sdk-seam';

/** Keyword kinds from WeChat's 订阅消息参数值内容限制说明. */
export type KeywordType =
  | 'thing'
  | 'number'
  | 'letter'
  | 'symbol'
  | 'character_string'
  | 'time'
  | 'date'
  | 'amount'
  | 'phone_number'
  | 'car_number'
  | 'name'
  | 'phrase';

export type KeywordSpec = KeywordType | { type: 'enum'; values: readonly string[] };

export interface TemplateConfig {
  title: string;
  /** Keyword key as used in `data` (e.g. thing1) → its kind. */
  keywords: Record<string, KeywordSpec>;
  /** 长期订阅 template (public-service categories): one accept, messages until turned off. Default one-time. */
  longTerm?: boolean;
}

export type QuotaPolicy = 'enforce' | 'unlimited';

export interface SendResult {
  errCode: number;
  errMsg: string;
}

export interface OutboxEntry {
  id: string;
  /** ISO 8601 */
  at: string;
  touser: string;
  templateId: string;
  page?: string;
  data: unknown;
  miniprogramState: string;
  lang?: string;
  result: SendResult;
}

export interface OpenApiBackendOptions {
  dir: string;
  now?: () => Date;
  /** Simulated time WeChat takes to answer a send, in ms (default 0): for benchmarks and time-budget tests. */
  latencyMs?: number;
}

export interface OpenApiBackend {
  handle: SdkHandler;
  /** Replaces the configured templates (the ones "added" in the mini program console). */
  setTemplates(templates: Record<string, TemplateConfig>): void;
  /** The configured templates, keyed by id (a copy). */
  templates(): Record<string, TemplateConfig>;
  /** When set, `page` must be one of these (app.json pages, no leading '/'); otherwise any well-formed path passes. */
  setPages(pages: readonly string[] | undefined): void;
  /**
   * An accepted wx.requestSubscribeMessage: adds `n` one-time subscriptions, or on a long-term
   * template turns the subscription on (n is then irrelevant). Returns what is left to send
   * (Infinity for a long-term subscription that holds).
   */
  grant(openid: string, templateId: string, n?: number): number;
  /** The person turns the template off in the mini program's settings: every later send gets 43101. */
  revoke(openid: string, templateId: string): void;
  /** Messages left for the person on the template (Infinity: a long-term subscription that holds). */
  quota(openid: string, templateId: string): number;
  setQuotaPolicy(policy: QuotaPolicy): void;
  outbox(opts?: { offset?: number; limit?: number; touser?: string }): OutboxEntry[];
  /** The next `times` sends fail with `errCode` (recorded in the outbox, no quota consumed). */
  failNext(errCode: number, times?: number): void;
  /** Every send answers after `ms` (0: at once). */
  setLatency(ms: number): void;
}

export const KEYWORD_TYPES: readonly KeywordType[] = [
  'thing',
  'number',
  'letter',
  'symbol',
  'character_string',
  'time',
  'date',
  'amount',
  'phone_number',
  'car_number',
  'name',
  'phrase',
];

/** WeChat's errmsg texts for the codes we produce. */
const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40003: 'invalid openid',
  40037: 'invalid template_id',
  41030: 'invalid page',
  43101: 'user refuse to accept the msg',
  47001: 'data format error',
  47003: 'argument invalid!',
  45009: 'reach max api daily quota limit',
};

const MINIPROGRAM_STATES = ['developer', 'trial', 'formal'];
const LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW'];

// ---- keyword value rules ----------------------------------------------------------------

const HAN = /\p{Script=Han}/u;
const DATE_PART = String.raw`(\d{4})(?:年(\d{1,2})月(\d{1,2})日|-(\d{1,2})-(\d{1,2})|\/(\d{1,2})\/(\d{1,2}))`;
const TIME_PART = String.raw`(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?`;
const DATE_POINT = new RegExp(String.raw`^${DATE_PART}(?:\s*${TIME_PART})?$`);
const TIME_POINT = new RegExp(String.raw`^(?:${DATE_PART}\s*)?${TIME_PART}$`);

function realDate(point: string): boolean {
  const m = new RegExp(`^${DATE_PART}`).exec(point);
  if (!m) return true; // a bare time has no date to check
  const year = Number(m[1]);
  const month = Number(m[2] ?? m[4] ?? m[6]);
  const day = Number(m[3] ?? m[5] ?? m[7]);
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** time/date accept one point or a range "a~b". */
function timeLike(value: string, point: RegExp): boolean {
  const parts = value.split('~').map((p) => p.trim());
  if (parts.length > 2) return false;
  return parts.every((p) => point.test(p) && realDate(p));
}

function chars(value: string): number {
  return [...value].length;
}

/** Returns null when `value` is acceptable for the keyword kind. */
export function keywordValueProblem(spec: KeywordSpec, value: string): 'empty' | 'invalid' | null {
  if (value.trim() === '') return 'empty';
  if (/[\r\n]/.test(value)) return 'invalid';
  const type = typeof spec === 'string' ? spec : spec.type;
  const ok = ((): boolean => {
    switch (type) {
      case 'thing':
        return chars(value) <= 20;
      case 'number':
        return value.length <= 32 && /^\d+(\.\d+)?$/.test(value);
      case 'letter':
        return /^[A-Za-z]{1,32}$/.test(value);
      case 'symbol':
        return /^[^\p{L}\p{N}\s]{1,5}$/u.test(value);
      case 'character_string':
        return /^[\x21-\x7e]{1,32}$/.test(value);
      case 'time':
        return timeLike(value, TIME_POINT);
      case 'date':
        return timeLike(value, DATE_POINT);
      case 'amount': {
        const m = /^[¥￥$€£]?(\d+)(?:\.(\d+))?元?$/.exec(value);
        return !!m && (m[1] ?? '').length + (m[2] ?? '').length <= 10;
      }
      case 'phone_number':
        return /^[0-9\p{P}\p{S}]{1,17}$/u.test(value) && /\d/.test(value);
      case 'car_number':
        return /^[\p{Script=Han}A-Za-z0-9](?:[A-Za-z0-9]{0,6}[\p{Script=Han}A-Za-z0-9])?$/u.test(value);
      case 'name':
        // Mixed Chinese and Latin counts as a Chinese name (10); pure Latin/symbols may use 20.
        if (/\d/.test(value)) return false;
        if (HAN.test(value)) return chars(value) <= 10 && /^[\p{Script=Han}A-Za-z·•. -]+$/u.test(value);
        return chars(value) <= 20 && /^[A-Za-z\p{P}\p{S} ]+$/u.test(value);
      case 'phrase':
        return /^\p{Script=Han}{1,5}$/u.test(value);
      case 'enum':
        return typeof spec !== 'string' && spec.values.includes(value);
      default:
        return false;
    }
  })();
  return ok ? null : 'invalid';
}

// ---- protobuf -------------------------------------------------------------------------

/** Decodes CommApiData into its JSON-valued arguments (the SDK JSON-encodes each value). */
export function decodeOpenApiRequest(buffer: Uint8Array): Record<string, unknown> {
  const { CommApiData } = wxProtobuf();
  const message = CommApiData.toObject(CommApiData.decode(buffer), { defaults: true }) as {
    openapiData?: { pairs?: { key: string; value: Uint8Array }[] };
  };
  const args: Record<string, unknown> = {};
  for (const pair of message.openapiData?.pairs ?? []) {
    const text = Buffer.from(pair.value).toString('utf8');
    try {
      args[pair.key] = JSON.parse(text) as unknown;
    } catch {
      args[pair.key] = text;
    }
  }
  return args;
}

/** Wraps WeChat's JSON body the way CloudBase relays it. */
export function encodeOpenApiResponse(body: Record<string, unknown>): Buffer {
  const { CommOpenApiResp } = wxProtobuf();
  const message = CommOpenApiResp.create({
    respData: Buffer.from(JSON.stringify(body)),
    contentType: 'application/json; charset=utf-8',
    errorCode: 0,
    httpCode: 200,
  });
  return Buffer.from(CommOpenApiResp.encode(message).finish());
}

// ---- backend ----------------------------------------------------------------------------

function rid(): string {
  const hex = (n: number): string => crypto.randomBytes(n).toString('hex');
  return `${hex(4)}-${hex(4)}-${hex(4)}`;
}

class WxError {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {}
  get errmsg(): string {
    const base = this.detail ?? ERRMSG[this.errcode] ?? 'injected error';
    return `${base} rid: ${rid()}`;
  }
}

function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function createOpenApiBackend(opts: OpenApiBackendOptions): OpenApiBackend {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const outboxFile = path.join(dir, 'outbox.jsonl');
  const quotaFile = path.join(dir, 'subscriptions.json');
  const now = opts.now ?? (() => new Date());

  let templates: Record<string, TemplateConfig> = {};
  let pages: Set<string> | undefined;
  let policy: QuotaPolicy = 'enforce';
  let latencyMs = opts.latencyMs ?? 0;
  const faults: number[] = [];
  const { quotas, longTerm } = loadSubscriptions();
  let appendChain: Promise<void> = Promise.resolve();
  repairTornTail();

  /** A crash mid-append may leave a line without its newline; end it so the next entry stays parseable. */
  function repairTornTail(): void {
    let fd: number | undefined;
    try {
      fd = fs.openSync(outboxFile, 'r+');
      const size = fs.fstatSync(fd).size;
      if (size === 0) return;
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) fs.writeSync(fd, '\n', size);
    } catch {
      // no outbox yet
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** `{quotas: {key: n}, longTerm: [key]}`; an older file is the bare quotas object. */
  function loadSubscriptions(): { quotas: Map<string, number>; longTerm: Set<string> } {
    try {
      const raw = JSON.parse(fs.readFileSync(quotaFile, 'utf8')) as Record<string, unknown>;
      const counts = (raw.quotas && typeof raw.quotas === 'object' ? raw.quotas : raw) as Record<string, unknown>;
      return {
        quotas: new Map(
          Object.entries(counts).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isInteger(e[1]) && e[1] > 0),
        ),
        longTerm: new Set(Array.isArray(raw.longTerm) ? raw.longTerm.filter((k): k is string => typeof k === 'string') : []),
      };
    } catch {
      return { quotas: new Map(), longTerm: new Set() };
    }
  }

  function saveQuotas(): void {
    const tmp = `${quotaFile}.${crypto.randomUUID()}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ quotas: Object.fromEntries(quotas), longTerm: [...longTerm] }));
    fs.renameSync(tmp, quotaFile);
  }

  const isLongTerm = (templateId: string): boolean => templates[templateId]?.longTerm === true;

  const quotaKey = (openid: string, templateId: string): string => `${openid}\u0000${templateId}`;

  /** Appends one line and fsyncs; appends are serialized so lines never interleave. */
  function append(entry: OutboxEntry): Promise<void> {
    const line = JSON.stringify(entry) + '\n';
    const run = appendChain.then(async () => {
      const fh = await fsp.open(outboxFile, 'a');
      try {
        await fh.write(line);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    appendChain = run.catch(() => undefined);
    return run;
  }

  function validate(args: Record<string, unknown>): WxError | null {
    const touser = asString(args.touser);
    if (!touser || !/^[A-Za-z0-9_-]{6,64}$/.test(touser)) return new WxError(40003);
    const templateId = asString(args.template_id);
    const template =
      templateId !== undefined && Object.prototype.hasOwnProperty.call(templates, templateId) ? templates[templateId] : undefined;
    if (!template) return new WxError(40037);
    const page = args.page;
    if (page !== undefined && page !== null && page !== '') {
      if (typeof page !== 'string' || !/^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*(?:\?[^\s#]*)?$/.test(page) || page.length > 1024) {
        return new WxError(41030);
      }
      if (pages && !pages.has(page.split('?')[0] ?? '')) return new WxError(41030);
    }
    const state = args.miniprogram_state;
    if (state !== undefined && (typeof state !== 'string' || !MINIPROGRAM_STATES.includes(state))) {
      return new WxError(47003, 'argument invalid! miniprogram_state invalid');
    }
    const lang = args.lang;
    if (lang !== undefined && (typeof lang !== 'string' || !LANGS.includes(lang))) {
      return new WxError(47003, 'argument invalid! lang invalid');
    }
    const data = args.data;
    if (!data || typeof data !== 'object' || Array.isArray(data)) return new WxError(47003, 'argument invalid! data is empty');
    const given = data as Record<string, unknown>;
    for (const key of Object.keys(given)) {
      if (!Object.prototype.hasOwnProperty.call(template.keywords, key)) {
        return new WxError(47003, `argument invalid! data.${key} is not a keyword of the template`);
      }
    }
    for (const [key, spec] of Object.entries(template.keywords)) {
      const entry = given[key];
      const raw = entry && typeof entry === 'object' ? (entry as { value?: unknown }).value : undefined;
      if (raw === undefined || raw === null) return new WxError(47003, `argument invalid! data.${key}.value is empty`);
      const value = asString(raw);
      if (value === undefined) return new WxError(47003, `argument invalid! data.${key}.value invalid`);
      const problem = keywordValueProblem(spec, value);
      if (problem === 'empty') return new WxError(47003, `argument invalid! data.${key}.value is empty`);
      if (problem) return new WxError(47003, `argument invalid! data.${key}.value invalid`);
    }
    if (policy === 'enforce') {
      const key = quotaKey(touser, templateId as string);
      const held = template.longTerm === true ? longTerm.has(key) : (quotas.get(key) ?? 0) > 0;
      if (!held) return new WxError(43101);
    }
    return null;
  }

  async function subscribeMessageSend(args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const touser = asString(args.touser) ?? '';
    const templateId = asString(args.template_id) ?? '';
    const injected = faults.shift();
    const error = injected !== undefined ? new WxError(injected) : validate(args);
    // A long-term subscription is not used up by a message.
    if (!error && policy === 'enforce' && !isLongTerm(templateId)) {
      const key = quotaKey(touser, templateId);
      const left = (quotas.get(key) ?? 0) - 1;
      if (left > 0) quotas.set(key, left);
      else quotas.delete(key);
      saveQuotas();
    }
    const result: SendResult = error ? { errCode: error.errcode, errMsg: error.errmsg } : { errCode: 0, errMsg: 'ok' };
    const entry: OutboxEntry = {
      id: crypto.randomUUID(),
      at: now().toISOString(),
      touser,
      templateId,
      data: args.data ?? null,
      miniprogramState: typeof args.miniprogram_state === 'string' ? args.miniprogram_state : 'formal',
      result,
    };
    if (typeof args.page === 'string' && args.page !== '') entry.page = args.page;
    if (typeof args.lang === 'string') entry.lang = args.lang;
    await append(entry);
    return { errcode: result.errCode, errmsg: result.errMsg };
  }

  const handle: SdkHandler = async (params) => {
    if (params.action !== 'wx.openApi') {
      return { code: 'LOCAL_UNSUPPORTED_ACTION', message: `local cloud does not implement ${params.action}` };
    }
    const apiName = String(params.apiName ?? '');
    if (apiName !== 'subscribeMessage.send') {
      return { code: 'LOCAL_UNSUPPORTED_ACTION', message: `local cloud does not implement openapi.${apiName}` };
    }
    const requestData = params.requestData;
    let args: Record<string, unknown>;
    try {
      // isView, not instanceof: under jest the Buffer may come from another realm.
      if (!ArrayBuffer.isView(requestData)) throw new Error('requestData is not a buffer');
      args = decodeOpenApiRequest(new Uint8Array(requestData.buffer, requestData.byteOffset, requestData.byteLength));
    } catch {
      return encodeOpenApiResponse({ errcode: 47001, errmsg: `${ERRMSG[47001]} rid: ${rid()}` });
    }
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return encodeOpenApiResponse(await subscribeMessageSend(args));
  };

  return {
    handle,
    setTemplates(next) {
      for (const [id, t] of Object.entries(next)) {
        for (const [key, spec] of Object.entries(t.keywords)) {
          const type = typeof spec === 'string' ? spec : spec.type;
          if (type !== 'enum' && !KEYWORD_TYPES.includes(type)) {
            throw new Error(`template ${id}: keyword ${key} has unknown type ${String(type)}`);
          }
        }
      }
      templates = { ...next };
    },
    templates() {
      return { ...templates };
    },
    setPages(next) {
      pages = next ? new Set(next.map((p) => p.replace(/^\//, ''))) : undefined;
    },
    grant(openid, templateId, n = 1) {
      if (!Number.isInteger(n) || n <= 0) throw new Error('grant: n must be a positive integer');
      const key = quotaKey(openid, templateId);
      if (isLongTerm(templateId)) {
        longTerm.add(key);
        saveQuotas();
        return Infinity;
      }
      const total = (quotas.get(key) ?? 0) + n;
      quotas.set(key, total);
      saveQuotas();
      return total;
    },
    revoke(openid, templateId) {
      const key = quotaKey(openid, templateId);
      longTerm.delete(key);
      quotas.delete(key);
      saveQuotas();
    },
    quota(openid, templateId) {
      const key = quotaKey(openid, templateId);
      if (isLongTerm(templateId)) return longTerm.has(key) ? Infinity : 0;
      return quotas.get(key) ?? 0;
    },
    setQuotaPolicy(next) {
      policy = next;
    },
    outbox({ offset = 0, limit = 100, touser } = {}) {
      let text: string;
      try {
        text = fs.readFileSync(outboxFile, 'utf8');
      } catch {
        return [];
      }
      const entries: OutboxEntry[] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as OutboxEntry;
          // A crash mid-append can leave a torn last line; skip it.
          if (touser === undefined || entry.touser === touser) entries.push(entry);
        } catch {
          continue;
        }
      }
      const start = Math.max(0, offset);
      return entries.slice(start, start + Math.max(0, limit));
    },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('setLatency: ms must be a non-negative number');
      latencyMs = ms;
    },
    failNext(errCode, times = 1) {
      if (!Number.isInteger(errCode) || errCode === 0) throw new Error('failNext: errCode must be a non-zero integer');
      for (let i = 0; i < times; i++) faults.push(errCode);
    },
  };
}
