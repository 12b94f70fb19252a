/**
 * Long-term subscriptions (长期订阅) through the reminder timer on a
 * simulated clock: one accept, then every scheduled deadline reminder of
 * the season reaches the person; a reject (a later request answered
 * 拒绝) stops them, and so does turning it off in WeChat's settings,
 * which WeChat reports as 43101 on the next send. The one-time path is
 * test/reminder/round.test.ts, unchanged.
 */
import type { RoundView } from '../../miniprogram/shared/api';
import { addDays } from '../../cloudfunctions/common/domain/dates';
import { reminders as reminderLog, subscriptions as subscriptionView } from '../../scripts/local-cloud/console/views';
import { localTemplates } from '../../scripts/local-cloud/templates';
import { ADMIN, TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, reportInput } from '../helpers/journey';
import { outbox, remind, reminderDocs, sentDuring } from './helpers';

const XC = CONTACTS.xiangcheng.openid;
const BG = CONTACTS.szfbgs.openid;
const SF = CONTACTS.ssfj.openid;

/** Deadline and 催办 on long-term templates; 退回 stays one-time. */
const LONG = {
  deadline: { id: 'tmpl-deadline-long-01', kind: 'long-term' },
  returned: TEMPLATES.returned,
  urge: { id: 'tmpl-urge-long-0001', kind: 'long-term' },
} as const;
const DEADLINE = LONG.deadline.id;
const URGE = LONG.urge.id;

let t: TestCloud;
let round: RoundView;

/** The person answers the subscribe dialog: our ledger (through the api, as the app does) and WeChat's own state agree. */
async function answer(openid: string, templateId: string, result: 'accept' | 'reject') {
  const res = okData(await t.as(openid)('subscription.record', { results: { [templateId]: result } }));
  if (result === 'accept') t.cloud.openapi.grant(openid, templateId);
  else t.cloud.openapi.revoke(openid, templateId);
  return res;
}

const sub = (openid: string, templateId: string) => t.cloud.db.find('subscriptions', { _id: `${openid}:${templateId}` })[0];

beforeAll(async () => {
  t = startTestCloud({ env: { SUBSCRIBE_TEMPLATES: JSON.stringify(LONG) } });
  t.cloud.openapi.setTemplates(localTemplates(LONG));
  await t.seed();
  await approveContacts(t);
  // Each of three contacts allows the deadline reminder once, and 香城镇 the 催办 too; 市委编办 never does.
  for (const openid of [XC, SF, BG]) expect((await answer(openid, DEADLINE, 'accept')).longTerm).toEqual([DEADLINE]);
  await answer(XC, URGE, 'accept');
  // Tasks 8 and 20 by 30 September; task 25 (市司法局 only of our four) by 8 October.
  round = await createRound(t, { name: '第三季度', dueDate: '2021-09-30', scope: [8, 20, 25], overrides: { '25': '2021-10-08' } });
});
afterAll(() => t.close());

test('me.get names the long-term templates and what the person holds', async () => {
  const me = okData(await t.as(XC)('me.get'));
  expect(me.subscribeTemplates).toEqual([DEADLINE, TEMPLATES.returned, URGE]);
  expect(me.longTermTemplates).toEqual([DEADLINE, URGE]);
  expect(me.longTermHeld).toEqual([DEADLINE, URGE].sort());
  expect(okData(await t.as(CONTACTS.swbb.openid)('me.get')).longTermHeld).toEqual([]);
});

test('one accept, a whole season of deadline reminders; a reject and a switch-off in settings stop them', async () => {
  const seen: Record<string, string[]> = {};
  let day = '2021-09-18';
  while (day <= '2021-10-20') {
    if (day === '2021-09-28') {
      // 市司法局's contact answers a later dialog with 拒绝; 市政府办公室's turns the reminder off in WeChat's settings (we are not told).
      expect((await answer(SF, DEADLINE, 'reject')).longTerm).toEqual([]);
      t.cloud.openapi.revoke(BG, DEADLINE);
    }
    const sent = await sentDuring(t, () => remind(t, day));
    const tried = sent.filter((e) => e.templateId === DEADLINE);
    const ok = tried.filter((e) => e.result.errCode === 0).map((e) => e.touser);
    if (ok.length) seen[day] = ok.sort();
    day = addDays(day, 1);
  }
  // 香城镇: every scheduled day (7, 3, 1 before, the day, then every 2 days, 3 times) on one accept.
  // 市司法局 and 市政府办公室: only until they turned it off (市司法局's task 25 reminders from 1 October never go).
  expect(seen).toEqual({
    '2021-09-23': [BG, SF, XC].sort(),
    '2021-09-27': [BG, SF, XC].sort(),
    '2021-09-29': [XC],
    '2021-09-30': [XC],
    '2021-10-02': [XC],
    '2021-10-04': [XC],
    '2021-10-06': [XC],
  });
  // WeChat refused exactly one send: the first to 市政府办公室 after the switch-off; after that the ledger knew.
  const refusedSends = outbox(t).filter((e) => e.result.errCode !== 0);
  expect(refusedSends.map((e) => [e.touser, e.result.errCode])).toEqual([[BG, 43101]]);

  // The ledger: nothing spent on 香城镇's long-term subscription; the other two are cleared.
  expect(sub(XC, DEADLINE)).toMatchObject({ kind: 'long-term', longTerm: true, quota: 0 });
  expect(sub(SF, DEADLINE)).toMatchObject({ kind: 'long-term', longTerm: false });
  expect(sub(BG, DEADLINE)).toMatchObject({ kind: 'long-term', longTerm: false, quota: 0 });
  expect(t.cloud.openapi.quota(XC, DEADLINE)).toBe(Infinity);

  // Each reminder document says which kind of subscription it needed.
  const xcDocs = reminderDocs(t, { openid: XC, kind: 'deadline' });
  expect(xcDocs).toHaveLength(7);
  expect(xcDocs.every((d) => d.state === 'sent' && d.subscription === 'long-term')).toBe(true);
  expect(reminderDocs(t, { openid: SF, kind: 'deadline', state: 'unreachable' }).length).toBeGreaterThan(0);
});

test('the digest tells a switched-off long-term subscription from a never-given one', async () => {
  const on29 = okData(await t.as(ADMIN)('digest.get', { day: '2021-09-29' }));
  expect(on29.entries.find((e) => e.unitId === 'szfbgs')).toMatchObject({
    reason: 'refused',
    people: [{ name: CONTACTS.szfbgs.name, reason: 'refused', subscription: 'long-term' }],
  });
  expect(on29.entries.find((e) => e.unitId === 'swbb')).toMatchObject({
    reason: 'no_quota',
    people: [{ name: CONTACTS.swbb.name, reason: 'no_quota', subscription: 'long-term' }],
  });
  // 市司法局 said no on 28 September: its task 25 reminders found no subscription.
  const on1 = okData(await t.as(ADMIN)('digest.get', { day: '2021-10-01' }));
  expect(on1.entries.find((e) => e.unitId === 'ssfj')).toMatchObject({
    reason: 'no_quota',
    people: [{ name: CONTACTS.ssfj.name, reason: 'no_quota', subscription: 'long-term' }],
  });
});

test('催办 on a long-term template: the preview shows who holds one, and two 催办 both reach that person', async () => {
  const preview = okData(await t.as(ADMIN)('urge.preview', { roundId: round.id }));
  const people = preview.units.flatMap((u) => u.contacts);
  expect(people.find((c) => c.openid === XC)).toMatchObject({ canNotify: true, subscription: 'long-term' });
  expect(people.find((c) => c.openid === BG)).toMatchObject({ canNotify: false, subscription: null });
  for (const requestId of ['urge-long-0001', 'urge-long-0002']) {
    const sent = await sentDuring(t, () => t.as(ADMIN)('urge.send', { roundId: round.id, unitIds: ['xiangcheng-zhen'], requestId }));
    expect(sent.map((e) => [e.touser, e.templateId, e.result.errCode])).toEqual([[XC, URGE, 0]]);
  }
  expect(sub(XC, URGE)).toMatchObject({ longTerm: true, quota: 0 });
});

test('the local console shows which kind each person holds', () => {
  const rows = subscriptionView(t.cloud, { offset: 0, limit: 50 }).items;
  const row = (name: string, title: string) => rows.find((r) => r.person?.startsWith(name) && r.templateTitle === title);
  expect(row(CONTACTS.xiangcheng.name, '任务截止提醒')).toMatchObject({ kindLabel: '长期', stateLabel: '长期有效', active: true });
  expect(row(CONTACTS.szfbgs.name, '任务截止提醒')).toMatchObject({ kindLabel: '长期', stateLabel: '已关闭', active: false });
  expect(row(CONTACTS.xiangcheng.name, '催办通知')).toMatchObject({ kindLabel: '长期', stateLabel: '长期有效' });
  const log = reminderLog(t.cloud, { offset: 0, limit: 500 }).items;
  expect(log.find((r) => r.personName === CONTACTS.szfbgs.name && r.errCode === 43101)).toMatchObject({
    subscriptionLabel: '长期',
    reason: '已关闭长期订阅',
  });
});

test('退回 on a one-time template beside long-term ones: one accept, one message; the long-term ones are untouched', async () => {
  await answer(XC, TEMPLATES.returned, 'accept');
  const returnOnce = async (n: number) => {
    const { report } = okData(
      await t.as(XC)('report.submit', reportInput(assignmentOf(20, 'xiangcheng-zhen'), round.id, `lt-return-${n}`)),
    );
    return sentDuring(t, () => t.as(ADMIN)('review.decide', { reportId: report.id, decision: 'return', note: '请补充公开链接' }));
  };
  expect((await returnOnce(1)).map((e) => [e.touser, e.templateId, e.result.errCode])).toEqual([[XC, TEMPLATES.returned, 0]]);
  // The one-time subscription is spent: the second 退回 is not attempted at all.
  expect(await returnOnce(2)).toEqual([]);
  expect(sub(XC, TEMPLATES.returned)).toMatchObject({ kind: 'one-time', quota: 0 });
  const second = reminderDocs(t, { openid: XC, kind: 'returned' }).find((d) => d.state === 'unreachable');
  expect(second).toMatchObject({ reason: 'no_quota', subscription: 'one-time' });
  expect(sub(XC, DEADLINE)).toMatchObject({ longTerm: true });
  expect(sub(XC, URGE)).toMatchObject({ longTerm: true });
});
