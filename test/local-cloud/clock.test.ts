/**
 * One clock for the whole local cloud: set to a day in 2021, every function
 * (api, reminder), the database's server dates, storage and the timers see it;
 * the test runner itself keeps the real time.
 */
import { parseToday } from '../../scripts/local-cloud/clock';
import { setClock, timers } from '../../scripts/local-cloud/console/views';
import { approveContacts, CONTACTS, reportInput, startUploader, picture, evidenceOf } from '../helpers/journey';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { uploadPrefix } from '../../miniprogram/shared/api';

const TODAY = new Date('2021-09-20T10:30:00+08:00');
let t: TestCloud;

beforeAll(async () => {
  t = startTestCloud({ today: TODAY });
  await t.seed();
  await approveContacts(t, ['ssfj']);
});
afterAll(() => t.close());

test('--today parses a day (10:00 Beijing time) or a day and time, and refuses what is not a date', () => {
  expect(parseToday('2021-09-20')?.toISOString()).toBe('2021-09-20T02:00:00.000Z');
  expect(parseToday('2021-09-20T10:30')?.toISOString()).toBe('2021-09-20T02:30:00.000Z');
  expect(parseToday('2021-09-20 23:59:30')?.toISOString()).toBe('2021-09-20T15:59:30.000Z');
  for (const bad of ['2021-02-30', '20210920', 'tomorrow', '2021-09-20T25:00', '']) expect(parseToday(bad)).toBeUndefined();
});

test('a round created with the clock set counts its days from the clock: 还剩 N 天, not 已逾期', async () => {
  const round = okData(await t.as(ADMIN)('round.create', { name: '第三季度', dueDate: '2021-09-30', scope: 'all' }));
  const mine = okData(await t.as(CONTACTS.ssfj.openid)('tasks.mine'));
  expect(mine.round?.id).toBe(round.id);
  const inRound = mine.items.filter((i) => i.inRound);
  expect(inRound.length).toBeGreaterThan(0);
  for (const item of inRound) expect(item.daysLeft).toBe(10);
  expect(mine.counts.overdue).toBe(0);
});

test('server dates, storage times and stored reports are on the clock; the test runner is not', async () => {
  const round = okData(await t.as(ADMIN)('round.list', {}))[0];
  const mine = okData(await t.as(CONTACTS.ssfj.openid)('tasks.mine'));
  const item = mine.items.find((i) => i.inRound);
  if (!round || !item) throw new Error('no round or assignment');
  const uploader = await startUploader(t);
  const bytes = picture('clock');
  const fileID = await uploader.upload(
    CONTACTS.ssfj.openid,
    `${uploadPrefix(CONTACTS.ssfj.unitId, CONTACTS.ssfj.openid)}2021/${round.id}/clock.jpg`,
    bytes,
  );
  const stored = t.cloud.storage.list({ limit: 10 }).find((f) => fileID.endsWith(f.cloudPath));
  const day = (iso: string | Date) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  expect(day(stored?.uploadedAt ?? '')).toBe('2021-09-20');
  const sent = okData(
    await t.as(CONTACTS.ssfj.openid)(
      'report.submit',
      reportInput(item.assignmentId, round.id, 'clock-request-0001', { images: [evidenceOf(fileID, '照片.jpg', bytes)] }),
    ),
  );
  expect(day(sent.report.submittedAt)).toBe('2021-09-20');
  // The audit trail (written with the functions' own `new Date()`) is on the clock too.
  const audit = okData(await t.as(ADMIN)('audit.list', { limit: 5 }));
  expect(audit.entries.map((e) => day(e.at))).toEqual(audit.entries.map(() => '2021-09-20'));
  // The test's own clock is the real one.
  expect(new Date().getFullYear()).toBeGreaterThan(2021);
});

test('the timer trigger fires on the clock, and setting the clock from the console moves it', async () => {
  const next = timers(t.cloud).find((r) => r.fn === 'reminder');
  expect(next?.next).toBe('2021-09-21T01:00:00.000Z');
  const state = setClock(t.cloud, { today: '2021-10-08T08:00' });
  expect(state).toMatchObject({ set: true });
  expect(timers(t.cloud).find((r) => r.fn === 'reminder')?.next).toBe('2021-10-08T01:00:00.000Z');
  // A run fired now reminds for the clock's day.
  const run = (await t.cloud.runTrigger('reminder', 'remind')) as { ok: boolean; data?: { day?: string; now?: string } };
  expect(run).toMatchObject({ ok: true, data: { day: '2021-10-08' } });
  expect(run.data?.now?.slice(0, 10)).toBe('2021-10-08');
  // Back to real time: the next run is in the future of the real calendar.
  const real = setClock(t.cloud, { real: true });
  expect(real.set).toBe(false);
  expect(new Date(timers(t.cloud).find((r) => r.fn === 'reminder')?.next ?? 0).getTime()).toBeGreaterThan(Date.now());
  expect(() => setClock(t.cloud, { today: '2021-13-01' })).toThrow(/2021-09-20/);
  t.cloud.clock.set(TODAY);
});
