/**
 * Deadline reminders: ask for one-time subscriptions on a tap and tell the
 * server what the person accepted, so reminders know whom they may message.
 */
import type { SubscribeResult } from '../shared/api';
import { call } from './call';

/** The platform refuses more than 3 templates in one request on some clients. */
export const MAX_TEMPLATES_PER_REQUEST = 3;

export class SubscribeError extends Error {}

const RESULTS: readonly string[] = ['accept', 'reject', 'ban', 'filter'];

function request(tmplIds: string[]): Promise<Record<string, SubscribeResult>> {
  return new Promise((resolve, reject) => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => {
        const results: Record<string, SubscribeResult> = {};
        for (const id of tmplIds) {
          const r = (res as Record<string, unknown>)[id];
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
 * Must run straight from a tap handler: the platform refuses the dialog
 * otherwise. Returns how many reminders were accepted.
 */
export async function subscribeReminders(templates: string[]): Promise<number> {
  const tmplIds = templates.slice(0, MAX_TEMPLATES_PER_REQUEST);
  if (tmplIds.length === 0) return 0;
  const results = await request(tmplIds);
  if (Object.keys(results).length > 0) await call('subscription.record', { results });
  return Object.values(results).filter((r) => r === 'accept').length;
}
