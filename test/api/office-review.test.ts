import { cloud } from '../../cloudfunctions/common/cloud';
import type { ApiResult, RoundView, SubmitReportInput } from '../../miniprogram/shared/api';
import { uploadPrefix } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';
import {
  CONTACTS,
  approveContacts,
  assignmentOf,
  createRound,
  evidenceOf,
  expectedAssignments,
  inDays,
  picture,
  startUploader,
  type Uploader,
} from '../helpers/journey';

const SECOND_ADMIN = 'o-office-second-admin';

let t: TestCloud;
let round: RoundView;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng', 'szfbgs']);
  okData(await t.as(ADMIN)('admin.add', { openid: SECOND_ADMIN, name: '李科员' }));
  round = await createRound(t, { dueDate: inDays(20) });
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);
let seq = 0;
function submission(unit: 'ssfj' | 'xiangcheng-zhen' | 'szfbgs', taskNo: number, over: Partial<SubmitReportInput> = {}): SubmitReportInput {
  return {
    assignmentId: assignmentOf(taskNo, unit),
    roundId: round.id,
    text: `第${taskNo}项已完成。`,
    progress: 'done',
    images: [],
    files: [],
    links: [],
    secrecyConfirmed: true,
    requestId: `req-review-${++seq}`,
    ...over,
  };
}
const OPENID = { ssfj: CONTACTS.ssfj.openid, 'xiangcheng-zhen': CONTACTS.xiangcheng.openid, szfbgs: CONTACTS.szfbgs.openid } as const;
async function submit(unit: keyof typeof OPENID, taskNo: number, over: Partial<SubmitReportInput> = {}) {
  return okData(await t.as(OPENID[unit])('report.submit', submission(unit, taskNo, over))).report;
}
/** Reviews, report states and audit entries: a refusal must leave all three unchanged. */
const written = () => ({
  reviews: t.cloud.db.count('reviews', {}),
  audit: t.cloud.db.count('audit', { action: 'review.decide' }),
  states: t.cloud.db.find('reports', {}).map((r) => `${r._id as string}:${r.state as string}`),
});

describe('review.decide', () => {
  test('a 退回 writes the review fact, changes only the state, and is audited', async () => {
    const report = await submit('ssfj', 24, { links: [{ url: 'http://www.zoucheng.gov.cn/a.html', title: '解读' }] });
    const before = t.cloud.db.find('reports', { _id: report.id })[0];
    const view = okData(await admin()('review.decide', { reportId: report.id, decision: 'return', note: ' 请补充公开链接 ' }));
    expect(view).toMatchObject({
      id: report.id,
      state: 'returned',
      review: { decision: 'return', note: '请补充公开链接', by: '测试管理员' },
    });
    expect(t.cloud.db.find('reports', { _id: report.id })[0]).toEqual({ ...before, state: 'returned' });
    expect(t.cloud.db.find('reviews', {})).toEqual([
      {
        _id: expect.any(String),
        reportId: report.id,
        decision: 'return',
        note: '请补充公开链接',
        by: ADMIN,
        byName: '测试管理员',
        at: expect.any(Date),
        assignmentId: assignmentOf(24, 'ssfj'),
        planId: 'plan-2021',
        taskNo: 24,
        unitId: 'ssfj',
        roundId: round.id,
        version: 1,
      },
    ]);
    expect(t.cloud.db.find('audit', { action: 'review.decide' })).toEqual([
      expect.objectContaining({
        actor: ADMIN,
        target: `report:${report.id}`,
        detail: { decision: 'return', note: '请补充公开链接', unitId: 'ssfj', taskNo: 24, roundId: round.id, version: 1 },
      }),
    ]);
  });

  test('two admins deciding at once: exactly one wins, the other gets CONFLICT', async () => {
    const report = await submit('ssfj', 24);
    const [a, b] = await Promise.all([
      admin()('review.decide', { reportId: report.id, decision: 'approve' }),
      t.as(SECOND_ADMIN)('review.decide', { reportId: report.id, decision: 'return', note: '请补充' }),
    ]);
    const wins = [a, b].filter((r) => r.ok);
    expect(wins).toHaveLength(1);
    const loser = refused([a, b].find((r) => !r.ok) as ApiResult<unknown>);
    expect(loser.code).toBe('CONFLICT');
    expect(loser.message).toMatch(/「已(通过|退回)」/);
    const state = t.cloud.db.find('reports', { _id: report.id })[0]?.state;
    expect(t.cloud.db.find('reviews', {}).map((r) => r.decision)).toEqual([state === 'approved' ? 'approve' : 'return']);
    expect(t.cloud.db.count('audit', { action: 'review.decide' })).toBe(1);
  });

  test('a decided version cannot be decided again; the message says its state', async () => {
    const report = await submit('ssfj', 24);
    okData(await admin()('review.decide', { reportId: report.id, decision: 'approve' }));
    const before = written();
    const again = refused(await t.as(SECOND_ADMIN)('review.decide', { reportId: report.id, decision: 'return', note: '请补充' }));
    expect(again).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('「已通过」') });
    expect(written()).toEqual(before);
  });

  test('only the latest version can be reviewed', async () => {
    const v1 = await submit('ssfj', 24);
    const v2 = await submit('ssfj', 24, { text: '补充了材料。' });
    const before = written();
    const old = refused(await admin()('review.decide', { reportId: v1.id, decision: 'approve' }));
    expect(old).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('更新的版本') });
    expect(written()).toEqual(before);
    expect(okData(await admin()('review.decide', { reportId: v2.id, decision: 'approve' })).state).toBe('approved');
  });

  test('expectedState other than the current one is a CONFLICT', async () => {
    const report = await submit('ssfj', 24);
    const res = refused(await admin()('review.decide', { reportId: report.id, decision: 'approve', expectedState: 'returned' }));
    expect(res.code).toBe('CONFLICT');
    expect(t.cloud.db.find('reports', { _id: report.id })[0]?.state).toBe('submitted');
  });

  test('a closed round can still be approved but no longer returned', async () => {
    const a = await submit('ssfj', 24);
    const b = await submit('xiangcheng-zhen', 24);
    okData(await admin()('round.close', { id: round.id }));
    const before = written();
    expect(refused(await admin()('review.decide', { reportId: a.id, decision: 'return', note: '请补充' })).code).toBe('ROUND_CLOSED');
    expect(written()).toEqual(before);
    expect(okData(await admin()('review.decide', { reportId: b.id, decision: 'approve' })).state).toBe('approved');
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ['a 退回 without a note', { decision: 'return' }, 'note', '写明'],
    ['a 退回 with a blank note', { decision: 'return', note: '   ' }, 'note', '写明'],
    ['a note over 200 characters', { decision: 'return', note: '补'.repeat(201) }, 'note', '200'],
    ['an unknown decision', { decision: 'reject' }, 'decision', '请重新选择审核结果'],
    ['an unknown expected state', { decision: 'approve', expectedState: 'pending' }, 'expectedState', '请重新选择报送状态'],
    ['a malformed report id', { decision: 'approve', reportId: 'a/b' }, 'reportId', '格式'],
  ])('refuses %s, writing nothing', async (_what, change, field, message) => {
    const report = await submit('ssfj', 24);
    const before = written();
    const res = refused(await admin()('review.decide', { reportId: report.id, ...change } as never));
    expect(res).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(res.message).toContain(message);
    expect(written()).toEqual(before);
  });

  test('an unknown report is NOT_FOUND', async () => {
    expect(refused(await admin()('review.decide', { reportId: 'no-such-report', decision: 'approve' }))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'reportId',
    });
  });
});

describe('review.queue', () => {
  test('latest versions awaiting review, oldest first, across rounds; superseded and decided ones left out', async () => {
    const other = await createRound(t, { name: '年底回头看', dueDate: inDays(40), scope: [44] });
    const a = await submit('ssfj', 24);
    const b1 = await submit('xiangcheng-zhen', 24);
    const c = okData(
      await t.as(OPENID.szfbgs)('report.submit', { ...submission('szfbgs', 44), roundId: other.id, links: [{ url: 'http://a.cn/x' }] }),
    ).report;
    const b2 = await submit('xiangcheng-zhen', 24, { text: '再次报送' });
    const d = await submit('ssfj', 11);
    okData(await admin()('review.decide', { reportId: d.id, decision: 'approve' }));

    const all = okData(await admin()('review.queue', {}));
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.reportId)).toEqual([a.id, c.id, b2.id]);
    expect(all.items.map((i) => i.reportId)).not.toContain(b1.id);
    expect(all.items[1]).toEqual({
      reportId: c.id,
      assignmentId: assignmentOf(44, 'szfbgs'),
      roundId: other.id,
      roundName: '年底回头看',
      taskId: 'plan-2021-t44',
      taskNo: 44,
      taskSummary: expect.stringMatching(/^.{1,40}…?$/u),
      unitId: 'szfbgs',
      unitName: '市政府办公室',
      role: expectedAssignments('szfbgs').find((a) => a.taskNo === 44)?.role,
      version: 1,
      progress: 'done',
      submittedAt: c.submittedAt,
      submittedByName: CONTACTS.szfbgs.name,
      evidenceCount: 1,
    });

    expect(okData(await admin()('review.queue', { roundId: other.id })).items.map((i) => i.reportId)).toEqual([c.id]);
    const first = okData(await admin()('review.queue', { limit: 1 }));
    expect(first).toMatchObject({ total: 3, items: [{ reportId: a.id }] });
    expect(refused(await admin()('review.queue', { limit: 101 }))).toMatchObject({ code: 'INVALID_INPUT', field: 'limit' });
  });
});

describe('report.get', () => {
  let up: Uploader;
  beforeEach(async () => {
    up = await startUploader(t);
  });
  afterEach(async () => up.close());

  test('any unit’s report with download links, its review history and whether it can be reviewed', async () => {
    const p = uploadPrefix('xiangcheng-zhen', CONTACTS.xiangcheng.openid);
    const who = CONTACTS.xiangcheng.openid;
    const bytes = [picture(), Buffer.from('%PDF'), Buffer.from('%PDF-old')] as const;
    const [img, doc, gone] = await Promise.all([
      up.upload(who, `${p}r/photo.jpg`, bytes[0]),
      up.upload(who, `${p}r/方案.pdf`, bytes[1]),
      up.upload(who, `${p}r/old.pdf`, bytes[2]),
    ]);
    const v1 = await submit('xiangcheng-zhen', 24, {
      images: [evidenceOf(img, 'photo.jpg', bytes[0])],
      files: [evidenceOf(doc, '方案.pdf', bytes[1]), evidenceOf(gone, 'old.pdf', bytes[2])],
    });
    okData(await admin()('review.decide', { reportId: v1.id, decision: 'return', note: '请补充照片说明' }));
    // Only a copy lost from storage is missing: the contact's uploads no longer matter.
    const copyOf = (upload: string) =>
      (t.cloud.db.find('evidence', { reportId: v1.id }).find((d) => d.sourceFileID === upload) as { fileID: string }).fileID;
    await cloud.deleteFile({ fileList: [gone, copyOf(gone)] });

    const detail = okData(await admin()('report.get', { reportId: v1.id }));
    expect(detail.report).toMatchObject({
      id: v1.id,
      unitName: '香城镇',
      roundName: round.name,
      state: 'returned',
      review: { note: '请补充照片说明' },
    });
    expect(detail.round).toEqual({ id: round.id, name: round.name, status: 'open' });
    expect(detail.task).toMatchObject({ id: 'plan-2021-t24', no: 24, requirement: expect.any(String) });
    expect(detail.role).toBe('cooperate');
    expect(detail.images).toEqual([
      { fileID: copyOf(img), name: 'photo.jpg', size: bytes[0].length, url: expect.stringContaining('/evidence/xiangcheng-zhen/') },
    ]);
    expect(detail.files.map((f) => [f.name, f.url === null])).toEqual([
      ['方案.pdf', false],
      ['old.pdf', true],
    ]);
    // About two hours of validity.
    const expires = Number(new URL(detail.images[0]?.url as string).searchParams.get('t')) * 1000;
    expect(expires - Date.now()).toBeGreaterThan(110 * 60_000);
    expect(expires - Date.now()).toBeLessThan(130 * 60_000);
    expect(detail.reviews.map((r) => [r.decision, r.note, r.by])).toEqual([['return', '请补充照片说明', '测试管理员']]);
    expect(detail).toMatchObject({ latestVersion: 1, reviewable: false });

    const v2 = await submit('xiangcheng-zhen', 24, { text: '已补充' });
    expect(okData(await admin()('report.get', { reportId: v1.id }))).toMatchObject({ latestVersion: 2, reviewable: false });
    expect(okData(await admin()('report.get', { reportId: v2.id }))).toMatchObject({ latestVersion: 2, reviewable: true, reviews: [] });
  });

  test('unknown reports are NOT_FOUND; contacts cannot read reports this way', async () => {
    expect(refused(await admin()('report.get', { reportId: 'no-such-report' }))).toMatchObject({ code: 'NOT_FOUND', field: 'reportId' });
    const report = await submit('ssfj', 24);
    expect(refused(await t.as(CONTACTS.ssfj.openid)('report.get', { reportId: report.id })).code).toBe('FORBIDDEN');
  });
});
