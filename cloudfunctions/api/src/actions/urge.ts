/**
 * 催办: the office sees which units of a round are late (past due with
 * nothing in, or returned and not resubmitted), gets a message to paste into
 * the 政务公开 group, and sees per person whether a subscribe message can
 * reach them. `urge.send` only records the 催办 (collection `urges`, with
 * one target per person): the reminder service sends the subscribe messages
 * from those facts. Nothing here sends a message.
 */
import crypto from 'crypto';
import type { UrgePreview, UrgeSendResult, UrgeTarget, UrgeUnit } from '../../../../miniprogram/shared/api';
import { db, fetchAll, fetchIn } from '../../../common/cloud';
import { lateUnits, urgeMessage, type LateUnit } from '../../../common/domain/urge';
import { conflict, invalid } from '../../../common/envelope';
import type { ContactDoc, RoundDoc, UrgeDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { holding, type SubscriptionState } from '../../../common/domain/subscriptions';
import { templateRefs } from '../../../common/templates';
import { array, object, optional, roundIdInput, string, type Validator } from '../../../common/validate';
import type { Caller } from '../../../common/context';
import { loadRoundGrid, type LoadedGrid } from '../round-grid';
import type { ActionDef } from '../router';
import { inTransaction, txAudit, txGet } from '../../../common/transaction';
import { roundView } from './rounds';
import { subscriptionKey } from './subscriptions';

const unitIdInput = string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '单位编号格式不正确，请刷新后重试' });

const unitIdsInput: Validator<string[]> = (value, path) => {
  const ids = array(unitIdInput, 500)(value, path);
  if (ids.length === 0) throw invalid(path, '请至少选择一个单位');
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) throw invalid(`${path}[${i}]`, '同一个单位选了两次');
  });
  return ids;
};

interface Late {
  loaded: LoadedGrid;
  late: LateUnit[];
  units: UrgeUnit[];
  templateId: string | null;
}

/** The late units with their active contacts and whether each can be notified. */
async function lateWithContacts(roundId: string): Promise<Late> {
  const ref = templateRefs().urge;
  const templateId = ref?.id ?? null;
  const [loaded, contacts] = await Promise.all([
    loadRoundGrid(roundId),
    // Active contacts of every unit (a few per unit): one request, in parallel with the grid.
    fetchAll<Pick<ContactDoc, '_id' | 'name' | 'unitId'>>(
      db.collection(C.contacts).where({ status: 'active' }).field({ _id: true, name: true, unitId: true }),
    ),
  ]);
  const late = lateUnits(loaded.grid);
  const lateIds = new Set(late.map((u) => u.unitId));
  const people = contacts.filter((c) => c.unitId && lateIds.has(c.unitId));
  const ledger = new Map<string, SubscriptionState>();
  if (templateId && people.length) {
    const subs = await fetchIn<{ _id: string } & SubscriptionState>(
      C.subscriptions,
      '_id',
      people.map((p) => subscriptionKey(p._id, templateId)),
      {},
      { _id: true, quota: true, longTerm: true },
    );
    for (const s of subs) ledger.set(s._id, s);
  }
  const byUnit = new Map<string, UrgeTarget[]>();
  for (const p of people.sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN') || a._id.localeCompare(b._id))) {
    const subscription = ref ? holding(ref.kind, ledger.get(subscriptionKey(p._id, ref.id))) : null;
    const list = byUnit.get(p.unitId as string) ?? [];
    list.push({ openid: p._id, name: p.name, canNotify: subscription !== null, subscription });
    byUnit.set(p.unitId as string, list);
  }
  const units = late.map((u): UrgeUnit => ({ ...u, contacts: byUnit.get(u.unitId) ?? [] }));
  return { loaded, late, units, templateId };
}

function messageFor(round: RoundDoc, loaded: LoadedGrid, units: readonly UrgeUnit[]): string {
  return urgeMessage({
    roundName: round.name,
    dueDate: round.dueDate,
    taskDue: new Map(loaded.grid.tasks.map((t) => [t.no, t.dueDate])),
    units: units.map((u) => ({ ...u, contactNames: u.contacts.map((c) => c.name) })),
    now: loaded.now,
  });
}

export const urgePreview: ActionDef<'urge.preview'> = {
  access: 'admin',
  input: object({ roundId: roundIdInput }),
  async run({ roundId }) {
    const { loaded, units, templateId } = await lateWithContacts(roundId);
    const view: UrgePreview = {
      round: roundView(loaded.round),
      asOf: loaded.now.toISOString(),
      units,
      text: messageFor(loaded.round, loaded, units),
      notifyConfigured: templateId !== null,
    };
    return view;
  },
};

/** A retried send (same person, same request id) maps to the same document. */
const urgeIdFor = (requestKey: string) => `urge-${crypto.createHash('sha256').update(requestKey).digest('hex').slice(0, 32)}`;

/** The stored 催办 as the office saw it when it was recorded. */
function resultOf(doc: UrgeDoc, round: RoundDoc, duplicate: boolean, skipped: string[]): UrgeSendResult {
  const units = doc.units.map((u): UrgeUnit => ({
    ...u,
    contacts: doc.targets
      .filter((t) => t.unitId === u.unitId)
      .map((t) => ({
        openid: t.openid,
        name: t.name,
        canNotify: t.canNotify,
        subscription: t.subscription ?? (t.canNotify ? 'one-time' : null),
      })),
  }));
  return {
    round: roundView(round),
    asOf: new Date(doc.at).toISOString(),
    units,
    text: doc.text,
    notifyConfigured: doc.templateId !== null,
    urgeId: doc._id,
    skipped,
    duplicate,
  };
}

async function duplicateOf(caller: Caller, requestKey: string | undefined, roundId: string): Promise<UrgeDoc | undefined> {
  if (requestKey === undefined) return undefined;
  const [doc] = await fetchIn<UrgeDoc>(C.urges, '_id', [urgeIdFor(requestKey)]);
  if (doc && (doc.by !== caller.openid || doc.roundId !== roundId))
    throw invalid('requestId', '请求编号已用于另一次催办，请刷新页面后重试');
  return doc;
}

export const urgeSend: ActionDef<'urge.send'> = {
  access: 'admin',
  input: object({
    roundId: roundIdInput,
    unitIds: optional(unitIdsInput),
    requestId: optional(string({ min: 8, max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '请求编号格式不正确，请刷新页面后重试' })),
  }),
  async run({ roundId, unitIds, requestId }, caller) {
    const requestKey = requestId === undefined ? undefined : `${caller.openid}:${requestId}`;
    const earlier = await duplicateOf(caller, requestKey, roundId);
    const { loaded, units: allLate, templateId } = await lateWithContacts(roundId);
    if (earlier) return resultOf(earlier, loaded.round, true, []);

    const known = new Set(loaded.units.map((u) => u._id));
    unitIds?.forEach((id, i) => {
      if (!known.has(id)) throw invalid(`unitIds[${i}]`, '找不到该单位，请刷新后重试');
    });
    const wanted = unitIds === undefined ? undefined : new Set(unitIds);
    const units = wanted ? allLate.filter((u) => wanted.has(u.unitId)) : allLate;
    const lateIds = new Set(allLate.map((u) => u.unitId));
    const skipped = (unitIds ?? []).filter((id) => !lateIds.has(id));
    if (units.length === 0) {
      throw conflict(unitIds ? '所选单位都已报送，无需催办，请刷新后查看' : '本轮暂无逾期或被退回的单位，无需催办');
    }

    const round = loaded.round;
    const doc: UrgeDoc = {
      _id: requestKey ? urgeIdFor(requestKey) : crypto.randomBytes(16).toString('hex'),
      planId: round.planId,
      roundId: round._id,
      roundName: round.name,
      unitIds: units.map((u) => u.unitId),
      units: units.map((u) => ({ unitId: u.unitId, unitName: u.unitName, missing: u.missing, returned: u.returned })),
      targets: units.flatMap((u) =>
        u.contacts.map((c) => ({ openid: c.openid, name: c.name, unitId: u.unitId, canNotify: c.canNotify, subscription: c.subscription })),
      ),
      text: messageFor(round, loaded, units),
      templateId,
      by: caller.openid,
      byName: (await caller.contact())?.name ?? '',
      at: loaded.now,
    };
    if (requestKey) doc.requestKey = requestKey;

    const stored = await inTransaction(async (tx) => {
      // Two copies of one retried send: the second finds the first inside the commit.
      const first = await txGet<UrgeDoc>(tx, C.urges, doc._id);
      if (first) return { doc: first, duplicate: true };
      await tx.collection(C.urges).add({ data: doc });
      await txAudit(tx, caller.openid, 'urge.send', `round:${round._id}`, {
        urgeId: doc._id,
        unitIds: doc.unitIds,
        targets: doc.targets.length,
        notifiable: doc.targets.filter((t) => t.canNotify).length,
      });
      return { doc, duplicate: false };
    });
    // People with quota hear of it now rather than at the next timer run; the
    // notifier never throws, and whatever it cannot deliver the timer retries.
    // Loaded lazily so the api's cold start does not carry it.
    if (!stored.duplicate) await (await import('../../../common/notify')).notifyUrge(stored.doc._id);
    return resultOf(stored.doc, round, stored.duplicate, stored.duplicate ? [] : skipped);
  },
};
