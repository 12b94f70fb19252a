/**
 * The subscription ledger's intake. The client reports what
 * wx.requestSubscribeMessage returned; only configured templates count,
 * each by its configured kind (common/domain/subscriptions.ts): a one-time
 * accept is one message we may send later, a long-term accept holds until
 * a reject/ban (or a 43101 on send) says the person turned it off.
 */
import type { SubscribeResult, SubscriptionKind } from '../../../../miniprogram/shared/api';
import { _, db, rows } from '../../../common/cloud';
import { recordEffect } from '../../../common/domain/subscriptions';
import { invalid } from '../../../common/envelope';
import { C } from '../../../common/schema';
import { templateKinds } from '../../../common/templates';
import { label, object, oneOf, record, type Validator } from '../../../common/validate';
import type { ActionDef } from '../router';

const RESULTS: readonly SubscribeResult[] = ['accept', 'reject', 'ban', 'filter'];

const resultsInput: Validator<{ results: Record<string, SubscribeResult> }> = (value, path) => {
  const input = object({
    results: record(oneOf(RESULTS), { maxKeys: 10, key: /^[A-Za-z0-9_-]{1,64}$/, keyMessage: '模板 ID 格式不正确' }),
  })(value, path);
  if (Object.keys(input.results).length === 0) throw invalid('results', `请填写${label('results')}`);
  return input;
};

export const subscriptionKey = (openid: string, templateId: string) => `${openid}:${templateId}`;

/** Applies `change` to the person's ledger entry, creating it (from `initial`) when it does not exist yet. */
async function upsert(
  openid: string,
  templateId: string,
  change: Record<string, unknown>,
  initial: { quota: number; longTerm: boolean; kind: SubscriptionKind },
  now: Date,
): Promise<void> {
  const key = subscriptionKey(openid, templateId);
  const res = (await db
    .collection(C.subscriptions)
    .doc(key)
    .update({ data: { ...change, kind: initial.kind, updatedAt: now } })) as { stats: { updated: number } };
  if (res.stats.updated > 0) return;
  try {
    await db.collection(C.subscriptions).add({ data: { _id: key, openid, templateId, ...initial, updatedAt: now } });
  } catch {
    // A concurrent first answer created it: apply ours on top.
    await db
      .collection(C.subscriptions)
      .doc(key)
      .update({ data: { ...change, kind: initial.kind, updatedAt: now } });
  }
}

async function apply(openid: string, templateId: string, kind: SubscriptionKind, result: SubscribeResult, now: Date): Promise<void> {
  const effect = recordEffect(kind, result);
  switch (effect.op) {
    case 'add-one':
      return upsert(openid, templateId, { quota: _.inc(1) }, { quota: 1, longTerm: false, kind }, now);
    case 'hold':
      return upsert(openid, templateId, { longTerm: true }, { quota: 0, longTerm: true, kind }, now);
    case 'release':
      // Nothing to release for a person who never accepted: no document needed.
      await db
        .collection(C.subscriptions)
        .doc(subscriptionKey(openid, templateId))
        .update({ data: { longTerm: false, kind, updatedAt: now } });
      return;
    case 'none':
      return;
  }
}

export const subscriptionRecord: ActionDef<'subscription.record'> = {
  access: 'anyone',
  input: resultsInput,
  async run({ results }, caller) {
    const kinds = templateKinds();
    const now = new Date();
    for (const [templateId, result] of Object.entries(results)) {
      const kind = kinds.get(templateId);
      if (kind) await apply(caller.openid, templateId, kind, result, now);
    }
    return heldBy(caller.openid, kinds);
  },
};

/** What a person holds on the configured templates: one-time messages left, and the long-term templates that hold. */
export async function heldBy(openid: string, kinds = templateKinds()): Promise<{ quota: Record<string, number>; longTerm: string[] }> {
  const mine = await rows<{ templateId: string; quota?: number; longTerm?: boolean }>(
    db.collection(C.subscriptions).where({ openid }).limit(100),
  );
  const quota: Record<string, number> = {};
  const longTerm: string[] = [];
  for (const s of mine) {
    const kind = kinds.get(s.templateId);
    if (kind === 'one-time') quota[s.templateId] = s.quota ?? 0;
    else if (kind === 'long-term' && s.longTerm === true) longTerm.push(s.templateId);
  }
  return { quota, longTerm: longTerm.sort() };
}
