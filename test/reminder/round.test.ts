/**
 * A whole reporting round on a simulated clock, one timer run per day:
 * exactly the scheduled reminders go out, none twice, the quota ledger
 * follows, and whoever cannot be reached lands in the office's digest.
 */
import type { RoundView } from '../../miniprogram/shared/api';
import { addDays } from '../../cloudfunctions/common/domain/dates';
import { ADMIN, TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound } from '../helpers/journey';
import { brief, delivered, ledger, remind, reminderDocs, sentDuring, subscribe } from './helpers';

const XC = CONTACTS.xiangcheng.openid;
const BG = CONTACTS.szfbgs.openid;
const SF = CONTACTS.ssfj.openid;

let t: TestCloud;
let round: RoundView;

async function submit(openid: string, unitId: string, taskNo: number, n: number) {
  okData(
    await t.as(openid)('report.submit', {
      assignmentId: assignmentOf(taskNo, unitId),
      roundId: round.id,
      text: '已按要求完成并在政府网站公开',
      progress: 'done',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: `req-round-${taskNo}-${n}`,
    }),
  );
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t);
  // 香城镇 and 市司法局 subscribed plenty; 市政府办公室 three times; 市委编办 never.
  await subscribe(t, XC, 'deadline', 10);
  await subscribe(t, SF, 'deadline', 10);
  await subscribe(t, BG, 'deadline', 3);
  await subscribe(t, ADMIN, 'urge', 2);
  // Tasks 8 and 20 by 30 September; task 25 (市司法局 only of our four) has its own day, 8 October.
  round = await createRound(t, { name: '第三季度', dueDate: '2021-09-30', scope: [8, 20, 25], overrides: { '25': '2021-10-08' } });
});
afterAll(() => t.close());

/** Who gets a deadline reminder on which day, per the default schedule (7, 3, 1 before, the day, then every 2 days, 3 times). */
const EXPECTED: Record<string, string[]> = {
  '2021-09-23': [BG, SF, XC],
  '2021-09-27': [BG, SF, XC],
  // 市司法局 has submitted tasks 8 and 20 by now; 市政府办公室 has no subscription left from 30 September.
  '2021-09-29': [BG, XC],
  '2021-09-30': [XC],
  '2021-10-01': [SF], // task 25: 7 days before 8 October
  '2021-10-02': [XC],
  '2021-10-04': [XC],
  '2021-10-05': [SF],
  '2021-10-06': [XC],
  '2021-10-07': [SF],
  '2021-10-08': [SF],
  '2021-10-10': [SF],
  '2021-10-12': [SF],
  '2021-10-14': [SF],
};

test('day by day, exactly the scheduled reminders go out, once each, and the ledger follows', async () => {
  const seen: Record<string, string[]> = {};
  let day = '2021-09-18';
  while (day <= '2021-10-20') {
    if (day === '2021-09-28') {
      await submit(SF, 'ssfj', 8, 1);
      await submit(SF, 'ssfj', 20, 1);
    }
    const sent = await sentDuring(t, () => remind(t, day));
    const deadlines = sent.filter((e) => e.templateId === TEMPLATES.deadline);
    expect(deadlines.every((e) => e.result.errCode === 0)).toBe(true);
    const people = deadlines.map((e) => e.touser).sort();
    if (people.length) seen[day] = people;
    // A second run the same day sends nothing more.
    expect(await sentDuring(t, () => remind(t, day, '09:30:00'))).toEqual([]);
    day = addDays(day, 1);
  }
  expect(seen).toEqual(Object.fromEntries(Object.entries(EXPECTED).map(([d, who]) => [d, [...who].sort()])));

  // One subscription spent per message, in our ledger and at WeChat alike.
  expect(ledger(t, XC, 'deadline')).toBe(10 - 7);
  expect(ledger(t, SF, 'deadline')).toBe(10 - 9);
  expect(ledger(t, BG, 'deadline')).toBe(0);
  expect(t.cloud.openapi.quota(XC, TEMPLATES.deadline)).toBe(3);
  expect(t.cloud.openapi.quota(SF, TEMPLATES.deadline)).toBe(1);
  // Never a send to someone without quota: WeChat never had to refuse one.
  expect(t.cloud.openapi.outbox({ limit: 1e6 }).filter((e) => e.result.errCode !== 0)).toEqual([]);
});

test('the messages say what is due and by when, within the keyword rules', () => {
  const xc = delivered(t)
    .filter((e) => e.touser === XC && e.templateId === TEMPLATES.deadline)
    .map((e) => brief(e).values);
  expect(xc[0]).toEqual({ thing1: '第8、20项', time2: '2021年9月30日 23:59', thing3: '还有7天截止，请及时报送' });
  expect(xc[3]).toEqual({ thing1: '第8、20项', time2: '2021年9月30日 23:59', thing3: '今天截止，请及时报送' });
  expect(xc[4]).toEqual({ thing1: '第8、20项', time2: '2021年9月30日 23:59', thing3: '已逾期2天，请尽快报送' });
  const sfTask25 = delivered(t).find((e) => e.touser === SF && brief(e).values.time2 === '2021年10月8日 23:59');
  expect(brief(sfTask25 as never).values).toEqual({
    thing1: '第25项 认真落实《重大行政决策程序暂…',
    time2: '2021年10月8日 23:59',
    thing3: '还有7天截止，请及时报送',
  });
  expect(delivered(t).every((e) => e.page === 'pages/home/index' || e.page?.startsWith('pages/task/index'))).toBe(true);
});

test('each reminder has one document, recorded sent after the send', () => {
  const xcDocs = reminderDocs(t, { openid: XC, kind: 'deadline' });
  expect(xcDocs).toHaveLength(7);
  expect(xcDocs.every((d) => d.state === 'sent' && d.leaseUntil === null && d.attempts === 1)).toBe(true);
  expect(xcDocs.map((d) => (d._id as string).split(':')[3]).sort()).toEqual(['a2', 'a4', 'a6', 'b1', 'b3', 'b7', 'd0']);
});

test('the digest names the units nobody could be told, and the office hears about it', async () => {
  // 30 September: 市政府办公室's contact has no subscription left; 市委编办 never had one; most units have no contact at all.
  const digest = okData(await t.as(ADMIN)('digest.get', { day: '2021-09-30' }));
  const byUnit = new Map(digest.entries.map((e) => [e.unitId, e]));
  expect(byUnit.get('szfbgs')).toMatchObject({
    kind: 'deadline',
    reason: 'no_quota',
    people: [{ name: CONTACTS.szfbgs.name, reason: 'no_quota' }],
    taskNos: [8, 20],
    dueDate: '2021-09-30',
    overdue: 0,
  });
  expect(byUnit.get('swbb')).toMatchObject({ reason: 'no_quota', taskNos: [8] });
  expect(byUnit.get('xiangcheng-zhen')).toBeUndefined();
  const nobody = digest.entries.filter((e) => e.reason === 'no_contact');
  expect(nobody.length).toBeGreaterThan(10);
  expect(nobody.every((e) => e.people.length === 0)).toBe(true);
  expect(digest.message).toContain('【政务公开任务提醒】9月30日');
  expect(digest.message).toContain('市政府办公室：第三季度 第8、20项待报送，9月30日截止');
  expect(digest.message).toContain('尚未绑定联络员的单位');
  expect(digest.message).not.toMatch(/1[3-9]\d{9}/);

  // Two days later the same units are overdue.
  const later = okData(await t.as(ADMIN)('digest.get', { day: '2021-10-02' }));
  expect(later.message).toContain('市政府办公室：第三季度 第8、20项已逾期（截止日9月30日），请尽快报送');

  // The office subscribed to the 催办 template twice: the first two digest days told it, the rest could not.
  const notices = delivered(t).filter((e) => e.touser === ADMIN);
  expect(notices).toHaveLength(2);
  expect(brief(notices[0] as never).values.thing1).toMatch(/^\d+个单位提醒未送达$/);
  expect(reminderDocs(t, { kind: 'digest', state: 'unreachable', reason: 'no_quota' }).length).toBeGreaterThan(0);
  expect(ledger(t, ADMIN, 'urge')).toBe(0);
});

test('the reminder function refuses anything but its timer', async () => {
  const before = delivered(t).length;
  for (const who of [XC, ADMIN, undefined]) {
    const res = await t.cloud.invoke(
      'reminder',
      { Type: 'Timer', TriggerName: 'remind', Time: '2021-09-23T09:00:00+08:00' },
      { openid: who },
    );
    expect(res).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  }
  expect(delivered(t).length).toBe(before);
  // Contacts cannot read the digest either.
  expect(await t.as(XC)('digest.get', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
});
