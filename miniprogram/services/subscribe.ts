/**
 * Reminders by subscribe message: ask on a tap and tell the server what the
 * person accepted, so reminders know whom they may message.
 *
 * Two kinds of template (the server's configuration, via me.get, is the one
 * source): one-time (一次性订阅, one accept = one message) and long-term
 * (长期订阅, one accept = messages until the person turns it off). WeChat
 * refuses one-time and long-term ids in the same wx.requestSubscribeMessage
 * call, and the dialog opens only from a tap: when both kinds are needed
 * the person taps twice, one call per kind.
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/subscribe-message/wx.requestSubscribeMessage.html
 */
import type { MeView, SubscribeResult } from '../shared/api';
import { call } from './call';

/** The platform refuses more than 3 templates in one request on some clients. */
export const MAX_TEMPLATES_PER_REQUEST = 3;

export class SubscribeError extends Error {}

const RESULTS: readonly string[] = ['accept', 'reject', 'ban', 'filter'];

/** One wx.requestSubscribeMessage call's worth: ids of one kind, at most 3. */
export interface SubscribeBatch {
  longTerm: boolean;
  tmplIds: string[];
}

/**
 * The calls to make, long-term first (one accept covers the year), then
 * one-time. Long-term templates the person already holds are not asked again.
 */
export function subscribeBatches(me: Pick<MeView, 'subscribeTemplates' | 'longTermTemplates' | 'longTermHeld'>): SubscribeBatch[] {
  const all = Array.isArray(me.subscribeTemplates) ? me.subscribeTemplates : [];
  const longTerm = new Set(Array.isArray(me.longTermTemplates) ? me.longTermTemplates : []);
  const held = new Set(Array.isArray(me.longTermHeld) ? me.longTermHeld : []);
  const batches: SubscribeBatch[] = [];
  const add = (ids: string[], isLongTerm: boolean) => {
    for (let i = 0; i < ids.length; i += MAX_TEMPLATES_PER_REQUEST) {
      batches.push({ longTerm: isLongTerm, tmplIds: ids.slice(i, i + MAX_TEMPLATES_PER_REQUEST) });
    }
  };
  add(
    all.filter((id) => longTerm.has(id) && !held.has(id)),
    true,
  );
  add(
    all.filter((id) => !longTerm.has(id)),
    false,
  );
  return batches;
}

function request(tmplIds: string[]): Promise<Record<string, SubscribeResult>> {
  return new Promise((resolve, reject) => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => {
        const results: Record<string, SubscribeResult> = {};
        for (const id of tmplIds) {
          const raw = (res as Record<string, unknown>)[id];
          // 'acceptWithAudio': accepted with a voice alert (templates that offer one); an accept all the same.
          const r = raw === 'acceptWithAudio' ? 'accept' : raw;
          if (typeof r === 'string' && RESULTS.includes(r)) results[id] = r as SubscribeResult;
        }
        resolve(results);
      },
      fail: (err) => {
        // 20004: the person switched off subscribe messages for this mini program.
        const off = (err as { errCode?: number }).errCode === 20004;
        reject(new SubscribeError(off ? '您已关闭订阅消息，请在右上角「…」→「设置」中打开后重试' : '订阅没有成功，请稍后重试'));
      },
    });
  });
}

/**
 * Asks for one batch. Must run straight from a tap handler: the platform
 * refuses the dialog otherwise. Returns how many templates were accepted.
 * Rejects are recorded too: on a long-term template a reject means the
 * person turned it off.
 */
export async function subscribeReminders(batch: SubscribeBatch): Promise<number> {
  const tmplIds = batch.tmplIds.slice(0, MAX_TEMPLATES_PER_REQUEST);
  if (tmplIds.length === 0) return 0;
  const results = await request(tmplIds);
  if (Object.keys(results).length > 0) await call('subscription.record', { results });
  return Object.values(results).filter((r) => r === 'accept').length;
}
