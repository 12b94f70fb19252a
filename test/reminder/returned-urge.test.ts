/**
 * 退回 and 催办 notifications: delivered right after the decision when the
 * api calls notifyReturned / notifyUrge (best effort), and otherwise by the
 * next reminder run — once either way, since both use the same key.
 */
import path from 'path';
import type { RoundView } from '../../miniprogram/shared/api';
import { db } from '../../cloudfunctions/common/cloud';
import type { NotifySummary } from '../../cloudfunctions/common/notify';
import { readFunctionConfig } from '../../scripts/local-cloud/functions';
import { ADMIN, TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, inDays } from '../helpers/journey';
import { brief, delivered, reminderDocs, sentDuring, subscribe } from './helpers';

const SF = CONTACTS.ssfj.openid;
const SF2 = { openid: 'o-contact-ssfj-0002', name: '司法戊', phone: '13900000009' };
const XC = CONTACTS.xiangcheng.openid;

let t: TestCloud;
let round: RoundView;
let seq = 0;

beforeEach(async () => {
  t = startTestCloud();
  // The api calls these right after a decision; a fixture function stands in for that call.
  t.cloud.functions.set('notifier', readFunctionConfig(path.join(__dirname, 'fixtures', 'notifier')));
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng', 'swbb']);
  okData(await t.as(SF2.openid)('contact.bind', { unitId: 'ssfj', name: SF2.name, phone: SF2.phone }));
  okData(await t.as(ADMIN)('contact.approve', { openid: SF2.openid }));
  round = await createRound(t, { name: '第三季度', dueDate: inDays(-2), scope: [8, 20] });
});
afterEach(() => t.close());

/** The reminder timer, now (these decisions happen on the real clock). */
const runTimer = () => t.cloud.runTrigger('reminder', 'remind', { Time: new Date().toISOString() });
const notifier = (event: { reportId?: string; urgeId?: string }) => t.cloud.invoke('notifier', event) as Promise<NotifySummary>;
const returnedTo = (openid: string) => delivered(t).filter((e) => e.touser === openid && e.templateId === TEMPLATES.returned);

async function submit(openid: string, unitId: string, taskNo: number) {
  return okData(
    await t.as(openid)('report.submit', {
      assignmentId: assignmentOf(taskNo, unitId),
      roundId: round.id,
      text: '已在政府网站公开',
      progress: 'done',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: `req-ru-${++seq}`,
    }),
  ).report;
}

/** A 退回 recorded as review.decide records it, but without anyone having sent the notification. */
async function returnedQuietly(reportId: string, note: string) {
  const [assignmentId, rest] = [assignmentOf(8, 'ssfj'), reportId];
  await db
    .collection('reports')
    .doc(reportId)
    .update({ data: { state: 'returned' } });
  await db.collection('reviews').add({
    data: {
      reportId,
      decision: 'return',
      note,
      by: ADMIN,
      byName: '测试管理员',
      at: new Date(),
      assignmentId,
      planId: 'plan-2021',
      taskNo: 8,
      unitId: 'ssfj',
      roundId: round.id,
      version: Number(rest.split('-v').pop()),
    },
  });
}

const NOTE = '请补充政府网站栏目截图，并注明发布日期和链接地址。谢谢！';

test('a 退回 reaches every contact of the unit by the next run at the latest, once', async () => {
  await subscribe(t, SF, 'returned', 2);
  await subscribe(t, SF2.openid, 'returned', 2);
  const report = await submit(SF, 'ssfj', 8);
  okData(await t.as(ADMIN)('review.decide', { reportId: report.id, decision: 'return', note: NOTE }));
  // review.decide tells the unit at once (notifyReturned) …
  expect(returnedTo(SF)).toHaveLength(1);
  // … and the timer, run twice, adds nothing.
  await runTimer();
  await runTimer();
  for (const who of [SF, SF2.openid]) {
    const got = returnedTo(who);
    expect(got).toHaveLength(1);
    expect(brief(got[0] as never).values).toEqual({
      thing1: '第8项 更新完善权责清单和本级政府行政…',
      thing2: '请补充政府网站栏目截图，并注明发布日期…',
      time3: expect.stringMatching(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/),
    });
    expect(got[0]?.page).toBe('pages/task/index?id=plan-2021-t08');
  }
});

test('the timer picks up a 退回 nobody notified; a report resubmitted since needs no message', async () => {
  await subscribe(t, SF, 'returned', 2);
  const r8 = await submit(SF, 'ssfj', 8);
  await returnedQuietly(r8.id, NOTE);
  const r20 = await submit(SF, 'ssfj', 20);
  await db
    .collection('reports')
    .doc(r20.id)
    .update({ data: { state: 'returned' } });
  await db.collection('reviews').add({
    data: { reportId: r20.id, decision: 'return', note: '请重报', by: ADMIN, byName: '测试管理员', at: new Date() },
  });
  // Task 20 was resubmitted before the run: its 退回 is moot.
  await submit(SF, 'ssfj', 20);
  const sent = await sentDuring(t, runTimer);
  const returned = sent.filter((e) => e.templateId === TEMPLATES.returned);
  expect(returned.map((e) => [e.touser, brief(e).values.thing1])).toEqual([[SF, '第8项 更新完善权责清单和本级政府行政…']]);
});

test('notifyReturned delivers at once; without quota the office sees it in the digest; the timer repeats nothing', async () => {
  await subscribe(t, SF, 'returned', 1);
  const report = await submit(SF, 'ssfj', 8);
  await returnedQuietly(report.id, NOTE);
  const now = await notifier({ reportId: report.id });
  // 司法甲 had a subscription, 司法戊 none.
  expect(now).toEqual({ sent: 1, unreachable: 1, failed: 0, deferred: 0 });
  expect(returnedTo(SF)).toHaveLength(1);
  expect(returnedTo(SF2.openid)).toHaveLength(0);
  // A second call (a retried request) and the timer send nothing more.
  expect(await notifier({ reportId: report.id })).toEqual({ sent: 0, unreachable: 0, failed: 0, deferred: 0 });
  await runTimer();
  expect(returnedTo(SF)).toHaveLength(1);
  // The unit was reached (司法甲), so it is not in the digest.
  const digest = okData(await t.as(ADMIN)('digest.get', {}));
  expect(digest.entries.filter((e) => e.kind === 'returned')).toEqual([]);

  // 香城镇's only contact has no subscription: the office gets the line to paste.
  const xc = await submit(XC, 'xiangcheng-zhen', 20);
  okData(await t.as(ADMIN)('review.decide', { reportId: xc.id, decision: 'return', note: '请补充' }));
  await notifier({ reportId: xc.id });
  const after = okData(await t.as(ADMIN)('digest.get', {}));
  expect(after.entries.find((e) => e.kind === 'returned')).toMatchObject({
    unitId: 'xiangcheng-zhen',
    reason: 'no_quota',
    taskNos: [20],
    people: [{ name: CONTACTS.xiangcheng.name, reason: 'no_quota' }],
  });
  expect(after.message).toContain('香城镇：第三季度 第20项报送被退回，请按退回意见修改后重新报送');
});

test('a 退回 the unit has since resubmitted, and the office approved, is no longer asked of it in the digest', async () => {
  // 香城镇's only contact has no subscription: 第20项's 退回 goes into the day's digest.
  const xc = await submit(XC, 'xiangcheng-zhen', 20);
  okData(await t.as(ADMIN)('review.decide', { reportId: xc.id, decision: 'return', note: '请补充' }));
  await notifier({ reportId: xc.id });
  const built = okData(await t.as(ADMIN)('digest.get', {}));
  expect(built.entries.filter((e) => e.unitId === 'xiangcheng-zhen').map((e) => [e.kind, e.taskNos])).toEqual([['returned', [20]]]);
  expect(built.message).toContain('香城镇：第三季度 第20项报送被退回');

  // Resubmitted: the line is left out at once (the stored digest is not rewritten, the reading is).
  const again = await submit(XC, 'xiangcheng-zhen', 20);
  const resubmitted = okData(await t.as(ADMIN)('digest.get', {}));
  expect(resubmitted.entries.filter((e) => e.unitId === 'xiangcheng-zhen')).toEqual([]);
  expect(resubmitted.message).not.toContain('香城镇');
  // Approved: still nothing to redo.
  okData(await t.as(ADMIN)('review.decide', { reportId: again.id, decision: 'approve' }));
  const approved = okData(await t.as(ADMIN)('digest.get', {}));
  expect(approved.entries.filter((e) => e.unitId === 'xiangcheng-zhen')).toEqual([]);
  expect(approved.message).not.toContain('香城镇');
});

test('a 催办 line keeps only the tasks the unit still owes', async () => {
  await subscribe(t, SF, 'urge', 2);
  okData(await t.as(ADMIN)('urge.send', { roundId: round.id, unitIds: ['xiangcheng-zhen'] }));
  const built = okData(await t.as(ADMIN)('digest.get', {}));
  expect(built.entries.find((e) => e.kind === 'urge')).toMatchObject({ unitId: 'xiangcheng-zhen', taskNos: [8, 20], pending: 2 });
  // 香城镇 reports 第8项: the line now asks for 第20项 only; once 第20项 too, the line is gone.
  await submit(XC, 'xiangcheng-zhen', 8);
  const one = okData(await t.as(ADMIN)('digest.get', {}));
  expect(one.entries.find((e) => e.kind === 'urge')).toMatchObject({ unitId: 'xiangcheng-zhen', taskNos: [20], pending: 1 });
  expect(one.message).toContain('香城镇：收到催办，第三季度 第20项待报送');
  await submit(XC, 'xiangcheng-zhen', 20);
  const none = okData(await t.as(ADMIN)('digest.get', {}));
  expect(none.entries.filter((e) => e.kind === 'urge')).toEqual([]);
});

test('a 催办 reaches the urged units’ contacts once, immediately or by the next run', async () => {
  await subscribe(t, XC, 'urge', 2);
  await subscribe(t, SF, 'urge', 2);
  await submit(SF, 'ssfj', 8); // 市司法局 still owes task 20
  const urge = okData(await t.as(ADMIN)('urge.send', { roundId: round.id, unitIds: ['xiangcheng-zhen', 'ssfj', 'swbb'] }));
  // urge.send delivered at once; asking again, then the timer, sends nothing more: one message per person in all.
  expect(delivered(t).filter((e) => e.templateId === TEMPLATES.urge)).toHaveLength(2);
  const again = await notifier({ urgeId: urge.urgeId });
  expect(again.sent).toBe(0);
  await runTimer();
  const urges = delivered(t).filter((e) => e.templateId === TEMPLATES.urge);
  expect(urges.map((e) => e.touser).sort()).toEqual([SF, XC].sort());
  const xc = urges.find((e) => e.touser === XC);
  expect(brief(xc as never).values).toEqual({
    thing1: '第三季度有2项任务待报送',
    time2: expect.stringMatching(/^\d{4}年\d{1,2}月\d{1,2}日 23:59$/),
    thing3: '市政府办公室',
  });
  expect(brief(urges.find((e) => e.touser === SF) as never).values.thing1).toBe('第三季度有1项任务待报送');
  // 市委编办's contact has no 催办 subscription: the digest says so.
  const digest = okData(await t.as(ADMIN)('digest.get', {}));
  expect(digest.entries.find((e) => e.kind === 'urge')).toMatchObject({ unitId: 'swbb', reason: 'no_quota', taskNos: [8] });
  expect(digest.message).toContain('市委编办：收到催办，第三季度 第8项待报送');
  expect(reminderDocs(t, { kind: 'urge', state: 'sent' })).toHaveLength(2);
});
