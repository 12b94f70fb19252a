/**
 * One reminder run: plan everything due today, send within the time
 * budget, update the office's digest, and tell the office when the digest
 * has units in it. Every step is keyed, so running again (the next timer,
 * the next day, a rerun after a crash) continues instead of repeating.
 */
import crypto from 'crypto';
import { addDays, endOfDay, officeDay } from '../../common/domain/dates';
import { deliver, recordDigest, recentUrges, sweepAbandoned, type DeliverResult } from '../../common/notify';
import { reminderSettings } from '../../common/reminder-config';
import { loadWorld, planDeadlines, planDigestNotices, planReturned, planUrges, recentReturns } from '../../common/reminder-plan';

export interface RunSummary {
  /** The office day the run reminded for. */
  day: string;
  /** The run's "now" (the trigger's Time). */
  now: string;
  /** False when the budget ran out with sends left: the next run continues. */
  complete: boolean;
  /** Reminders due today (one per recipient, including units with nobody bound). */
  planned: number;
  sent: number;
  failed: number;
  unreachable: number;
  retry: number;
  skipped: number;
  remaining: number;
  /** Sends an interrupted earlier run left in flight, now unconfirmed (not re-sent). */
  unconfirmed: number;
  /** Units in today's digest. */
  digestEntries: number;
  /** Administrators told about the digest in this run. */
  digestNotified: number;
  /** Time spent reading and planning before the first send. */
  planMs: number;
  ms: number;
}

const add = (a: DeliverResult, b: DeliverResult): DeliverResult => ({
  sent: a.sent + b.sent,
  failed: a.failed + b.failed,
  unreachable: a.unreachable + b.unreachable,
  retry: a.retry + b.retry,
  skipped: a.skipped + b.skipped,
  remaining: a.remaining + b.remaining,
  touched: new Map([...a.touched, ...b.touched]),
});

export async function runReminders(now: Date): Promise<RunSummary> {
  const started = Date.now();
  const settings = reminderSettings();
  const deadline = started + settings.budgetMs;
  const runId = crypto.randomBytes(12).toString('hex');
  const day = officeDay(now);
  const options = { now, settings, runId, deadline };

  const swept = await sweepAbandoned();
  const world = await loadWorld({ admins: true }, now);
  // Look back from the end of today, in whole days: a 退回 at 18:00 is still picked up a week later at 09:00.
  const since = endOfDay(addDays(day, -settings.schedule.lookbackDays - 1));
  const roundIds = world.rounds.map((r) => r._id);
  const [reviews, urges] = roundIds.length ? await Promise.all([recentReturns(since), recentUrges(since, roundIds)]) : [[], []];
  const planned = [...(await planReturned(world, reviews)), ...planUrges(world, urges), ...planDeadlines(world, settings.schedule)];

  const planMs = Date.now() - started;
  const result = await deliver(planned, options);
  const touched = new Map([...swept.touched, ...result.touched]);
  const entries = await recordDigest(day, touched, now);

  let notified: DeliverResult | undefined;
  if (entries.length > 0 && Date.now() < deadline) {
    const units = [...new Set(entries.map((e) => e.unitName))];
    notified = await deliver(planDigestNotices(world.admins, day, units, now), options);
  }
  const total = notified ? add(result, notified) : result;
  return {
    day,
    now: now.toISOString(),
    complete: total.remaining === 0,
    planned: planned.length,
    sent: result.sent,
    failed: result.failed,
    unreachable: result.unreachable,
    retry: result.retry,
    skipped: result.skipped,
    remaining: total.remaining,
    unconfirmed: swept.count,
    digestEntries: entries.length,
    digestNotified: notified?.sent ?? 0,
    planMs,
    ms: Date.now() - started,
  };
}
