/** @jest-environment jsdom */
import { buildPlanDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import { ROLE_LABEL, type Role } from '../../miniprogram/shared/api';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, officeDayFromNow, openPage, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';

/** The table's own answer: every (task, unit) pair with its role. */
const DOCS = buildPlanDocs(
  TABLE_2021,
  DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true })),
  DIRECTORY.groups,
);
const expectedFor = (unitName: string) =>
  DOCS.assignments
    .filter((a) => a.unitName === unitName)
    .map((a) => ({ no: a.taskNo, role: a.role as Role }))
    .sort((a, b) => a.no - b.no);

const SIFA = 'o-contact-sifa-home';
const XIANGCHENG = 'o-contact-xc-home';
const OFFICE = 'o-contact-office-home';

async function openHome(openid: string): Promise<RenderedPage> {
  useCloud(t, openid);
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase !== 'loading', 'home to load');
  expect(page.data().phase).toBe('ready');
  return page;
}

/** Each row as the person reads it: its number, role tag and days-left words. */
function rows(page: RenderedPage, group?: string) {
  const scope = group ? `.group-${group} ` : '';
  const texts = page.root.querySelectorAll(`${scope}.task-text`).map((n) => n.dom?.textContent?.trim() ?? '');
  const tags = page.root.querySelectorAll(`${scope}.task-meta .tag`).map((n) => n.dom?.textContent?.trim());
  const left = page.root.querySelectorAll(`${scope}.task-left`).map((n) => n.dom?.textContent?.trim());
  return texts.map((text, i) => ({ no: Number(/^(\d+)\./.exec(text)?.[1]), role: tags[i], left: left[i], text }));
}

let t: TestCloud;

describe('with a round open for every task', () => {
  beforeAll(async () => {
    t = startTestCloud();
    await t.seed();
    await bindActive(t, SIFA, '市司法局');
    await bindActive(t, XIANGCHENG, '香城镇', '陈联络', '13800000002');
    await bindActive(t, OFFICE, '市政府办公室', '刘联络', '13800000003');
    await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
  });
  afterAll(() => t.close());

  test.each([
    ['市司法局', SIFA],
    ['香城镇', XIANGCHENG],
  ])('%s sees exactly its assignments from the table, all due in 10 days', async (unitName, openid) => {
    const expected = expectedFor(unitName);
    expect(expected.length).toBeGreaterThan(5);
    const page = await openHome(openid);
    expect(page.textOf('.summary-headline')).toBe(`本单位 ${expected.length} 项任务，本轮待报 ${expected.length} 项`);
    expect(page.textOf('.summary-round')).toContain('第三季度报送');
    const shown = rows(page, 'todo');
    expect(shown.map((r) => r.no)).toEqual(expected.map((e) => e.no));
    expect(shown.map((r) => r.role)).toEqual(expected.map((e) => ROLE_LABEL[e.role]));
    expect(new Set(shown.map((r) => r.left))).toEqual(new Set(['还剩 10 天']));
    // Nothing else: no other group, no other unit's task.
    expect(page.root.querySelectorAll('.task-item')).toHaveLength(expected.length);
  });

  test('a lead unit sees its lead tasks tagged 牵头; rows are clamped to two lines of text', async () => {
    const page = await openHome(OFFICE);
    const leads = expectedFor('市政府办公室').filter((e) => e.role === 'lead');
    expect(leads.length).toBeGreaterThan(0);
    expect(
      rows(page)
        .filter((r) => r.role === '牵头')
        .map((r) => r.no),
    ).toEqual(leads.map((e) => e.no));
    expect(page.root.querySelector('.task-text')?.dom?.className).toContain('clamp-2');
  });

  test('tapping a task opens its detail', async () => {
    const page = await openHome(XIANGCHENG);
    const first = expectedFor('香城镇')[0];
    await page.tap('.task-item');
    expect(wxState.navigations).toEqual([`/pages/task/index?id=plan-2021-t${String(first?.no).padStart(2, '0')}`]);
  });

  test('a submitted task moves from 待报 to 已报 and the count drops', async () => {
    const mine = await api(t, XIANGCHENG, 'tasks.mine');
    const item = mine.items[0];
    if (!item || !mine.round) throw new Error('no task or round');
    await api(t, XIANGCHENG, 'report.submit', {
      assignmentId: item.assignmentId,
      roundId: mine.round.id,
      text: '已在政府网站公开。',
      progress: 'done',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: 'home-test-req-0001',
    });
    const total = expectedFor('香城镇').length;
    const page = await openHome(XIANGCHENG);
    expect(page.textOf('.summary-headline')).toBe(`本单位 ${total} 项任务，本轮待报 ${total - 1} 项`);
    expect(rows(page, 'submitted').map((r) => r.no)).toEqual([item.taskNo]);
    expect(rows(page, 'todo').map((r) => r.no)).not.toContain(item.taskNo);
    expect(page.text()).toContain('已报 1 项');
  });
});

describe('other rounds', () => {
  beforeEach(async () => {
    t = startTestCloud();
    await t.seed();
    await bindActive(t, SIFA, '市司法局');
  });
  afterEach(() => t.close());

  test('before any round: the tasks are listed and the page says no round is out yet', async () => {
    const page = await openHome(SIFA);
    const expected = expectedFor('市司法局');
    expect(page.textOf('.summary-headline')).toBe(`本单位 ${expected.length} 项任务`);
    expect(page.text()).toContain('政务公开科尚未发布报送轮次');
    expect(rows(page, 'all').map((r) => r.no)).toEqual(expected.map((e) => e.no));
    expect(page.root.querySelectorAll('.task-left')).toHaveLength(0);
  });

  test('a round for some tasks: the rest are folded under 本轮不涉及 and open on a tap', async () => {
    const expected = expectedFor('市司法局');
    const asked = expected.slice(0, 2).map((e) => e.no);
    await api(t, ADMIN, 'round.create', { name: '专项报送', dueDate: officeDayFromNow(0), scope: asked });
    const page = await openHome(SIFA);
    expect(page.textOf('.summary-headline')).toBe(`本单位 ${expected.length} 项任务，本轮待报 2 项`);
    expect(rows(page, 'todo').map((r) => [r.no, r.left])).toEqual(asked.map((no) => [no, '今天截止']));
    expect(page.root.querySelector('.group-todo .task-left')?.dom?.className).toContain('text-danger');
    expect(page.textOf('.group-toggle')).toBe(`本轮不涉及 ${expected.length - 2} 项展开`);
    expect(rows(page, 'outside')).toHaveLength(0);
    await page.tap('.group-toggle');
    expect(rows(page, 'outside').map((r) => r.no)).toEqual(expected.slice(2).map((e) => e.no));
    expect(rows(page, 'outside').every((r) => r.left === undefined)).toBe(true);
    expect(page.textOf('.group-toggle')).toContain('收起');
  });

  test('a round past its due day: tasks show 已逾期 in red and the headline counts them', async () => {
    await api(t, ADMIN, 'round.create', { name: '第一季度报送', dueDate: officeDayFromNow(-2), scope: 'all' });
    const expected = expectedFor('市司法局');
    const page = await openHome(SIFA);
    expect(page.textOf('.summary-headline')).toBe(
      `本单位 ${expected.length} 项任务，本轮待报 ${expected.length} 项，逾期 ${expected.length} 项`,
    );
    const shown = rows(page, 'todo');
    expect(new Set(shown.map((r) => r.left))).toEqual(new Set(['已逾期 2 天']));
    expect(page.root.querySelector('.task-left')?.dom?.className).toContain('text-danger');
  });

  test('pull-to-refresh picks up a round published meanwhile', async () => {
    const page = await openHome(SIFA);
    expect(page.text()).toContain('政务公开科尚未发布报送轮次');
    await api(t, ADMIN, 'round.create', { name: '第二季度报送', dueDate: officeDayFromNow(3), scope: 'all' });
    page.lifecycle('onPullDownRefresh');
    await until(() => page.text().includes('第二季度报送'), 'the refreshed round');
    expect(page.text()).toContain('还剩 3 天');
    expect(page.text()).not.toContain('政务公开科尚未发布报送轮次');
  });
});
