/**
 * Reminder runs on a simulated clock: the timer is fired as the platform
 * would (SOURCE wx_trigger) with the trigger's `Time` set to 09:00 of the
 * simulated day, and what WeChat received is read back from the outbox.
 */
import type { ReminderKind } from '../../miniprogram/shared/api';
import type { RunSummary } from '../../cloudfunctions/reminder/src/run';
import type { OutboxEntry } from '../../scripts/local-cloud/openapi';
import { DIRECTORY } from '../../cloudfunctions/common/table';
import { ADMIN, TEMPLATES, okData, type TestCloud } from '../helpers/local-cloud';
import { expectedAssignments } from '../helpers/journey';

export const KIND_OF: Record<string, ReminderKind> = Object.fromEntries(
  Object.entries(TEMPLATES).map(([k, id]) => [id, k as ReminderKind]),
);

/** Fires the reminder timer at 09:00 (UTC+8) of `day` and unwraps its envelope. */
export async function remind(t: TestCloud, day: string, time = '09:00:00'): Promise<RunSummary> {
  const res = (await t.cloud.runTrigger('reminder', 'remind', { Time: `${day}T${time}+08:00` })) as
    { ok: true; data: RunSummary } | { ok: false; code: string; message: string };
  if (!res.ok) throw new Error(`reminder run failed: ${res.code} ${res.message}`);
  return res.data;
}

/** The person accepts `kind` `n` times: the ledger (through the api, as the app does) and WeChat's own count agree. */
export async function subscribe(t: TestCloud, openid: string, kind: ReminderKind, n: number): Promise<void> {
  for (let i = 0; i < n; i++) okData(await t.as(openid)('subscription.record', { results: { [TEMPLATES[kind]]: 'accept' } }));
  if (n > 0) t.cloud.openapi.grant(openid, TEMPLATES[kind], n);
}

export const ledger = (t: TestCloud, openid: string, kind: ReminderKind): number =>
  (t.cloud.db.find('subscriptions', { _id: `${openid}:${TEMPLATES[kind]}` })[0]?.quota as number | undefined) ?? 0;

export const outbox = (t: TestCloud): OutboxEntry[] => t.cloud.openapi.outbox({ limit: 1_000_000 });

/** Successful sends only (what people actually received). */
export const delivered = (t: TestCloud): OutboxEntry[] => outbox(t).filter((e) => e.result.errCode === 0);

/** A compact view of a send: who, which kind, the values. */
export function brief(e: OutboxEntry): { to: string; kind: ReminderKind | undefined; values: Record<string, string> } {
  const data = (e.data ?? {}) as Record<string, { value: string }>;
  return { to: e.touser, kind: KIND_OF[e.templateId], values: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.value])) };
}

/** Runs `fn` and returns what it added to the outbox. */
export async function sentDuring(t: TestCloud, fn: () => Promise<unknown>): Promise<OutboxEntry[]> {
  const before = outbox(t).length;
  await fn();
  return outbox(t).slice(before);
}

export const reminderDocs = (t: TestCloud, filter: Record<string, unknown> = {}) => t.cloud.db.find('reminders', filter);

/** `n` more contacts, each the only one of a unit on task 8 (not 市司法局 or 香城镇), each with one deadline subscription. */
export async function moreContacts(t: TestCloud, n: number): Promise<string[]> {
  const units = DIRECTORY.units
    .map((u) => u.code)
    .filter((code) => !['ssfj', 'xiangcheng-zhen'].includes(code) && expectedAssignments(code).some((a) => a.taskNo === 8));
  if (units.length < n) throw new Error(`only ${units.length} more units on task 8`);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const openid = `o-extra-contact-${String(i).padStart(2, '0')}`;
    okData(
      await t.as(openid)('contact.bind', {
        unitId: units[i] as string,
        name: `联络员${i}`,
        phone: `139000000${String(i).padStart(2, '0')}`,
      }),
    );
    okData(await t.as(ADMIN)('contact.approve', { openid }));
    await subscribe(t, openid, 'deadline', 1);
    ids.push(openid);
  }
  return ids;
}

/**
 * A claim's lease runs on the real clock (`leaseUntil` against `new Date()`
 * in the sweep). Waiting it out races the machine: a busy one reaches the
 * "still within the lease" step too late. With this clock, leases can be
 * long and still be passed at once: only `Date` is replaced, it follows real
 * time, and `pastLeases` moves it just beyond the latest lease given.
 * Timers stay real. Call `restore` when done.
 */
export function leaseClock(): { pastLeases(leaseUntil: readonly (Date | string | null | undefined)[]): void; restore(): void } {
  fakeDateOnly(true);
  return {
    pastLeases(leaseUntil) {
      const until = Math.max(...leaseUntil.map((d) => (d ? new Date(d).getTime() : 0)));
      jest.setSystemTime(Math.max(Date.now(), until) + 1000);
    },
    restore: () => jest.useRealTimers(),
  };
}

/**
 * A clock that stands still unless the test moves it (`advance`): a run's time
 * budget is then spent by what the test says each step costs, not by how busy
 * the machine is. Only `Date` is replaced; timers stay real.
 */
export function stillClock(): { advance(ms: number): void; restore(): void } {
  fakeDateOnly(false);
  return { advance: (ms) => jest.setSystemTime(Date.now() + ms), restore: () => jest.useRealTimers() };
}

function fakeDateOnly(followRealTime: boolean): void {
  jest.useFakeTimers({
    now: Date.now(),
    advanceTimers: followRealTime,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
