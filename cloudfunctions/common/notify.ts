/**
 * The one send path for subscribe messages, shared by the reminder timer
 * and the api's immediate notifications (退回, 催办).
 *
 * Subscription ledger (rules in domain/subscriptions.ts): on a one-time
 * template a message goes only to a person whose `subscriptions` quota is
 * above zero and a success consumes one (_.inc(-1)); on a long-term
 * template it goes while the person's long-term accept holds, and a success
 * consumes nothing. 43101 clears both (WeChat says nothing is left, or the
 * person turned the long-term subscription off, whatever we counted).
 *
 * At most once: every reminder has a key (its `reminders` document `_id`).
 * A run claims a key by inserting it in state `sending` *before* sending —
 * the unique `_id` lets only one run claim it — and records the outcome
 * after: `sent`, `failed` (47003/40003/41030, with the reason),
 * `unreachable` (no contact, no quota, 43101) or `retry` (any other error:
 * the next run tries again, at most MAX_ATTEMPTS times). A run that dies
 * between claim and outcome leaves `sending`; once its lease has run out
 * the key becomes `unconfirmed` and is never sent again: WeChat cannot be
 * asked whether the message went out, and we prefer a possibly lost
 * reminder (reported in the office's digest) to a possibly doubled one
 * (which would also spend a second subscription). See docs/data-model.md.
 *
 * Database requests are per chunk of sends, not per reminder: one batch
 * insert claims a chunk, one update per outcome kind records it, one
 * update per quota step settles the ledger.
 */
import crypto from 'crypto';
import type { SubscriptionKind, UnreachableReason } from '../../miniprogram/shared/api';
import { _, cloud, db, fetchAll, fetchIn, first } from './cloud';
import { officeDay } from './domain/dates';
import { scrub } from './envelope';
import { groupMessage, unitReason, type DigestDraft, type DigestEntry, type DigestPerson } from './domain/digest';
import { renderData, type NotifyKind } from './domain/message-fields';
import { REFUSED, canSend, spendsQuota } from './domain/subscriptions';
import { loadWorld, planReturned, planUrges, recentUrges, type Planned } from './reminder-plan';
import { reminderSettings, type ReminderSettings } from './reminder-config';
import type { ReviewDoc, UrgeDoc } from './records';
import { C } from './schema';

export type ReminderState = 'sending' | 'sent' | 'failed' | 'unreachable' | 'retry' | 'unconfirmed';

export interface ReminderDoc {
  _id: string;
  kind: NotifyKind;
  state: ReminderState;
  reason: UnreachableReason | null;
  errCode: number | null;
  error: string | null;
  openid: string | null;
  personName: string;
  unitId: string;
  unitName: string;
  roundId: string | null;
  group: string | null;
  /** The office day of the run that last changed it. */
  day: string;
  templateId: string | null;
  /** The kind of that template when the reminder was decided (what the person needed to hold). */
  subscription?: SubscriptionKind | null;
  /** The run that claimed it; outcomes are written only by that run. */
  runId: string;
  /** While `sending`: when the claim counts as abandoned (real time, not the simulated trigger time). */
  leaseUntil: Date | null;
  attempts: number;
  draft: DigestDraft | null;
  refs: Record<string, string | string[]>;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
}

/** WeChat errors that a retry cannot fix: the message itself is wrong. */
const PERMANENT = new Set([47003, 40003, 41030]);
const NO_QUOTA = 43101;
/** Sends tried per reminder before a transient error counts as failed. */
const MAX_ATTEMPTS = 3;
/** Documents per batch insert. */
const INSERT_BATCH = 100;

interface SendArgs {
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
  miniprogramState: string;
  lang: string;
}
// The SDK leaves openapi untyped: this is the one call we make.
interface SubscribeApi {
  subscribeMessage: { send(args: SendArgs): Promise<{ errCode?: number; errMsg?: string }> };
}
const openapi = () => (cloud as unknown as { openapi: SubscribeApi }).openapi;

export const subscriptionKey = (openid: string, templateId: string) => `${openid}:${templateId}`;
const mask = (openid: string) => (openid.length <= 8 ? `${openid.slice(0, 2)}***` : `${openid.slice(0, 4)}***${openid.slice(-4)}`);

export interface DeliverOptions {
  now: Date;
  settings: ReminderSettings;
  runId: string;
  /** `Date.now()` after which no new send starts. */
  deadline: number;
}
/** The options with the run's office day, computed once (time-zone arithmetic is slow at scale). */
type Ctx = DeliverOptions & { day: string };

export interface DeliverResult {
  sent: number;
  failed: number;
  unreachable: number;
  retry: number;
  /** Already done by an earlier run (or claimed by one still running). */
  skipped: number;
  /** Left for the next run: the time budget ran out. */
  remaining: number;
  /** Digest lines whose outcome changed in this run. */
  touched: Map<string, DigestDraft>;
}

type Outcome =
  | { state: 'sent' }
  | { state: 'failed'; errCode: number; error: string }
  | { state: 'unreachable'; reason: 'refused'; errCode: number }
  | { state: 'retry'; errCode: number; error: string }
  | { state: 'released' };

interface Claim {
  p: Planned;
  templateId: string;
  /** The state a re-claimed document had (retry, unreachable), to restore it when released. */
  from: ReminderState | null;
  /** One-time template: a success spends one from the ledger. */
  spends: boolean;
  attempts: number;
}

function docOf(p: Planned, fields: Partial<ReminderDoc>, o: Ctx, templateId: string | null): ReminderDoc {
  const at = new Date();
  return {
    _id: p.key,
    kind: p.kind,
    state: 'sending',
    reason: null,
    errCode: null,
    error: null,
    openid: p.openid,
    personName: p.personName,
    unitId: p.unitId,
    unitName: p.unitName,
    roundId: p.roundId,
    group: p.group,
    day: o.day,
    templateId,
    subscription: templateId ? (o.settings.kinds[p.kind] ?? 'one-time') : null,
    runId: o.runId,
    leaseUntil: null,
    attempts: 0,
    draft: p.draft,
    refs: p.refs,
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

/**
 * Inserts documents whose `_id`s may already exist (another run got there
 * first): a batch, and one by one only when the batch hit a duplicate.
 * Returns the ids this call inserted.
 */
async function insertClaims(docs: readonly ReminderDoc[], runId: string): Promise<Set<string>> {
  const mine = new Set<string>();
  for (let i = 0; i < docs.length; i += INSERT_BATCH) {
    const batch = docs.slice(i, i + INSERT_BATCH);
    try {
      await db.collection(C.reminders).add({ data: batch });
      for (const d of batch) mine.add(d._id);
      continue;
    } catch {
      // A duplicate somewhere in the batch; the service may have kept the ones before it.
    }
    const present = new Map(
      (
        await fetchIn<Pick<ReminderDoc, '_id' | 'runId'>>(
          C.reminders,
          '_id',
          batch.map((d) => d._id),
          {},
          { _id: true, runId: true },
        )
      ).map((d) => [d._id, d.runId]),
    );
    for (const d of batch) {
      const owner = present.get(d._id);
      if (owner === runId) mine.add(d._id);
      if (owner !== undefined) continue;
      try {
        await db.collection(C.reminders).add({ data: d });
        mine.add(d._id);
      } catch {
        // Claimed by someone else in between.
      }
    }
  }
  return mine;
}

async function updateWhere(ids: readonly string[], where: Record<string, unknown>, data: Record<string, unknown>): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .collection(C.reminders)
      .where({ _id: _.in(ids.slice(i, i + 500)), ...where })
      .update({ data });
  }
}

async function send(c: Claim, o: DeliverOptions): Promise<Outcome> {
  const map = o.settings.keywords[c.p.kind];
  try {
    const res = await openapi().subscribeMessage.send({
      touser: c.p.openid as string,
      templateId: c.templateId,
      page: c.p.page,
      data: renderData(map, c.p.fields, o.now),
      miniprogramState: o.settings.miniprogramState,
      lang: 'zh_CN',
    });
    const errCode = res.errCode ?? 0;
    if (errCode === 0) return { state: 'sent' };
    return classify(errCode, res.errMsg ?? '', c);
  } catch (err) {
    const e = err as { errCode?: unknown; errMsg?: unknown; message?: unknown };
    const errCode = typeof e.errCode === 'number' ? e.errCode : -1;
    return classify(errCode, String(e.errMsg ?? e.message ?? err), c);
  }
}

function classify(errCode: number, errMsg: string, c: Claim): Outcome {
  // WeChat's messages carry a request id and no personal data; keep them short.
  const error = errMsg.replace(/\s+/g, ' ').slice(0, 200);
  if (errCode === NO_QUOTA) return { state: 'unreachable', reason: 'refused', errCode };
  if (PERMANENT.has(errCode) || c.attempts + 1 >= MAX_ATTEMPTS) {
    console.error(`[notify] ${c.p.kind} to ${mask(c.p.openid ?? '')} failed: ${errCode} ${error}`);
    return { state: 'failed', errCode, error };
  }
  return { state: 'retry', errCode, error };
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Sends `planned` with the ledger and the at-most-once keys (see the file
 * comment). Stops starting sends at `deadline`; what is left is sent by the
 * next run, since its keys are still unclaimed.
 */
export async function deliver(planned: readonly Planned[], options: DeliverOptions): Promise<DeliverResult> {
  const o: Ctx = { ...options, day: officeDay(options.now) };
  const result: DeliverResult = { sent: 0, failed: 0, unreachable: 0, retry: 0, skipped: 0, remaining: 0, touched: new Map() };
  const touch = (p: Planned) => {
    if (p.group && p.draft) result.touched.set(p.group, p.draft);
  };
  // A kind without a template is switched off; a key planned twice is one reminder.
  const byKey = new Map(planned.filter((p) => o.settings.templates[p.kind] !== undefined).map((p) => [p.key, p]));
  if (byKey.size === 0) return result;
  const sorted = [...byKey.values()].sort((a, b) => a.priority - b.priority || a.key.localeCompare(b.key));

  const [existing, ledger] = await Promise.all([
    fetchIn<Pick<ReminderDoc, '_id' | 'state' | 'reason' | 'attempts'>>(
      C.reminders,
      '_id',
      sorted.map((p) => p.key),
      {},
      { _id: true, state: true, reason: true, attempts: true },
    ),
    fetchIn<{ _id: string; quota?: number; longTerm?: boolean }>(
      C.subscriptions,
      '_id',
      sorted.filter((p) => p.openid).map((p) => subscriptionKey(p.openid as string, o.settings.templates[p.kind] as string)),
      {},
      { _id: true, quota: true, longTerm: true },
    ),
  ]);
  const before = new Map(existing.map((d) => [d._id, d]));
  const quota = new Map(ledger.map((s) => [s._id, s.quota ?? 0]));
  const longTerm = new Set(ledger.filter((s) => s.longTerm === true).map((s) => s._id));

  // Decide per reminder: done already, nobody to send to, no quota, or send (allocating quota as we go).
  const unreachable: ReminderDoc[] = [];
  const retryWithoutQuota: Planned[] = [];
  const toSend: Claim[] = [];
  for (const p of sorted) {
    const templateId = o.settings.templates[p.kind] as string;
    const ex = before.get(p.key);
    const subKey = p.openid ? subscriptionKey(p.openid, templateId) : '';
    const kind = o.settings.kinds[p.kind] ?? 'one-time';
    const hasQuota = p.openid !== null && canSend(kind, { quota: quota.get(subKey) ?? 0, longTerm: longTerm.has(subKey) });
    if (ex) {
      // A person who had no quota (or refused) when it was due may have subscribed since: still worth sending.
      const again = ex.state === 'retry' || (ex.state === 'unreachable' && (ex.reason === 'no_quota' || ex.reason === 'refused'));
      if (again && !hasQuota && ex.state === 'retry') retryWithoutQuota.push(p);
      if (!again || !hasQuota) {
        result.skipped++;
        continue;
      }
    } else if (p.openid === null || !hasQuota) {
      const reason: UnreachableReason = p.openid === null ? 'no_contact' : 'no_quota';
      unreachable.push(docOf(p, { state: 'unreachable', reason }, o, p.openid ? templateId : null));
      continue;
    }
    const spends = spendsQuota(kind);
    if (spends) quota.set(subKey, (quota.get(subKey) ?? 0) - 1);
    toSend.push({ p, templateId, from: ex?.state ?? null, attempts: ex?.attempts ?? 0, spends });
  }

  if (retryWithoutQuota.length) {
    // Waiting for a retry, but the subscription has been spent since: nothing left to retry with.
    const ids = retryWithoutQuota.map((p) => p.key);
    await updateWhere(ids, { state: 'retry' }, { state: 'unreachable', reason: 'no_quota', day: o.day, updatedAt: new Date() });
    for (const p of retryWithoutQuota) touch(p);
  }
  if (unreachable.length) {
    const mine = await insertClaims(unreachable, o.runId);
    for (const d of unreachable) {
      if (!mine.has(d._id)) continue;
      result.unreachable++;
      const p = byKey.get(d._id);
      if (p) touch(p);
    }
  }

  // A crash loses at most the chunk being sent (see the file comment).
  const chunkSize = Math.max(10, o.settings.concurrency * 10);
  const refusedNow = new Set<string>();
  // A chunk's outcomes are written while the next chunk is claimed and sent: sends wait on WeChat, not on the
  // database. Records stay in order (a later refusal must land after an earlier quota step of the same person).
  let recording: Promise<void> = Promise.resolve();
  let recordError: { error: unknown } | null = null;
  for (let i = 0; i < toSend.length; i += chunkSize) {
    // A write that failed ends the run before more is claimed; the run then fails with it.
    if (recordError) break;
    if (Date.now() >= o.deadline) {
      result.remaining += toSend.length - i;
      break;
    }
    const chunk = toSend.slice(i, i + chunkSize);
    const claimed = await claim(chunk, o);
    result.skipped += chunk.length - claimed.length;

    const outcomes = new Map<string, Outcome>();
    await pool(claimed, o.settings.concurrency, async (c) => {
      const subKey = subscriptionKey(c.p.openid as string, c.templateId);
      if (Date.now() >= o.deadline) outcomes.set(c.p.key, { state: 'released' });
      else if (refusedNow.has(subKey)) outcomes.set(c.p.key, { state: 'unreachable', reason: 'refused', errCode: NO_QUOTA });
      else {
        const out = await send(c, o);
        if (out.state === 'unreachable') refusedNow.add(subKey);
        outcomes.set(c.p.key, out);
      }
    });
    // Every sent chunk gets its own attempt at recording, even after an earlier one failed: what stays `sending`
    // becomes `unconfirmed` (never re-sent), so each failed write costs only its own chunk.
    recording = recording.then(() =>
      record(claimed, outcomes, o, result).then(
        () => {
          for (const c of claimed) if (outcomes.get(c.p.key)?.state !== 'released') touch(c.p);
        },
        (error: unknown) => void (recordError ??= { error }),
      ),
    );
  }
  await recording;
  if (recordError) throw (recordError as { error: unknown }).error;
  return result;
}

/** Claims a chunk: new keys by one batch insert, earlier ones (retry, unreachable) by a conditional update each. */
async function claim(chunk: readonly Claim[], o: Ctx): Promise<Claim[]> {
  const leaseUntil = new Date(Date.now() + o.settings.leaseMs);
  const fresh = chunk.filter((c) => c.from === null);
  const mine = await insertClaims(
    fresh.map((c) => docOf(c.p, { leaseUntil }, o, c.templateId)),
    o.runId,
  );
  const claimed = fresh.filter((c) => mine.has(c.p.key));
  for (const c of chunk.filter((x) => x.from !== null)) {
    const res = (await db
      .collection(C.reminders)
      .where({ _id: c.p.key, state: c.from })
      .update({ data: { state: 'sending', runId: o.runId, leaseUntil, templateId: c.templateId, day: o.day, updatedAt: new Date() } })) as {
      stats: { updated: number };
    };
    if (res.stats.updated === 1) claimed.push(c);
  }
  return claimed;
}

/** Writes a chunk's outcomes: one update per kind of outcome, one per quota step. */
async function record(claimed: readonly Claim[], outcomes: ReadonlyMap<string, Outcome>, o: Ctx, result: DeliverResult) {
  const now = new Date();
  const day = o.day;
  // Our claims; one a slower run's sweep already called unconfirmed still gets its real outcome.
  const mineOnly = { runId: o.runId, state: _.in(['sending', 'unconfirmed']) };
  const groups = new Map<string, { ids: string[]; data: Record<string, unknown> }>();
  const add = (tag: string, id: string, data: Record<string, unknown>) => {
    const g = groups.get(tag) ?? { ids: [], data };
    g.ids.push(id);
    groups.set(tag, g);
  };
  const sentPerSub = new Map<string, number>();
  const refusedSubs = new Set<string>();
  const releasedFresh: string[] = [];
  for (const c of claimed) {
    const out = outcomes.get(c.p.key) ?? { state: 'released' };
    const subKey = subscriptionKey(c.p.openid as string, c.templateId);
    // One update per kind of outcome (and error code): the first error text of a code stands for the others.
    const base = { day, updatedAt: now, leaseUntil: null, attempts: _.inc(1) };
    switch (out.state) {
      case 'sent':
        result.sent++;
        if (c.spends) sentPerSub.set(subKey, (sentPerSub.get(subKey) ?? 0) + 1);
        add('sent', c.p.key, { ...base, state: 'sent', reason: null, errCode: null, error: null, sentAt: now });
        break;
      case 'unreachable':
        result.unreachable++;
        refusedSubs.add(subKey);
        add('refused', c.p.key, { ...base, state: 'unreachable', reason: 'refused', errCode: out.errCode, error: null });
        break;
      case 'failed':
        result.failed++;
        add(`failed:${out.errCode}`, c.p.key, { ...base, state: 'failed', reason: 'failed', errCode: out.errCode, error: out.error });
        break;
      case 'retry':
        result.retry++;
        add(`retry:${out.errCode}`, c.p.key, { ...base, state: 'retry', reason: null, errCode: out.errCode, error: out.error });
        break;
      case 'released':
        result.remaining++;
        if (c.from === null) releasedFresh.push(c.p.key);
        else add(`release:${c.from}`, c.p.key, { state: c.from, leaseUntil: null, updatedAt: now });
        break;
    }
  }
  const writes: Promise<unknown>[] = [...groups.values()].map((g) => updateWhere(g.ids, mineOnly, g.data));
  if (releasedFresh.length) {
    // Never sent: give the keys back so the next run claims them afresh.
    writes.push(
      db
        .collection(C.reminders)
        .where({ _id: _.in(releasedFresh), runId: o.runId, state: 'sending' })
        .remove() as Promise<unknown>,
    );
  }
  const bySteps = new Map<number, string[]>();
  for (const [subKey, n] of sentPerSub) {
    if (refusedSubs.has(subKey)) continue;
    bySteps.set(n, [...(bySteps.get(n) ?? []), subKey]);
  }
  for (const [n, ids] of bySteps) {
    writes.push(
      db
        .collection(C.subscriptions)
        .where({ _id: _.in(ids) })
        .update({ data: { quota: _.inc(-n), updatedAt: now } }) as Promise<unknown>,
    );
  }
  if (refusedSubs.size) {
    writes.push(
      db
        .collection(C.subscriptions)
        .where({ _id: _.in([...refusedSubs]) })
        .update({ data: { ...REFUSED, updatedAt: now } }) as Promise<unknown>,
    );
  }
  await Promise.all(writes);
}

/**
 * Keys left `sending` by a run that died (lease over): `unconfirmed`, never
 * re-sent. Returns their digest lines.
 */
export async function sweepAbandoned(): Promise<{ count: number; touched: Map<string, DigestDraft> }> {
  const now = new Date();
  const stale = await fetchAll<Pick<ReminderDoc, '_id' | 'group' | 'draft'>>(
    db
      .collection(C.reminders)
      .where({ state: 'sending', leaseUntil: _.lt(now) })
      .field({ _id: true, group: true, draft: true }),
  );
  const touched = new Map<string, DigestDraft>();
  if (stale.length === 0) return { count: 0, touched };
  await updateWhere(
    stale.map((d) => d._id),
    { state: 'sending', leaseUntil: _.lt(now) },
    { state: 'unconfirmed', reason: 'unconfirmed', leaseUntil: null, updatedAt: now },
  );
  for (const d of stale) if (d.group && d.draft) touched.set(d.group, d.draft);
  console.warn(`[notify] ${stale.length} reminder(s) left in flight by an interrupted run are now unconfirmed (not re-sent)`);
  return { count: stale.length, touched };
}

// ---- the office's digest ----------------------------------------------------------------

export interface DigestDoc {
  _id: string;
  day: string;
  entries: Record<string, DigestEntry>;
  message: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Brings the day's digest up to date for the lines touched: a line whose
 * unit nobody was reached in (every recipient unreachable, failed or
 * unconfirmed) is set; a line where someone got the message is removed; a
 * line still in flight or waiting for a retry is left as it is.
 */
export async function recordDigest(day: string, touched: ReadonlyMap<string, DigestDraft>, now: Date): Promise<DigestEntry[]> {
  const current = await first<DigestDoc>(db.collection(C.digests).where({ _id: day }).limit(1));
  const entries = new Map(Object.entries(current?.entries ?? {}));
  if (touched.size === 0) return [...entries.values()];
  const docs = await fetchIn<Pick<ReminderDoc, 'group' | 'state' | 'reason' | 'openid' | 'personName' | 'subscription'>>(
    C.reminders,
    'group',
    [...touched.keys()],
    {},
    { group: true, state: true, reason: true, openid: true, personName: true, subscription: true },
  );
  const byGroup = new Map<string, typeof docs>();
  for (const d of docs) {
    if (!d.group) continue;
    byGroup.set(d.group, [...(byGroup.get(d.group) ?? []), d]);
  }
  const changes: Record<string, unknown> = {};
  for (const [group, draft] of touched) {
    const list = byGroup.get(group) ?? [];
    if (list.some((d) => d.state === 'sent')) {
      if (entries.delete(group)) changes[`entries.${group}`] = _.remove();
      continue;
    }
    if (list.length === 0 || list.some((d) => d.state === 'sending' || d.state === 'retry')) continue;
    const people: DigestPerson[] = list
      .filter((d) => d.openid)
      .map((d) => ({ name: d.personName, reason: (d.reason ?? 'unconfirmed') as UnreachableReason, subscription: d.subscription ?? null }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh'));
    const entry: DigestEntry = { ...draft, reason: unitReason(people), people, at: now };
    entries.set(group, entry);
    changes[`entries.${group}`] = _.set(entry);
  }
  if (Object.keys(changes).length === 0) return [...entries.values()];
  const message = groupMessage(day, [...entries.values()]);
  const updated = new Date();
  const res = (await db
    .collection(C.digests)
    .doc(day)
    .update({ data: { ...changes, message, updatedAt: updated } })) as { stats: { updated: number } };
  if (res.stats.updated === 0) {
    const doc: DigestDoc = { _id: day, day, entries: Object.fromEntries(entries), message, createdAt: updated, updatedAt: updated };
    try {
      await db.collection(C.digests).add({ data: doc });
    } catch {
      // Created by a concurrent run in between: apply ours on top of it.
      await db
        .collection(C.digests)
        .doc(day)
        .update({ data: { ...changes, message, updatedAt: updated } });
    }
  }
  return [...entries.values()];
}

// ---- immediate delivery from the api ------------------------------------------------------

export interface NotifySummary {
  sent: number;
  unreachable: number;
  failed: number;
  /** Left to the timer: a retryable error, or nothing could be attempted. */
  deferred: number;
}

/** The api's own budget is short (its timeout is 20 s): deliver within a few seconds or leave it to the timer. */
const IMMEDIATE_BUDGET_MS = 5_000;

async function deliverNow(planned: readonly Planned[], now: Date): Promise<NotifySummary> {
  const settings = reminderSettings();
  const runId = crypto.randomBytes(12).toString('hex');
  const r = await deliver(planned, { now, settings, runId, deadline: Date.now() + Math.min(settings.budgetMs, IMMEDIATE_BUDGET_MS) });
  await recordDigest(officeDay(now), r.touched, now);
  return { sent: r.sent, unreachable: r.unreachable, failed: r.failed, deferred: r.retry + r.remaining };
}

const nothing: NotifySummary = { sent: 0, unreachable: 0, failed: 0, deferred: 0 };

/**
 * Tells the unit's contacts at once that a report was returned (call it
 * right after review.decide committed a 'return'). Best effort: it never
 * throws; whatever it could not deliver, the next reminder run does, since
 * the reminder's key is the same.
 */
export async function notifyReturned(reportId: string, now = new Date()): Promise<NotifySummary> {
  try {
    const reviews = await fetchAll<ReviewDoc>(db.collection(C.reviews).where({ reportId, decision: 'return' }), 'at');
    const review = reviews[reviews.length - 1];
    if (!review) return nothing;
    const report = await first<{ roundId: string; unitId: string; planId: string }>(
      db.collection(C.reports).where({ _id: reportId }).field({ roundId: true, unitId: true, planId: true }).limit(1),
    );
    if (!report) return nothing;
    const world = await loadWorld({ planId: report.planId, roundIds: [report.roundId], unitIds: [report.unitId] }, now);
    return await deliverNow(await planReturned(world, [review]), now);
  } catch (err) {
    console.error(`[notify] returned notification deferred to the timer: ${scrub(err instanceof Error ? err.message : String(err))}`);
    return nothing;
  }
}

/** Tells the urged units' contacts at once (call it right after urge.send recorded the 催办). Best effort, as notifyReturned. */
export async function notifyUrge(urgeId: string, now = new Date()): Promise<NotifySummary> {
  try {
    const urge = await first<UrgeDoc>(db.collection(C.urges).where({ _id: urgeId }).limit(1));
    if (!urge) return nothing;
    const unitIds = Array.isArray(urge.units) ? urge.units.map((u) => u.unitId) : urge.unitIds;
    const world = await loadWorld({ planId: urge.planId, roundIds: [urge.roundId], unitIds }, now);
    return await deliverNow(planUrges(world, [urge]), now);
  } catch (err) {
    console.error(`[notify] 催办 notification deferred to the timer: ${scrub(err instanceof Error ? err.message : String(err))}`);
    return nothing;
  }
}

export { recentUrges };
