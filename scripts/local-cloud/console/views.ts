/**
 * What the local console shows, read straight from the local backends.
 * Browsing stored data is the emulator's job, not business logic: nothing
 * here decides anything the cloud functions decide. Openids are masked and
 * phone numbers shortened wherever they appear; the console is for
 * developers, and screenshots of it travel.
 */
import { ROLE_LABEL, unreachableLabel, type Role, type SubscriptionKind, type UnreachableReason } from '../../../miniprogram/shared/api';
import { maskPhone } from '../../../cloudfunctions/common/mask';
import { isValidDay } from '../../../cloudfunctions/common/domain/dates';
import type { PlanDoc, TaskDoc, AssignmentDoc } from '../../../cloudfunctions/common/domain/plan-docs';
import type { ContactDoc } from '../../../cloudfunctions/common/records';
import type { ReminderDoc } from '../../../cloudfunctions/common/notify';
import { C } from '../../../cloudfunctions/common/schema';
import { nextFire } from '../cron';
import { parseToday } from '../clock';
import { LocalCallError, maskOpenid, type LocalCloud } from '../runtime';
import { pageOf } from '../http';
import type {
  CallRow,
  ClockState,
  CollectionRow,
  DocRow,
  FileRow,
  OutboxRow,
  OverviewView,
  Page,
  PlanRow,
  PlanTableView,
  PlanTaskRow,
  ReminderRow,
  SubscriptionRow,
  RunTimerResult,
  TimerRow,
  UserRow,
} from './types';

export type Paging = { offset: number; limit: number };

/** A request the console refuses, with the message to show. */
export class ConsoleInputError extends Error {}

const KIND_LABEL: Record<string, string> = { deadline: '截止提醒', returned: '退回通知', urge: '催办通知', digest: '每日汇总' };
const STATE_LABEL: Record<string, string> = {
  sending: '发送中',
  sent: '已发送',
  failed: '发送失败',
  unreachable: '无法送达',
  retry: '待重试',
  unconfirmed: '结果未确认',
};
const CONTACT_STATUS_LABEL: Record<string, string> = { pending: '待审核', active: '已通过', rejected: '未通过', removed: '已移除' };
/** Fields whose string values are openids in the stored records (see common/records.ts, notify.ts). */
const OPENID_FIELDS = new Set(['openid', 'touser', 'actor', 'by', 'createdBy', 'submittedBy']);
const PHONE_FIELDS = new Set(['phone']);
/** The bridge accepts openids of 6–64 characters. */
const MIN_OPENID = 6;
const MOBILE = /^1\d{10}$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;
const RASTER = /^image\/(png|jpeg|gif|webp|bmp)$/;

function unitNames(cloud: LocalCloud): Map<string, string> {
  return new Map(cloud.db.find(C.units, {}, { projection: { name: 1 } }).map((u) => [String(u._id), String(u.name)]));
}

function contacts(cloud: LocalCloud): ContactDoc[] {
  return cloud.db.find(C.contacts, {}) as unknown as ContactDoc[];
}

/** Every openid the data knows, longest first so a longer id is replaced before a prefix of it. */
function knownOpenids(cloud: LocalCloud, docs: Record<string, unknown>[]): string[] {
  const ids = new Set(contacts(cloud).map((c) => c._id));
  const collect = (value: unknown, key?: string): void => {
    if (typeof value === 'string') {
      if (key !== undefined && OPENID_FIELDS.has(key) && value.length >= MIN_OPENID) ids.add(value);
    } else if (Array.isArray(value)) {
      for (const v of value) collect(v, key);
    } else if (value && typeof value === 'object' && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value)) collect(v, k);
    }
  };
  for (const d of docs) collect(d);
  return [...ids].sort((a, b) => b.length - a.length);
}

/** A copy of `value` with every known openid masked (also inside keys such as `<openid>:<template>`) and phones shortened. */
export function maskValue(value: unknown, openids: readonly string[], key?: string): unknown {
  if (typeof value === 'string') {
    if ((key !== undefined && PHONE_FIELDS.has(key)) || MOBILE.test(value)) return maskPhone(value);
    let out = value;
    // Shorter strings are not openids (a failed send may have touser ''); replacing them would mangle text.
    for (const id of openids) if (id.length >= MIN_OPENID && out.includes(id)) out = out.split(id).join(maskOpenid(id));
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => maskValue(v, openids, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, openids, k)]));
  }
  return value;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : '');

export function overview(cloud: LocalCloud): OverviewView {
  return {
    envId: cloud.envId,
    clock: cloud.clock.state(),
    functions: [...cloud.functions.values()].map((f) => ({ name: f.name, timeout: f.timeout, triggers: f.triggers.length })),
    collections: collections(cloud),
    files: cloud.storage.count(),
    outbox: cloud.openapi.outbox({ limit: Number.MAX_SAFE_INTEGER }).length,
    calls: cloud.calls.length,
  };
}

export function collections(cloud: LocalCloud): CollectionRow[] {
  return cloud.db.listCollections();
}

/**
 * `field`/`value`: documents whose field equals the value (as text, number,
 * boolean or null) or, for text, contains it (case-insensitive).
 */
export function documents(cloud: LocalCloud, collection: string, paging: Paging, field?: string, value?: string): Page<DocRow> {
  if (!collections(cloud).some((c) => c.name === collection)) throw new ConsoleInputError(`没有集合 ${collection}`);
  let filter: Record<string, unknown> = {};
  if (field !== undefined && field !== '') {
    if (!FIELD_NAME.test(field)) throw new ConsoleInputError('字段名只能由字母、数字、下划线和点组成，例如 unitId 或 refs.taskNo');
    const raw = value ?? '';
    const same: unknown[] = [raw];
    if (raw.trim() !== '' && Number.isFinite(Number(raw))) same.push(Number(raw));
    if (raw === 'true' || raw === 'false') same.push(raw === 'true');
    if (raw === 'null') same.push(null);
    const escaped = raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    filter =
      raw === '' ? { [field]: { $exists: true } } : { $or: [{ [field]: { $in: same } }, { [field]: { $regex: escaped, $options: 'i' } }] };
  }
  const total = cloud.db.count(collection, filter);
  const docs = cloud.db.find(collection, filter, { skip: paging.offset, limit: paging.limit });
  const openids = knownOpenids(cloud, docs);
  return pageOf(
    docs.map((d) => maskValue(d, openids) as DocRow),
    total,
    paging,
  );
}

export function plans(cloud: LocalCloud): PlanRow[] {
  return (cloud.db.find(C.plans, {}, { sort: { year: -1 } }) as unknown as PlanDoc[]).map((p) => ({
    year: p.year,
    title: p.title,
    taskCount: p.taskCount,
  }));
}

const ROLE_ORDER: Role[] = ['lead', 'responsible', 'cooperate'];

/** The plan of `year` as the printed table: each task with its units by role, groups resolved to today's unit names. */
export function planTable(cloud: LocalCloud, year: number): PlanTableView {
  const plan = cloud.db.find(C.plans, { year })[0] as unknown as PlanDoc | undefined;
  if (!plan) throw new ConsoleInputError(`还没有 ${year} 年的任务分解表`);
  const tasks = cloud.db.find(C.tasks, { planId: plan._id }, { sort: { no: 1 } }) as unknown as TaskDoc[];
  const assignments = cloud.db.find(C.assignments, { planId: plan._id }) as unknown as AssignmentDoc[];
  const names = unitNames(cloud);
  const sections = new Map(plan.sections.map((s) => [s.no, `${s.label}、${s.title}`]));
  const categories = new Map(plan.categories.map((c) => [c.no, `${c.label}${c.title}`]));
  const byTask = new Map<number, AssignmentDoc[]>();
  for (const a of assignments) byTask.set(a.taskNo, [...(byTask.get(a.taskNo) ?? []), a]);
  const rows: PlanTaskRow[] = tasks.map((t) => {
    const mine = byTask.get(t.no) ?? [];
    const roles = ROLE_ORDER.map((role) => ({
      role,
      label: ROLE_LABEL[role],
      named: t[role] ?? [],
      units: [...new Set(mine.filter((a) => a.role === role).map((a) => names.get(a.unitId) ?? a.unitName))],
    })).filter((r) => r.named.length > 0 || r.units.length > 0);
    return {
      no: t.no,
      section: sections.get(t.section) ?? '',
      category: categories.get(t.category) ?? '',
      requirement: t.requirement,
      deadline: t.deadlineText ?? t.deadline ?? null,
      unitsText: t.unitsText,
      roles,
    };
  });
  return { year: plan.year, title: plan.title, docNo: plan.docNo, tasks: rows, assignments: assignments.length };
}

export function files(cloud: LocalCloud, paging: Paging, prefix?: string): Page<FileRow> {
  const names = unitNames(cloud);
  const opts = prefix ? { prefix } : {};
  const items = cloud.storage.list({ ...opts, ...paging }).map((f) => {
    // Uploads (units/<unit>/…) and the server's evidence copies (evidence/<unit>/…) both name their unit.
    const unit = /^(?:units|evidence)\/([^/]+)\//.exec(f.cloudPath)?.[1];
    return {
      cloudPath: maskValue(f.cloudPath, f.owner ? [f.owner] : []) as string,
      size: f.size,
      contentType: f.contentType,
      uploadedAt: f.uploadedAt,
      owner: maskOpenid(f.owner),
      unitName: unit === undefined ? null : (names.get(unit) ?? unit),
      url: cloud.storage.signedPath(f.cloudPath),
      preview: RASTER.test(f.contentType),
    };
  });
  return pageOf(items, cloud.storage.count(opts), paging);
}

function people(cloud: LocalCloud): Map<string, string> {
  const names = unitNames(cloud);
  return new Map(
    contacts(cloud).map((c) => {
      const unit = c.unitId ? names.get(c.unitId) : undefined;
      return [c._id, unit ? `${c.name}（${unit}）` : c.isAdmin ? `${c.name}（管理员）` : c.name];
    }),
  );
}

/** Newest first. */
export function outbox(cloud: LocalCloud, paging: Paging): Page<OutboxRow> {
  const all = cloud.openapi.outbox({ limit: Number.MAX_SAFE_INTEGER });
  const templates = cloud.openapi.templates();
  const who = people(cloud);
  const items = all
    .slice()
    .reverse()
    .slice(paging.offset, paging.offset + paging.limit)
    .map((e) => {
      const data = e.data && typeof e.data === 'object' ? (e.data as Record<string, { value?: unknown }>) : {};
      return {
        id: e.id,
        at: e.at,
        to: maskOpenid(e.touser),
        toName: who.get(e.touser) ?? null,
        templateId: e.templateId,
        templateTitle: templates[e.templateId]?.title ?? null,
        page: e.page ?? null,
        fields: Object.entries(data).map(([key, v]) => ({ key, value: String(maskValue(String(v?.value ?? ''), [e.touser])) })),
        errCode: e.result.errCode,
        errMsg: e.result.errMsg,
      };
    });
  return pageOf(items, all.length, paging);
}

/** The reminder function's own log (the `reminders` collection), latest change first. */
export function reminders(cloud: LocalCloud, paging: Paging): Page<ReminderRow> {
  const docs = cloud.db.find(
    C.reminders,
    {},
    { sort: { updatedAt: -1, _id: 1 }, skip: paging.offset, limit: paging.limit },
  ) as unknown as ReminderDoc[];
  const openids = knownOpenids(cloud, docs as unknown as Record<string, unknown>[]);
  const items = docs.map((r) => ({
    id: String(maskValue(r._id, openids)),
    at: iso(r.updatedAt),
    day: r.day,
    kind: r.kind,
    kindLabel: KIND_LABEL[r.kind] ?? r.kind,
    state: r.state,
    stateLabel: STATE_LABEL[r.state] ?? r.state,
    unitName: r.unitName,
    personName: r.personName,
    to: maskOpenid(r.openid ?? undefined),
    reason: r.reason ? unreachableLabel(r.reason as UnreachableReason, r.subscription) : null,
    errCode: r.errCode,
    error: r.error === null ? null : String(maskValue(r.error, openids)),
    attempts: r.attempts,
    subscriptionLabel: r.subscription ? SUBSCRIPTION_LABEL[r.subscription] : null,
  }));
  return pageOf(items, cloud.db.count(C.reminders), paging);
}

const SUBSCRIPTION_LABEL: Record<SubscriptionKind, string> = { 'one-time': '一次性', 'long-term': '长期' };

/** The functions' subscription ledger, latest change first: who may be sent what, by kind. */
export function subscriptions(cloud: LocalCloud, paging: Paging): Page<SubscriptionRow> {
  const docs = cloud.db.find(
    C.subscriptions,
    {},
    { sort: { updatedAt: -1, _id: 1 }, skip: paging.offset, limit: paging.limit },
  ) as unknown as {
    _id: string;
    openid: string;
    templateId: string;
    kind?: SubscriptionKind;
    quota?: number;
    longTerm?: boolean;
    updatedAt: unknown;
  }[];
  const templates = cloud.openapi.templates();
  const who = people(cloud);
  const items = docs.map((d): SubscriptionRow => {
    // Entries written before templates had a kind are one-time.
    const kind: SubscriptionKind = d.kind ?? (templates[d.templateId]?.longTerm ? 'long-term' : 'one-time');
    const quota = d.quota ?? 0;
    const active = kind === 'long-term' ? d.longTerm === true : quota > 0;
    return {
      id: String(maskValue(d._id, [d.openid])),
      at: iso(d.updatedAt),
      person: who.get(d.openid) ?? null,
      to: maskOpenid(d.openid),
      templateId: d.templateId,
      templateTitle: templates[d.templateId]?.title ?? null,
      kindLabel: SUBSCRIPTION_LABEL[kind],
      stateLabel: kind === 'long-term' ? (active ? '长期有效' : '已关闭') : active ? `剩余 ${quota} 次` : '已用完',
      active,
    };
  });
  return pageOf(items, cloud.db.count(C.subscriptions), paging);
}

/** Recent calls, newest first (the runtime keeps no payloads, only the action name). */
export function calls(cloud: LocalCloud, paging: Paging): Page<CallRow> {
  const all = cloud.calls.slice().reverse();
  const items = all.slice(paging.offset, paging.offset + paging.limit).map((c) => ({
    at: c.at.toISOString(),
    fn: c.fn,
    action: c.action ?? null,
    caller: c.caller,
    source: c.source,
    ms: c.ms,
    result: c.result,
  }));
  return pageOf(items, all.length, paging);
}

export function timers(cloud: LocalCloud, now = cloud.clock.now()): TimerRow[] {
  return [...cloud.functions.values()].flatMap((fn) =>
    fn.triggers.map((t) => ({ fn: fn.name, trigger: t.name, cron: t.config, next: nextFire(t.cron, now)?.toISOString() ?? null })),
  );
}

/**
 * The trigger's `Time` for a simulated day: `time` (HH:mm, UTC+8) on `date`,
 * or else when the trigger's cron first fires that day, or midnight.
 */
export function simulatedTime(cron: Parameters<typeof nextFire>[0], date: string, time?: string): string {
  if (!isValidDay(date)) throw new ConsoleInputError('模拟日期应为 YYYY-MM-DD，例如 2021-09-27');
  const midnight = new Date(`${date}T00:00:00+08:00`);
  if (time !== undefined && time !== '') {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
    if (!m) throw new ConsoleInputError('模拟时间应为 HH:mm，例如 09:00');
    return new Date(`${date}T${time}:00+08:00`).toISOString();
  }
  const first = nextFire(cron, new Date(midnight.getTime() - 1000));
  return (first && first.getTime() < midnight.getTime() + 86400000 ? first : midnight).toISOString();
}

/** Fires a timer trigger now through the runtime (the real function, SOURCE wx_trigger), with a simulated `Time` if given. */
export async function runTimer(cloud: LocalCloud, input: unknown): Promise<RunTimerResult> {
  const body = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const fnName = body.function;
  const trigger = body.trigger;
  if (typeof fnName !== 'string' || typeof trigger !== 'string')
    throw new ConsoleInputError('请求体应为 {"function": "…", "trigger": "…"}');
  const t = cloud.functions.get(fnName)?.triggers.find((x) => x.name === trigger);
  if (!t) throw new ConsoleInputError(`云函数 ${fnName} 没有定时触发器 ${trigger}`);
  for (const key of ['date', 'time'] as const) {
    if (body[key] !== undefined && typeof body[key] !== 'string') throw new ConsoleInputError(`${key} 应为字符串`);
  }
  const date = body.date as string | undefined;
  const time = date ? simulatedTime(t.cron, date, body.time as string | undefined) : cloud.clock.now().toISOString();
  const outboxBefore = cloud.openapi.outbox({ limit: Number.MAX_SAFE_INTEGER }).length;
  let result: unknown;
  try {
    result = await cloud.runTrigger(fnName, trigger, { Time: time });
  } catch (err) {
    // A platform error (timeout, crash) is the run's result, shown as such.
    result = err instanceof LocalCallError ? { errCode: err.errCode, errMsg: err.message } : { errMsg: String(err) };
  }
  const outboxAfter = cloud.openapi.outbox({ limit: Number.MAX_SAFE_INTEGER }).length;
  return { fn: fnName, trigger, time, result, outboxBefore, outboxAfter };
}

/**
 * Sets the local cloud's clock (`{"today": "2021-09-20"}` or `"2021-09-20T10:30"`, UTC+8)
 * or returns it to the real time (`{"real": true}`).
 */
export function setClock(cloud: LocalCloud, input: unknown): ClockState {
  const body = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  if (body.real === true) cloud.clock.reset();
  else {
    const at = typeof body.today === 'string' ? parseToday(body.today) : undefined;
    if (!at) throw new ConsoleInputError('请求体应为 {"today": "2021-09-20"}（可带时间 2021-09-20T10:30，北京时间）或 {"real": true}');
    cloud.clock.set(at);
  }
  return cloud.clock.state();
}

/** The next `times` subscribe-message sends answer `errCode`, as WeChat would. */
export function failNextSends(cloud: LocalCloud, input: unknown): { errCode: number; times: number } {
  const body = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const errCode = body.errCode;
  const times = body.times ?? 1;
  if (typeof errCode !== 'number' || !Number.isInteger(errCode) || errCode === 0)
    throw new ConsoleInputError('errCode 应为非零整数，例如 43101');
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > 100)
    throw new ConsoleInputError('times 应为 1–100 的整数');
  cloud.openapi.failNext(errCode, times);
  return { errCode, times };
}

/** Everyone the contacts collection knows, for the 账号 panel: admins first, then by unit. */
export function users(cloud: LocalCloud): UserRow[] {
  const names = unitNames(cloud);
  return contacts(cloud)
    .map((c) => ({
      openid: c._id,
      masked: maskOpenid(c._id),
      name: c.name,
      unitName: c.unitId ? (names.get(c.unitId) ?? c.unitId) : null,
      status: c.status ? (CONTACT_STATUS_LABEL[c.status] ?? c.status) : null,
      isAdmin: c.isAdmin === true,
    }))
    .sort(
      (a, b) =>
        Number(b.isAdmin) - Number(a.isAdmin) ||
        (a.unitName ?? '').localeCompare(b.unitName ?? '', 'zh') ||
        a.name.localeCompare(b.name, 'zh'),
    );
}
