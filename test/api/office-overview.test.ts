import { db } from '../../cloudfunctions/common/cloud';
import { buildPlanDocs } from '../../cloudfunctions/common/domain/plan-docs';
import type { ReportDoc } from '../../cloudfunctions/common/records';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import type { ReportState, RoundView, StatusCounts } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, dbRequests, inDays } from '../helpers/journey';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);
const ALL = buildPlanDocs(
  TABLE_2021,
  DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true })),
  DIRECTORY.groups,
).assignments;

/** Versions 1…n of every assignment, written straight to the database (what 805 contacts would submit). */
async function reportEverything(round: RoundView, versions: number, lastState: (i: number) => ReportState): Promise<void> {
  const docs: ReportDoc[] = [];
  ALL.forEach((a, i) => {
    for (let v = 1; v <= versions; v++) {
      docs.push({
        _id: `${a._id}-${round.id}-v${v}`,
        assignmentId: a._id,
        planId: a.planId,
        taskNo: a.taskNo,
        unitId: a.unitId,
        roundId: round.id,
        version: v,
        text: '已完成。'.repeat(20),
        progress: 'done',
        evidence: { images: [], files: [], links: [] },
        secrecyConfirmed: true,
        state: v === versions ? lastState(i) : 'returned',
        submittedBy: 'o-bulk',
        submittedByName: '批量',
        submittedAt: new Date(),
        requestKey: `o-bulk:${a._id}-${v}`,
      });
    }
  });
  for (let i = 0; i < docs.length; i += 100) await db.collection('reports').add({ data: docs.slice(i, i + 100) });
}

const sum = (list: StatusCounts[]): StatusCounts =>
  list.reduce(
    (acc, c) => ({
      assigned: acc.assigned + c.assigned,
      not_started: acc.not_started + c.not_started,
      submitted: acc.submitted + c.submitted,
      returned: acc.returned + c.returned,
      approved: acc.approved + c.approved,
      overdue: acc.overdue + c.overdue,
    }),
    { assigned: 0, not_started: 0, submitted: 0, returned: 0, approved: 0, overdue: 0 },
  );

test('the whole 2021 table: every cell, counts that add up, in a fixed number of requests whatever the number of reports', async () => {
  await approveContacts(t, ['ssfj']);
  const round = await createRound(t, { dueDate: inDays(10) });
  const one = okData(
    await t.as(CONTACTS.ssfj.openid)('report.submit', {
      assignmentId: assignmentOf(24, 'ssfj'),
      roundId: round.id,
      text: '已公开',
      progress: 'done',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: 'req-overview-1',
    }),
  ).report;

  t.cloud.db.resetStats();
  const few = okData(await admin()('overview.round', { roundId: round.id }));
  const fewRequests = dbRequests(t);
  expect(fewRequests).toBeLessThanOrEqual(7);
  expect(few.tasks).toHaveLength(44);
  expect(few.units).toHaveLength(DIRECTORY.units.length);
  expect(few.totals).toEqual({ assigned: 805, not_started: 804, submitted: 1, returned: 0, approved: 0, overdue: 0 });
  const ssfj = few.units.find((u) => u.id === 'ssfj');
  expect(ssfj?.reports.filter((r) => r !== null)).toEqual([one.id]);
  // Units in directory order, never sorted by completion.
  expect(few.units.map((u) => u.id)).toEqual(DIRECTORY.units.map((u) => u.code));

  // Every other assignment reported twice (1609 more versions); states cycle.
  await db.collection('reports').doc(one.id).remove();
  const cycle: ReportState[] = ['submitted', 'approved', 'returned'];
  await reportEverything(round, 2, (i) => cycle[i % 3] as ReportState);
  t.cloud.db.resetStats();
  const many = okData(await admin()('overview.round', { roundId: round.id }));
  expect(dbRequests(t)).toBe(fewRequests);
  expect(many.totals).toEqual({
    assigned: 805,
    not_started: 0,
    submitted: Math.ceil(805 / 3),
    approved: Math.ceil(804 / 3),
    returned: Math.ceil(803 / 3),
    overdue: 0,
  });
  expect(sum(many.units.map((u) => u.counts))).toEqual(many.totals);
  expect(sum(many.tasks.map((x) => x.counts))).toEqual(many.totals);
  expect(many.neverSubmitted).toEqual([]);
  // Every cell carries its latest version for drill-down.
  for (const u of many.units) {
    u.cells.split('').forEach((code, i) => {
      if (code === '-') expect(u.reports[i]).toBeNull();
      else expect(u.reports[i]).toMatch(/-v2$/);
    });
  }
  // Compact enough for a phone: well under setData's 1 MB, and under 100 KB.
  expect(Buffer.byteLength(JSON.stringify(many))).toBeLessThan(100 * 1024);
});

test('a round on chosen tasks with a per-task due day: overdue and never-submitted lists', async () => {
  await approveContacts(t, ['ssfj', 'swbb']);
  const round = await createRound(t, { dueDate: inDays(-1), scope: [25, 32], overrides: { '32': inDays(3) } });
  const view = okData(await admin()('overview.round', { roundId: round.id }));
  expect(view.tasks.map((x) => [x.no, x.dueDate])).toEqual([
    [25, inDays(-1)],
    [32, inDays(3)],
  ]);
  const on25 = ALL.filter((a) => a.taskNo === 25).map((a) => a.unitId);
  const on32 = ALL.filter((a) => a.taskNo === 32).map((a) => a.unitId);
  expect(view.totals).toMatchObject({ assigned: on25.length + on32.length, overdue: on25.length, not_started: on32.length });
  expect(view.overdue).toEqual(DIRECTORY.units.filter((u) => on25.includes(u.code)).map((u) => ({ unitId: u.code, taskNos: [25] })));
  // 市委编办 has nothing on these tasks, so it is not in the round's view at all.
  expect(view.units.map((u) => u.id)).not.toContain('swbb');
  expect(view.neverSubmitted).toEqual(view.units.map((u) => u.id));
  const ssfj = view.units.find((u) => u.id === 'ssfj');
  expect(ssfj?.cells).toBe(`${on25.includes('ssfj') ? 'o' : '-'}${on32.includes('ssfj') ? 'n' : '-'}`);
});

test('an unknown round is NOT_FOUND', async () => {
  expect(refused(await admin()('overview.round', { roundId: 'no-such-round' }))).toMatchObject({ code: 'NOT_FOUND', field: 'roundId' });
  expect(refused(await admin()('overview.round', {} as never))).toMatchObject({ code: 'INVALID_INPUT', field: 'roundId' });
});
