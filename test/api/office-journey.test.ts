/**
 * Journey 4 end to end: the office creates a round, a contact submits, the
 * office returns it with a note, the contact resubmits (version 2), the
 * office approves; the overview and the 催办 follow every step.
 */
import type { RoundOverview, StatusCounts, SubmitReportInput } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, expectedAssignments, inDays } from '../helpers/journey';
import { DIRECTORY } from '../../cloudfunctions/common/table';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t);
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);
const ssfj = () => t.as(CONTACTS.ssfj.openid);
const AID = assignmentOf(24, 'ssfj');
/** Task 24 names 市政府办公室 and covers every department and town. */
const ON_24 = DIRECTORY.units.filter((u) => u.kind !== 'other').length;

let seq = 0;
const submission = (roundId: string, text: string): SubmitReportInput => ({
  assignmentId: AID,
  roundId,
  text,
  progress: 'ongoing',
  images: [],
  files: [],
  links: [{ url: 'http://www.zoucheng.gov.cn/art/2021/9/1/art_24.html' }],
  secrecyConfirmed: true,
  requestId: `req-journey-${++seq}`,
});

const counts = (over: Partial<StatusCounts>): StatusCounts => ({
  assigned: ON_24,
  not_started: 0,
  submitted: 0,
  returned: 0,
  approved: 0,
  overdue: 0,
  ...over,
});

function cellOf(view: RoundOverview, unitId: string, taskNo: number) {
  const u = view.units.findIndex((x) => x.id === unitId);
  const ti = view.tasks.findIndex((x) => x.no === taskNo);
  return { code: view.units[u]?.cells[ti], report: view.units[u]?.reports[ti] };
}

test('round → submit → 退回 with a note → version 2 → approve, with the overview and 催办 following each step', async () => {
  const round = await createRound(t, { name: '第三季度', dueDate: inDays(10), scope: [24] });
  const overview = async () => okData(await admin()('overview.round', { roundId: round.id }));
  const urge = async () => okData(await admin()('urge.preview', { roundId: round.id }));

  // Nothing in yet, nothing late.
  let view = await overview();
  expect(view.tasks.map((x) => x.no)).toEqual([24]);
  expect(view.units).toHaveLength(ON_24);
  expect(view.totals).toEqual(counts({ not_started: ON_24 }));
  expect(view.neverSubmitted).toHaveLength(ON_24);
  expect(cellOf(view, 'ssfj', 24)).toEqual({ code: 'n', report: null });
  expect(await urge()).toMatchObject({ units: [], text: '' });

  // 1. The contact submits version 1.
  const v1 = okData(await ssfj()('report.submit', submission(round.id, '已发布政策解读。'))).report;
  view = await overview();
  expect(view.totals).toEqual(counts({ not_started: ON_24 - 1, submitted: 1 }));
  expect(cellOf(view, 'ssfj', 24)).toEqual({ code: 's', report: v1.id });
  expect(view.neverSubmitted).not.toContain('ssfj');
  expect(view.neverSubmitted).toHaveLength(ON_24 - 1);
  const queue = okData(await admin()('review.queue', { roundId: round.id }));
  expect(queue.items.map((i) => [i.reportId, i.unitName, i.taskNo, i.role])).toEqual([[v1.id, '市司法局', 24, 'cooperate']]);

  // 2. The office returns it with a note; the unit sees the note and the 催办 names it.
  const returned = okData(await admin()('review.decide', { reportId: v1.id, decision: 'return', note: '请补充政府网站公开链接的截图' }));
  expect(returned).toMatchObject({ id: v1.id, state: 'returned', review: { decision: 'return', note: '请补充政府网站公开链接的截图' } });
  expect(returned.text).toBe('已发布政策解读。');
  view = await overview();
  expect(view.totals).toEqual(counts({ not_started: ON_24 - 1, returned: 1 }));
  expect(cellOf(view, 'ssfj', 24).code).toBe('r');
  const mine = okData(await ssfj()('tasks.mine', {}));
  expect(mine.items.find((i) => i.taskNo === 24)).toMatchObject({ status: 'returned', returnNote: '请补充政府网站公开链接的截图' });
  const late = await urge();
  expect(late.units).toEqual([
    {
      unitId: 'ssfj',
      unitName: '市司法局',
      missing: [],
      returned: [24],
      contacts: [{ openid: CONTACTS.ssfj.openid, name: CONTACTS.ssfj.name, canNotify: false, subscription: null }],
    },
  ]);
  expect(late.text).toContain('1. 市司法局（联络员：司法甲）：第24项被退回，请修改后重新报送。');
  expect(late.text).not.toContain(CONTACTS.ssfj.phone);

  // 3. The contact resubmits: version 2 awaits review, version 1 can no longer be decided.
  const v2 = okData(await ssfj()('report.submit', submission(round.id, '已补充截图和链接。'))).report;
  expect(v2.version).toBe(2);
  view = await overview();
  expect(view.totals).toEqual(counts({ not_started: ON_24 - 1, submitted: 1 }));
  expect(cellOf(view, 'ssfj', 24)).toEqual({ code: 's', report: v2.id });
  expect(okData(await admin()('review.queue', {})).items.map((i) => i.reportId)).toEqual([v2.id]);
  expect(await admin()('review.decide', { reportId: v1.id, decision: 'approve' })).toMatchObject({ ok: false, code: 'CONFLICT' });
  expect((await urge()).units).toEqual([]);

  // 4. The office approves version 2.
  okData(await admin()('review.decide', { reportId: v2.id, decision: 'approve', expectedState: 'submitted' }));
  view = await overview();
  expect(view.totals).toEqual(counts({ not_started: ON_24 - 1, approved: 1 }));
  expect(cellOf(view, 'ssfj', 24)).toEqual({ code: 'a', report: v2.id });
  expect(okData(await admin()('review.queue', {})).total).toBe(0);
  // Both versions are kept with their own states; v1's text was never touched.
  expect(t.cloud.db.find('reports', { assignmentId: AID }, { sort: { version: 1 } }).map((r) => [r.version, r.state, r.text])).toEqual([
    [1, 'returned', '已发布政策解读。'],
    [2, 'approved', '已补充截图和链接。'],
  ]);

  // 5. The due day passes: every unit but 市司法局 is late, and the 催办 names exactly them.
  okData(await admin()('round.update', { id: round.id, name: round.name, dueDate: inDays(-1), scope: [24] }));
  view = await overview();
  expect(view.totals).toEqual(counts({ overdue: ON_24 - 1, approved: 1 }));
  expect(view.overdue.map((o) => o.unitId).sort()).toEqual(
    expectedAssignmentsOn24()
      .filter((id) => id !== 'ssfj')
      .sort(),
  );
  const all = await urge();
  const lateIds = all.units.map((u) => u.unitId);
  expect(lateIds).toHaveLength(ON_24 - 1);
  expect(lateIds).not.toContain('ssfj');
  const lines = all.text.split('\n').filter((l) => /^\d+\. /.test(l));
  expect(lines).toHaveLength(ON_24 - 1);
  for (const u of all.units) expect(all.text).toContain(`${u.unitName}（`);
  expect(all.text).not.toContain('市司法局');
  expect(all.text).not.toContain('市委编办'); // not on task 24
});

function expectedAssignmentsOn24(): string[] {
  return DIRECTORY.units.map((u) => u.code).filter((code) => expectedAssignments(code).some((a) => a.taskNo === 24));
}
