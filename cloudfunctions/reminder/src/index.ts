/**
 * The `reminder` cloud function: run only by its timer trigger (config.json,
 * daily at 09:00 UTC+8). It sends deadline reminders, 退回 and 催办
 * notifications not yet delivered, and keeps the office's daily digest
 * (see docs/api.md). A call from a client is refused: it would let anyone
 * spend everyone's subscriptions.
 */
import { cloud } from '../../common/cloud';
import { failure, forbidden, ok } from '../../common/envelope';
import { runReminders } from './run';
import { collectionsReady } from '../../common/collections';
import { recordReminderRun } from '../../common/reminder-runs';

/** The trigger's `Time` (the platform sets it; the local cloud may simulate one), else the clock. */
export function triggerTime(event: unknown): Date {
  const time = event && typeof event === 'object' ? (event as { Time?: unknown }).Time : undefined;
  if (typeof time === 'string') {
    const at = new Date(time);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return new Date();
}

export async function main(event: unknown) {
  try {
    // The platform sets SOURCE; nothing in the event can claim to be the timer.
    if (cloud.getWXContext().SOURCE !== 'wx_trigger') throw forbidden('提醒由定时触发器自动发送，不能从小程序调用');
    await collectionsReady();
    const summary = await runReminders(triggerTime(event));
    await recordReminderRun({ at: new Date(summary.now), day: summary.day, complete: summary.complete, sent: summary.sent, ok: true });
    return ok(summary);
  } catch (err) {
    const result = failure(err, 'reminder');
    // Best effort: a run refused at the edge (not the timer) is not a run.
    if (cloud.getWXContext().SOURCE === 'wx_trigger') {
      const code = result.ok ? undefined : result.code;
      await recordReminderRun({ at: triggerTime(event), day: '', complete: false, sent: 0, ok: false, ...(code ? { code } : {}) }).catch(
        () => undefined,
      );
    }
    return result;
  }
}
