/**
 * @jest-environment jsdom
 *
 * Journey 4 through the office pages, on the real functions: the setup code
 * makes the first administrator; a round is created on 轮次管理; a binding
 * is approved on 联络员管理; a report comes in, is returned with a note on
 * 审核, resubmitted and approved; 总览 follows each step; 催办 names exactly
 * the late units and copies its message.
 */
import { buildPlanDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import type { SubmitReportInput } from '../../miniprogram/shared/api';
import { SETUP_CODE, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, officeDayFromNow, openPage, until, useCloud, wxState } from '../helpers/miniprogram';
import { lastNavigation, openOffice, reopen, stats, texts } from './office-helpers';

const OFFICER = 'o-office-officer-01';
const SIFA = 'o-contact-sifa-journey';
const DOCS = buildPlanDocs(
  TABLE_2021,
  DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true })),
  DIRECTORY.groups,
);
/** Every unit on task 24 (市政府办公室 leads, every department and town cooperates). */
const ON_24 = DOCS.assignments.filter((a) => a.taskNo === 24);

let t: TestCloud;
beforeEach(() => {
  t = startTestCloud();
});
afterEach(() => t.close());

let seq = 0;
const submission = (roundId: string, text: string): SubmitReportInput => ({
  assignmentId: 'plan-2021-t24-ssfj',
  roundId,
  text,
  progress: 'ongoing',
  images: [],
  files: [],
  links: [{ url: 'http://www.zoucheng.gov.cn/art/2021/9/1/art_24.html', title: '政策解读' }],
  secrecyConfirmed: true,
  requestId: `req-office-journey-${++seq}`,
});

/** 总览 as the officer sees it now: the count boxes. */
async function overviewCounts(): Promise<Record<string, number>> {
  const page = await openOffice(t, OFFICER, 'overview');
  expect(page.data().phase).toBe('ready');
  await until(() => !page.data().roundLoading && page.data().round !== null, 'the round statistics');
  return stats(page);
}

test('setup → round → approve a binding → submit → 退回 with a note → resubmit → approve, with 总览 and 催办 following', async () => {
  // ---- 0. Nobody administers yet: 首页 offers 设置管理员; the setup page takes the code. ----
  useCloud(t, OFFICER);
  const home = await openPage('pages/home/index');
  await until(() => home.data().phase === 'ready', 'home to load');
  expect(home.textOf('.setup-cell')).toContain('设置管理员');
  expect(home.root.querySelector('.office-cell')).toBeUndefined();
  await home.tap('.setup-cell');
  expect(wxState.navigations).toEqual(['/office/pages/setup/index']);

  const setup = await reopen('setup');
  await setup.type('.input-code', 'not-the-code');
  await setup.type('.input-name', '张科长');
  await setup.tap('.btn-submit');
  await until(() => setup.textOf('.error-setupCode') !== '', 'the wrong-code error');
  expect(setup.textOf('.error-setupCode')).toBe('初始化口令不正确');
  expect((await api(t, OFFICER, 'me.get')).isAdmin).toBe(false);
  await setup.type('.input-code', SETUP_CODE);
  expect(setup.textOf('.error-setupCode')).toBe('');
  await setup.tap('.btn-submit');
  await until(() => setup.data().phase === 'done', 'the done state');
  expect(setup.text()).toContain('您已成为管理员');
  await setup.tap('.btn-open-office');
  expect(wxState.redirects).toEqual(['/office/pages/overview/index']);
  expect(await api(t, OFFICER, 'me.get')).toMatchObject({ isAdmin: true, needsSetup: false });
  await api(t, OFFICER, 'plan.seed', { year: 2021 });

  // 首页 now leads the officer to the 工作台 instead.
  const homeAgain = await openPage('pages/home/index');
  await until(() => homeAgain.data().phase === 'ready', 'home to load again');
  expect(homeAgain.textOf('.office-cell')).toContain('政务公开科工作台');
  expect(homeAgain.root.querySelector('.setup-cell')).toBeUndefined();
  await homeAgain.tap('.office-cell');
  expect(wxState.navigations.pop()).toBe('/office/pages/overview/index');

  // An empty 总览 says what to do first.
  const empty = await openOffice(t, OFFICER, 'overview');
  expect(empty.text()).toContain('还没有报送轮次');

  // ---- 1. A round for task 24 only, made on 轮次管理 (search by 序号). ----
  const rounds = await openOffice(t, OFFICER, 'rounds');
  expect(rounds.text()).toContain('还没有报送轮次');
  await rounds.tap('.btn-new');
  await rounds.type('.input-name', '第三季度报送');
  const due = officeDayFromNow(10);
  await rounds.change('.due-picker', due);
  await rounds.tap('.scope-some');
  await rounds.type('.task-search', '24');
  expect(texts(rounds, '.task-option').map((s) => s.split('.')[0])).toEqual(['24']);
  await rounds.tap('.task-option');
  expect(rounds.text()).toContain('已选 1 项');
  await rounds.tap('.btn-save');
  await until(() => rounds.data().mode === 'list' && texts(rounds, '.round-row').length === 1, 'the new round in the list');
  expect(texts(rounds, '.round-row')[0]).toContain('第三季度报送');
  expect(texts(rounds, '.round-row')[0]).toContain('第 24 项');
  const [round] = await api(t, OFFICER, 'round.list', {});
  expect(round).toMatchObject({ name: '第三季度报送', dueDate: due, scope: [24], overrides: {}, status: 'open' });
  if (!round) throw new Error('no round');

  let counts = await overviewCounts();
  expect(counts).toEqual({ 已通过: 0, 已报待审: 0, 退回: 0, 逾期: 0, 未报: ON_24.length });

  // ---- 2. 市司法局's contact asks to bind; the officer approves on 联络员管理. ----
  await api(t, SIFA, 'contact.bind', { unitId: 'ssfj', name: '王晓明', phone: '13800000001' });
  const contacts = await openOffice(t, OFFICER, 'contacts');
  expect(texts(contacts, '.pending-row')).toHaveLength(1);
  expect(contacts.textOf('.pending-row')).toContain('王晓明 · 市司法局');
  // The office sees the full number (contacts see it masked).
  expect(contacts.textOf('.pending-row')).toContain('13800000001');
  await contacts.tap('.approve');
  await until(() => texts(contacts, '.pending-row').length === 0, 'the request to leave the pending list');
  expect(wxState.toasts).toContain('已通过：王晓明（市司法局）');
  expect(texts(contacts, '.active-row').join('\n')).toContain('王晓明');
  expect((await api(t, SIFA, 'me.get')).contact).toMatchObject({ status: 'active', unitId: 'ssfj' });

  // ---- 3. The contact submits version 1. ----
  const v1 = (await api(t, SIFA, 'report.submit', submission(round.id, '已在门户网站发布政策解读 3 篇。'))).report;
  counts = await overviewCounts();
  expect(counts).toMatchObject({ 已报待审: 1, 未报: ON_24.length - 1, 退回: 0, 已通过: 0 });

  // ---- 4. The officer opens it from the queue and returns it with a note. ----
  const queue = await openOffice(t, OFFICER, 'review');
  expect(queue.textOf('.queue-total')).toContain('待审核 1 份');
  expect(queue.textOf('.queue-item')).toContain('第24项 · 市司法局');
  await queue.tap('.queue-item');
  const nav = lastNavigation();
  expect(nav).toEqual({ path: '/office/pages/review/index', query: { reportId: v1.id } });

  const review = await reopen('review', nav.query);
  expect(review.textOf('.report-text')).toBe('已在门户网站发布政策解读 3 篇。');
  expect(review.textOf('.report-state')).toBe('待审核');
  // 退回 needs a note, said next to the box; nothing is decided.
  await review.tap('.btn-return');
  expect(review.textOf('.error-note')).toContain('请填写退回意见');
  expect(await api(t, OFFICER, 'report.get', { reportId: v1.id })).toMatchObject({ reviewable: true });
  await review.type('.note-input', '请补充政府网站公开页面的截图');
  expect(review.textOf('.error-note')).toBe('');
  await review.tap('.btn-return');
  await until(() => review.textOf('.done-notice') !== '', 'the decision to land');
  expect(review.textOf('.report-state')).toBe('已退回');
  expect(review.textOf('.review-row')).toContain('退回');
  expect(review.textOf('.review-row')).toContain('请补充政府网站公开页面的截图');
  expect(review.root.querySelector('.btn-approve')).toBeUndefined();
  const mine = await api(t, SIFA, 'tasks.mine', {});
  expect(mine.items.find((i) => i.taskNo === 24)).toMatchObject({ status: 'returned', returnNote: '请补充政府网站公开页面的截图' });

  counts = await overviewCounts();
  expect(counts).toMatchObject({ 已报待审: 0, 退回: 1, 未报: ON_24.length - 1 });

  // ---- 5. The contact resubmits; the officer approves version 2. ----
  const v2 = (await api(t, SIFA, 'report.submit', submission(round.id, '已补充截图，见链接。'))).report;
  expect(v2.version).toBe(2);
  counts = await overviewCounts();
  expect(counts).toMatchObject({ 已报待审: 1, 退回: 0 });

  const second = await openOffice(t, OFFICER, 'review', { reportId: v2.id });
  expect(second.text()).toContain('第 2 版');
  await second.tap('.btn-approve');
  await until(() => second.textOf('.report-state') === '已通过', 'the approval');
  expect(second.textOf('.done-notice')).toContain('已通过审核');

  counts = await overviewCounts();
  expect(counts).toEqual({ 已通过: 1, 已报待审: 0, 退回: 0, 逾期: 0, 未报: ON_24.length - 1 });
  const emptyQueue = await openOffice(t, OFFICER, 'review');
  expect(emptyQueue.text()).toContain('没有等待审核的报送');

  // ---- 6. The due day passes: 催办 names every unit on task 24 except 市司法局, and copies it. ----
  await api(t, OFFICER, 'round.update', { id: round.id, name: round.name, dueDate: officeDayFromNow(-1), scope: [24] });
  counts = await overviewCounts();
  expect(counts).toEqual({ 已通过: 1, 已报待审: 0, 退回: 0, 逾期: ON_24.length - 1, 未报: 0 });

  const urge = await openOffice(t, OFFICER, 'urge');
  await until(() => !urge.data().previewLoading, 'the 催办 preview');
  const message = urge.textOf('.urge-text');
  const named = message
    .split(/\s(?=\d+\. )/)
    .filter((l) => /^\d+\. /.test(l))
    .map((l) => l.replace(/^\d+\. /, '').split('（')[0]);
  const expected = ON_24.filter((a) => a.unitId !== 'ssfj').map((a) => a.unitName);
  expect([...named].sort()).toEqual([...expected].sort());
  expect(message).not.toContain('市司法局');
  expect(texts(urge, '.urge-unit')).toHaveLength(expected.length);

  await urge.tap('.btn-copy');
  const preview = await api(t, OFFICER, 'urge.preview', { roundId: round.id });
  expect(wxState.clipboard).toBe(preview.text);
  expect(wxState.clipboard).toContain('【催办】第三季度报送');
});
