/**
 * The quota ledger's intake: one-time subscriptions mean one accepted
 * template = one message we may send later. The client reports what
 * wx.requestSubscribeMessage returned; only configured templates count.
 */
import type { SubscribeResult } from '../../../../miniprogram/shared/api';
import { _, db, rows } from '../../../common/cloud';
import { invalid } from '../../../common/envelope';
import { C } from '../../../common/schema';
import { configuredTemplates } from '../../../common/templates';
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

async function addOne(openid: string, templateId: string, now: Date): Promise<void> {
  const key = subscriptionKey(openid, templateId);
  const res = (await db
    .collection(C.subscriptions)
    .doc(key)
    .update({ data: { quota: _.inc(1), updatedAt: now } })) as {
    stats: { updated: number };
  };
  if (res.stats.updated > 0) return;
  try {
    await db.collection(C.subscriptions).add({ data: { _id: key, openid, templateId, quota: 1, updatedAt: now } });
  } catch {
    // A concurrent first accept created it: count ours on top.
    await db
      .collection(C.subscriptions)
      .doc(key)
      .update({ data: { quota: _.inc(1), updatedAt: now } });
  }
}

export const subscriptionRecord: ActionDef<'subscription.record'> = {
  access: 'anyone',
  input: resultsInput,
  async run({ results }, caller) {
    const configured = new Set(configuredTemplates());
    const now = new Date();
    for (const [templateId, result] of Object.entries(results)) {
      if (result === 'accept' && configured.has(templateId)) await addOne(caller.openid, templateId, now);
    }
    const mine = await rows<{ templateId: string; quota: number }>(
      db.collection(C.subscriptions).where({ openid: caller.openid }).limit(100),
    );
    return { quota: Object.fromEntries(mine.filter((s) => configured.has(s.templateId)).map((s) => [s.templateId, s.quota])) };
  },
};
