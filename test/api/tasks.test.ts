import { db } from '../../cloudfunctions/common/cloud';
import { TABLE_2021 } from '../../cloudfunctions/common/table';
import type { SubmitReportInput } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, dbRequests, expectedAssignments, inDays } from '../helpers/journey';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t);
});
afterEach(() => t.close());

let seq = 0;
function submission(assignmentId: string, roundId: string, text = '已在政府网站公开'): SubmitReportInput {
  seq += 1;
  return {
    assignmentId,
    roundId,
    text,
    progress: 'ongoing',
    images: [],
    files: [],
    links: [],
    secrecyConfirmed: true,
    requestId: `req-tasks-${seq}`,
  };
}

/** The office's decision, written as its review action will (that action is not part of this suite). */
async function review(reportId: string, decision: 'approve' | 'return', note: string, at = new Date()) {
  await db.collection('reviews').add({ data: { reportId, decision, note, by: ADMIN, byName: '测试管理员', at } });
  await db
    .collection('reports')
    .doc(reportId)
    .update({ data: { state: decision === 'approve' ? 'approved' : 'returned' } });
}

describe('tasks.mine', () => {
  test('市司法局 sees exactly its assignments of the 2021 table, all due in the current round', async () => {
    const round = await createRound(t, { dueDate: inDays(30) });
    const mine = okData(await t.as(CONTACTS.ssfj.openid)('tasks.mine', {}));
    const expected = expectedAssignments('ssfj');
    expect(expected.length).toBe(27);
    expect(mine.unit).toEqual({ id: 'ssfj', name: '市司法局' });
    expect(mine.plan).toMatchObject({ id: 'plan-2021', year: 2021 });
    expect(mine.round).toMatchObject({ id: round.id, dueDate: inDays(30), status: 'open' });
    expect(mine.items.map((i) => [i.assignmentId, i.taskNo, i.role]).sort()).toEqual(expected.map((a) => [a._id, a.taskNo, a.role]).sort());
    // All not started: ordered by task number, each with its full requirement and 30 days left.
    expect(mine.items.map((i) => i.taskNo)).toEqual(expected.map((a) => a.taskNo).sort((a, b) => a - b));
    for (const item of mine.items) {
      expect(item).toMatchObject({
        inRound: true,
        status: 'not_started',
        dueDate: inDays(30),
        daysLeft: 30,
        returnNote: null,
        lastSubmittedAt: null,
      });
      expect(item.requirement).toBe(TABLE_2021.tasks.find((x) => x.no === item.taskNo)?.requirement);
    }
    expect(mine.counts).toEqual({ total: 27, pending: 27, returned: 0, overdue: 0, submitted: 0, approved: 0 });
  });

  test('without a round nothing is due; a round on chosen tasks leaves the others out with null status', async () => {
    const none = okData(await t.as(CONTACTS.xiangcheng.openid)('tasks.mine', {}));
    expect(none.round).toBeNull();
    expect(none.counts).toEqual({ total: 20, pending: 0, returned: 0, overdue: 0, submitted: 0, approved: 0 });
    expect(none.items.every((i) => !i.inRound && i.status === null && i.dueDate === null && i.daysLeft === null)).toBe(true);

    const xcTasks = expectedAssignments('xiangcheng-zhen').map((a) => a.taskNo);
    const [a, b] = [xcTasks[0] as number, xcTasks[1] as number];
    await createRound(t, { name: '年底回头看', dueDate: inDays(10), scope: [a, b], overrides: { [String(b)]: inDays(3) } });
    const mine = okData(await t.as(CONTACTS.xiangcheng.openid)('tasks.mine', {}));
    expect(mine.counts).toEqual({ total: 20, pending: 2, returned: 0, overdue: 0, submitted: 0, approved: 0 });
    // In-round items first (both not started, by number), the rest after.
    expect(mine.items.slice(0, 2).map((i) => [i.taskNo, i.dueDate, i.daysLeft])).toEqual([
      [a, inDays(10), 10],
      [b, inDays(3), 3],
    ]);
    expect(mine.items.slice(2).every((i) => !i.inRound && i.status === null)).toBe(true);
  });

  test('a past due day makes everything unsent overdue (2021 rounds on today’s clock)', async () => {
    await createRound(t, { dueDate: '2021-09-30' });
    const mine = okData(await t.as(CONTACTS.ssfj.openid)('tasks.mine', {}));
    expect(mine.counts).toEqual({ total: 27, pending: 27, returned: 0, overdue: 27, submitted: 0, approved: 0 });
    expect(mine.items.every((i) => i.status === 'overdue' && (i.daysLeft ?? 0) < 0)).toBe(true);
  });

  test('status, counts, order and the 退回 note follow the latest version of each task', async () => {
    const round = await createRound(t, { dueDate: inDays(30) });
    const ssfj = t.as(CONTACTS.ssfj.openid);
    const [n1, n2, n3] = expectedAssignments('ssfj').map((a) => a.taskNo) as [number, number, number];
    const s1 = okData(await ssfj('report.submit', submission(assignmentOf(n1, 'ssfj'), round.id)));
    const s2 = okData(await ssfj('report.submit', submission(assignmentOf(n2, 'ssfj'), round.id)));
    const s3 = okData(await ssfj('report.submit', submission(assignmentOf(n3, 'ssfj'), round.id)));
    await review(s2.report.id, 'approve', '');
    await review(s3.report.id, 'return', '旧的说明', new Date(Date.now() - 60_000));
    await review(s3.report.id, 'return', '请补充政府网站公开链接');

    const mine = okData(await ssfj('tasks.mine', {}));
    expect(mine.counts).toEqual({ total: 27, pending: 25, returned: 1, overdue: 0, submitted: 1, approved: 1 });
    const head = mine.items.slice(0, 1)[0];
    expect(head).toMatchObject({ taskNo: n3, status: 'returned', returnNote: '请补充政府网站公开链接' });
    expect(mine.items.slice(-2).map((i) => [i.taskNo, i.status])).toEqual([
      [n1, 'submitted'],
      [n2, 'approved'],
    ]);
    expect(mine.items.find((i) => i.taskNo === n1)?.lastSubmittedAt).toBe(s1.report.submittedAt);

    // Resubmitting the returned task makes it submitted again; the note goes with the old version.
    okData(await ssfj('report.submit', submission(assignmentOf(n3, 'ssfj'), round.id, '已补充链接')));
    const after = okData(await ssfj('tasks.mine', {}));
    expect(after.items.find((i) => i.taskNo === n3)).toMatchObject({ status: 'submitted', returnNote: null });
    expect(after.counts).toMatchObject({ pending: 24, returned: 0, submitted: 2 });
  });

  test('takes the same number of database requests for a unit with 1 task as for one with 32', async () => {
    const round = await createRound(t, { dueDate: inDays(30) });
    expect(expectedAssignments('swbb')).toHaveLength(1);
    expect(expectedAssignments('szfbgs')).toHaveLength(32);
    // Give both a report, one of them returned, so every read path runs.
    for (const [key, unitId] of [
      ['swbb', 'swbb'],
      ['szfbgs', 'szfbgs'],
    ] as const) {
      const taskNo = expectedAssignments(unitId)[0]?.taskNo as number;
      const res = okData(await t.as(CONTACTS[key].openid)('report.submit', submission(assignmentOf(taskNo, unitId), round.id)));
      await review(res.report.id, 'return', '请补充');
    }

    const measure = async (openid: string) => {
      t.cloud.db.resetStats();
      const view = okData(await t.as(openid)('tasks.mine', {}));
      return { requests: dbRequests(t), total: view.counts.total, returned: view.counts.returned };
    };
    const few = await measure(CONTACTS.swbb.openid);
    const many = await measure(CONTACTS.szfbgs.openid);
    expect(few).toMatchObject({ total: 1, returned: 1 });
    expect(many).toMatchObject({ total: 32, returned: 1 });
    expect(many.requests).toBe(few.requests);
    // contact, unit, plan, assignments, tasks, rounds, reports, reviews
    expect(few.requests).toBe(8);
  });

  test('only an active contact gets a list', async () => {
    expect(await t.as('o-stranger-0001')('tasks.mine', {})).toMatchObject({ ok: false, code: 'NOT_BOUND' });
    okData(await t.as('o-pending-0001')('contact.bind', { unitId: 'ssfj', name: '待审', phone: '13800000009' }));
    expect(await t.as('o-pending-0001')('tasks.mine', {})).toMatchObject({ ok: false, code: 'NOT_BOUND' });
    expect(await t.as(CONTACTS.ssfj.openid)('tasks.mine', { unitId: 'szfbgs' } as never)).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
      field: 'unitId',
    });
  });
});

describe('task.detail', () => {
  test('full task, units leads first, my round status and my history with reviews; no cooperating view for a non-lead', async () => {
    const q3 = await createRound(t, { name: '第二季度', dueDate: inDays(5) });
    const ssfj = t.as(CONTACTS.ssfj.openid);
    const aid = assignmentOf(24, 'ssfj');
    const v1 = okData(await ssfj('report.submit', submission(aid, q3.id, '第一版')));
    await review(v1.report.id, 'return', '请补充公开链接');
    const v2 = okData(await ssfj('report.submit', submission(aid, q3.id, '第二版')));

    const detail = okData(await ssfj('task.detail', { taskId: 'plan-2021-t24' }));
    const t24 = TABLE_2021.tasks.find((x) => x.no === 24);
    expect(detail.task).toMatchObject({ id: 'plan-2021-t24', no: 24, requirement: t24?.requirement, unitsText: t24?.unitsText });
    expect(detail.task.categoryTitle).toBe(TABLE_2021.categories.find((c) => c.no === t24?.category)?.title);
    expect(detail.task.sectionTitle).not.toBe('');
    expect(detail.assignment).toEqual({ id: aid, role: 'cooperate', unitId: 'ssfj', unitName: '市司法局' });
    expect(detail.units[0]).toEqual({ unitId: 'szfbgs', unitName: '市政府办公室', role: 'lead' });
    expect(detail.units.slice(1).every((u) => u.role === 'cooperate')).toBe(true);
    expect(detail.units).toHaveLength(34);
    // Directory order within a role: departments before towns.
    const firstTown = detail.units.findIndex((u) => u.unitId.endsWith('-zhen') || u.unitId.endsWith('-jd'));
    expect(detail.units.slice(firstTown).every((u) => u.unitId.endsWith('-zhen') || u.unitId.endsWith('-jd'))).toBe(true);

    expect(detail.round?.id).toBe(q3.id);
    expect(detail).toMatchObject({ dueDate: inDays(5), daysLeft: 5, status: 'submitted', cooperating: null });
    expect(detail.history.map((h) => [h.version, h.text, h.state, h.review?.note ?? null])).toEqual([
      [2, '第二版', 'submitted', null],
      [1, '第一版', 'returned', '请补充公开链接'],
    ]);
    expect(detail.history[1]).toMatchObject({ roundName: '第二季度', unitName: '市司法局', submittedByName: CONTACTS.ssfj.name });
    expect(detail.history[1]?.review).toMatchObject({ decision: 'return', by: '测试管理员' });
    expect(detail.history[0]?.id).toBe(v2.report.id);
  });

  test('history spans rounds, newest first', async () => {
    const early = await createRound(t, { name: '第二季度', dueDate: inDays(2) });
    const ssfj = t.as(CONTACTS.ssfj.openid);
    const aid = assignmentOf(24, 'ssfj');
    okData(await ssfj('report.submit', submission(aid, early.id, '二季度')));
    okData(await t.as(ADMIN)('round.close', { id: early.id }));
    const late = await createRound(t, { name: '第三季度', dueDate: inDays(40) });
    okData(await ssfj('report.submit', submission(aid, late.id, '三季度')));
    const detail = okData(await ssfj('task.detail', { taskId: 'plan-2021-t24' }));
    expect(detail.round?.id).toBe(late.id);
    expect(detail.history.map((h) => [h.roundName, h.version, h.text])).toEqual([
      ['第三季度', 1, '三季度'],
      ['第二季度', 1, '二季度'],
    ]);
  });

  test('the lead unit sees each other unit’s latest report of the current round', async () => {
    const round = await createRound(t, { dueDate: inDays(20) });
    const aid = assignmentOf(24, 'ssfj');
    okData(await t.as(CONTACTS.ssfj.openid)('report.submit', submission(aid, round.id, '司法局第一版')));
    const latest = okData(await t.as(CONTACTS.ssfj.openid)('report.submit', submission(aid, round.id, '司法局第二版')));

    const lead = okData(await t.as(CONTACTS.szfbgs.openid)('task.detail', { taskId: 'plan-2021-t24' }));
    expect(lead.assignment.role).toBe('lead');
    expect(lead.cooperating).toHaveLength(33);
    expect(lead.cooperating?.some((c) => c.unitId === 'szfbgs')).toBe(false);
    const ssfjRow = lead.cooperating?.find((c) => c.unitId === 'ssfj');
    expect(ssfjRow).toMatchObject({ unitName: '市司法局', role: 'cooperate', status: 'submitted' });
    expect(ssfjRow?.latest).toMatchObject({ id: latest.report.id, version: 2, text: '司法局第二版', unitName: '市司法局' });
    expect(lead.cooperating?.find((c) => c.unitId === 'xiangcheng-zhen')).toMatchObject({ status: 'not_started', latest: null });

    // A non-lead on the same task gets no view of the others.
    const other = okData(await t.as(CONTACTS.xiangcheng.openid)('task.detail', { taskId: 'plan-2021-t24' }));
    expect(other.cooperating).toBeNull();
  });

  test('takes the same number of requests on a task with 34 units as on one with few', async () => {
    const round = await createRound(t, { dueDate: inDays(20) });
    // A cooperating report on each task, so both read the same paths.
    okData(await t.as(CONTACTS.ssfj.openid)('report.submit', submission(assignmentOf(24, 'ssfj'), round.id)));
    okData(await t.as(CONTACTS.ssfj.openid)('report.submit', submission(assignmentOf(26, 'ssfj'), round.id)));
    const measure = async (taskId: string) => {
      t.cloud.db.resetStats();
      const view = okData(await t.as(CONTACTS.szfbgs.openid)('task.detail', { taskId }));
      return { requests: dbRequests(t), units: view.units.length };
    };
    const big = await measure('plan-2021-t24');
    // Task 26: 市政府办公室牵头,市政府各部门配合 (no towns).
    const other = await measure('plan-2021-t26');
    expect(big.units).toBe(34);
    expect(other.units).toBe(18);
    expect(other.requests).toBe(big.requests);
    // contact, unit, task, plan, assignments, rounds, units, history, round reports, reviews
    expect(big.requests).toBe(10);
  });

  test('a task my unit is not on, or an unknown one, is NOT_FOUND', async () => {
    await createRound(t);
    const notMine = TABLE_2021.tasks.find((x) => !expectedAssignments('xiangcheng-zhen').some((a) => a.taskNo === x.no));
    expect(notMine).toBeDefined();
    const taskId = `plan-2021-t${String(notMine?.no).padStart(2, '0')}`;
    expect(await t.as(CONTACTS.xiangcheng.openid)('task.detail', { taskId })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await t.as(CONTACTS.xiangcheng.openid)('task.detail', { taskId: 'plan-2021-t99' })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(await t.as('o-stranger-0001')('task.detail', { taskId: 'plan-2021-t24' })).toMatchObject({ ok: false, code: 'NOT_BOUND' });
    expect(await t.as(CONTACTS.xiangcheng.openid)('task.detail', {} as never)).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
      field: 'taskId',
    });
  });
});
