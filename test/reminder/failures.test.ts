/**
 * When WeChat or the run itself fails: 43101 zeroes the ledger, a refused
 * message is not retried but a transient error is, a run that hits its
 * time budget is continued by the next one, and a run killed mid-send
 * never leads to a second copy of a reminder (at most once, see
 * common/notify.ts and docs/data-model.md).
 */
import type { LocalCallError } from '../../scripts/local-cloud/runtime';
import { ADMIN, TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, createRound } from '../helpers/journey';
import { delivered, leaseClock, ledger, stillClock, moreContacts, outbox, remind, reminderDocs, sentDuring, subscribe } from './helpers';

const XC = CONTACTS.xiangcheng.openid;
const SF = CONTACTS.ssfj.openid;

let t: TestCloud;

async function setUp(env: Record<string, string> = {}) {
  t = startTestCloud({ env });
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng']);
  await createRound(t, { name: '第三季度', dueDate: '2021-09-30', scope: [8] });
}
afterEach(() => t.close());

const deadlineSends = (to?: string) =>
  delivered(t)
    .filter((e) => e.templateId === TEMPLATES.deadline && (to === undefined || e.touser === to))
    .map((e) => e.touser);

test('43101 sets the ledger to zero and puts the unit in the digest; a new subscription within the window is used', async () => {
  await setUp();
  await subscribe(t, XC, 'deadline', 5);
  await subscribe(t, SF, 'deadline', 5);
  // WeChat refuses the first send (the person switched messages off, or the count drifted).
  t.cloud.openapi.failNext(43101);
  const first = await remind(t, '2021-09-23');
  expect(first).toMatchObject({ sent: 1, unreachable: expect.any(Number) });
  const refused = reminderDocs(t, { state: 'unreachable', reason: 'refused' });
  expect(refused).toHaveLength(1);
  const who = refused[0]?.openid as string;
  const other = who === XC ? SF : XC;
  expect(ledger(t, who, 'deadline')).toBe(0);
  expect(ledger(t, other, 'deadline')).toBe(4);
  const digest = okData(await t.as(ADMIN)('digest.get', { day: '2021-09-23' }));
  const entry = digest.entries.find((e) => e.people.some((p) => p.reason === 'refused'));
  expect(entry?.reason).toBe('refused');

  // With the ledger at zero nobody tries again: no second 43101.
  await remind(t, '2021-09-24');
  expect(outbox(t).filter((e) => e.result.errCode === 43101)).toHaveLength(1);

  // The person subscribes again while the 7-day reminder is still current: the next run sends it.
  await subscribe(t, who, 'deadline', 1);
  const again = await sentDuring(t, () => remind(t, '2021-09-25'));
  expect(again.map((e) => [e.touser, e.result.errCode])).toEqual([[who, 0]]);
  expect(reminderDocs(t, { _id: refused[0]?._id })[0]).toMatchObject({ state: 'sent', attempts: 2 });
  expect(ledger(t, who, 'deadline')).toBe(0);
});

test('47003 marks the reminder failed with the reason and is not retried; other errors are retried by the next run', async () => {
  await setUp();
  await subscribe(t, XC, 'deadline', 5);
  await subscribe(t, SF, 'deadline', 5);
  t.cloud.openapi.failNext(47003);
  t.cloud.openapi.failNext(-1);
  const run = await remind(t, '2021-09-23');
  expect(run).toMatchObject({ sent: 0, failed: 1, retry: 1, complete: true });
  const failed = reminderDocs(t, { state: 'failed' })[0];
  expect(failed).toMatchObject({ reason: 'failed', errCode: 47003, error: expect.stringContaining('argument invalid') });
  const retry = reminderDocs(t, { state: 'retry' })[0];
  expect(retry).toMatchObject({ errCode: -1, attempts: 1 });
  // Neither consumed a subscription.
  expect(ledger(t, XC, 'deadline') + ledger(t, SF, 'deadline')).toBe(10);

  const next = await sentDuring(t, () => remind(t, '2021-09-24'));
  expect(next.map((e) => [e.touser, e.result.errCode])).toEqual([[retry?.openid, 0]]);
  expect(reminderDocs(t, { _id: retry?._id })[0]).toMatchObject({ state: 'sent', attempts: 2, errCode: null });
  expect(reminderDocs(t, { _id: failed?._id })[0]).toMatchObject({ state: 'failed' });
  // The failed one is in the digest with its reason.
  const digest = okData(await t.as(ADMIN)('digest.get', { day: '2021-09-23' }));
  expect(digest.entries.find((e) => e.unitId === (failed?.unitId as string))).toMatchObject({ reason: 'failed' });
});

test('a run that hits its time budget stops, and the next runs finish the rest, each reminder once', async () => {
  await setUp({ REMINDER_BUDGET_MS: '250', REMINDER_CONCURRENCY: '1' });
  const people = [XC, SF, ...(await moreContacts(t, 10))];
  await subscribe(t, XC, 'deadline', 1);
  await subscribe(t, SF, 'deadline', 1);
  // Each send costs 100 ms of a clock that otherwise stands still: planning is free however busy the machine,
  // and the budget of 250 ms runs out after the third send of every run.
  const clock = stillClock();
  const send = t.cloud.openapi.handle;
  t.cloud.openapi.handle = (params, args) => {
    clock.advance(100);
    return send(params, args);
  };
  try {
    await budgetRuns(people);
  } finally {
    t.cloud.openapi.handle = send;
    clock.restore();
  }
});

async function budgetRuns(people: readonly string[]) {
  const first = await remind(t, '2021-09-27');
  expect(first.complete).toBe(false);
  expect(first.sent).toBe(3);
  expect(first.remaining).toBe(people.length - first.sent);
  expect(first.ms).toBe(300);
  // Nothing of the rest was left claimed: the next run can take it.
  expect(reminderDocs(t, { state: 'sending' })).toEqual([]);

  const runs = [first];
  for (let i = 0; i < 20 && !runs[runs.length - 1]?.complete; i++) runs.push(await remind(t, '2021-09-27', `09:${String(10 + i)}:00`));
  expect(runs.length).toBeGreaterThan(2);
  expect(runs[runs.length - 1]?.complete).toBe(true);
  expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(people.length);
  expect(deadlineSends().sort()).toEqual([...people].sort());
}

test('a run killed mid-send (the platform timeout) never leads to a second copy; the rerun sends only what was never claimed', async () => {
  // A lease far longer than any run, passed by moving the clock (leaseClock): no step races the machine's speed.
  await setUp({ REMINDER_CONCURRENCY: '1', REMINDER_LEASE_MS: '600000' });
  const clock = leaseClock();
  try {
    await killedMidSend();
  } finally {
    clock.restore();
  }

  async function killedMidSend() {
    const people = [XC, SF, ...(await moreContacts(t, 13))];
    await subscribe(t, XC, 'deadline', 2);
    await subscribe(t, SF, 'deadline', 2);
    // Chunks of 10 at concurrency 1: the 4th send of the first chunk never answers, and the platform kills the run at
    // 6 s (planning and three sends take a fraction of that even on a machine busy with the whole suite).
    const fn = t.cloud.functions.get('reminder');
    if (!fn) throw new Error('no reminder function');
    const timeout = fn.timeout;
    fn.timeout = 6;
    const real = t.cloud.openapi.handle;
    let sends = 0;
    t.cloud.openapi.handle = (params, args) => (++sends > 3 ? new Promise(() => undefined) : real(params, args));
    await expect(remind(t, '2021-09-27')).rejects.toMatchObject({ errCode: -504003 } satisfies Partial<LocalCallError>);
    t.cloud.openapi.handle = real;
    fn.timeout = timeout;
    expect(deadlineSends()).toHaveLength(3);
    expect(reminderDocs(t, { state: 'sending' })).toHaveLength(10);

    // While the dead run's claims are within their lease, a rerun leaves them alone and sends the unclaimed rest.
    const rerun = await remind(t, '2021-09-27', '09:05:00');
    expect(rerun).toMatchObject({ sent: people.length - 10, unconfirmed: 0, complete: true });
    // Once the lease is over they become unconfirmed, and are still not re-sent.
    clock.pastLeases(reminderDocs(t, { state: 'sending' }).map((d) => d.leaseUntil as Date));
    const later = await remind(t, '2021-09-27', '09:10:00');
    expect(later).toMatchObject({ sent: 0, unconfirmed: 10 });
    expect(reminderDocs(t, { state: 'unconfirmed' })).toHaveLength(10);
    expect(await sentDuring(t, () => remind(t, '2021-09-28'))).toEqual([]);

    // Nobody received a reminder twice; 7 of the dead run's 10 claims were lost, as documented (at most once).
    const sends2 = deadlineSends();
    expect(new Set(sends2).size).toBe(sends2.length);
    expect(sends2).toHaveLength(3 + people.length - 10);
    // The office sees the units whose reminder may be lost.
    const digest = okData(await t.as(ADMIN)('digest.get', { day: '2021-09-27' }));
    expect(digest.entries.filter((e) => e.reason === 'unconfirmed')).toHaveLength(10);
  }
});

test('a failed write of one chunk’s outcomes ends the run; the chunks around it are recorded, nobody gets two', async () => {
  // Chunks of 10 at concurrency 1: 15 people are two chunks, and a chunk's outcomes are written while the next is sent.
  await setUp({ REMINDER_CONCURRENCY: '1', REMINDER_LEASE_MS: '600000' });
  const clock = leaseClock();
  try {
    const people = [XC, SF, ...(await moreContacts(t, 13))];
    await subscribe(t, XC, 'deadline', 2);
    await subscribe(t, SF, 'deadline', 2);
    // The first write of outcomes (the first chunk's `sent`) fails.
    t.cloud.db.failNext({ action: 'database.modifyDocument', collection: 'reminders' });
    // The failed run and the sweep that follows log what happened; not part of this test's output.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(remind(t, '2021-09-27')).rejects.toBeDefined();
    const first = deadlineSends();
    // The first chunk was sent and stays claimed; the second was sent and recorded, or never claimed.
    expect(first.length).toBeGreaterThanOrEqual(10);
    const stuck = reminderDocs(t, { state: 'sending' });
    expect(stuck).toHaveLength(10);
    expect(reminderDocs(t, { state: 'sent' })).toHaveLength(first.length - 10);

    // The next runs send what was never claimed, and never what the failed write left unknown.
    await remind(t, '2021-09-27', '09:05:00');
    clock.pastLeases(stuck.map((d) => d.leaseUntil as Date));
    expect(await remind(t, '2021-09-27', '09:10:00')).toMatchObject({ sent: 0, unconfirmed: 10 });
    const all = deadlineSends();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...people].sort());
  } finally {
    jest.restoreAllMocks();
    clock.restore();
  }
});
