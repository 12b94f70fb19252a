/**
 * @jest-environment jsdom
 *
 * 总览 at the 2021 table's full size (44 tasks × 35 units): rows a page at a
 * time with coloured chips, per task or per unit in directory order (no
 * ranking), drill-down to a cell's latest report, late and never-reported
 * units — within the platform's limits (< 1000 WXML nodes, small setData).
 */
import type { RoundView, SubmitReportInput } from '../../miniprogram/shared/api';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf } from '../helpers/journey';
import { api, officeDayFromNow, until, wxState, type RenderedPage } from '../helpers/miniprogram';
import { lastNavigation, nodeCount, openOffice, stats, texts } from './office-helpers';

/** Rows per page (PAGE_ROWS of the page; importing it would register the page's Component). */
const PAGE_ROWS = 20;

let t: TestCloud;
let round: RoundView;
let approvedId = '';

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng', 'szfbgs']);
  round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
  let seq = 0;
  const submit = (openid: string, unit: string, taskNo: number) =>
    api(t, openid, 'report.submit', {
      assignmentId: assignmentOf(taskNo, unit),
      roundId: round.id,
      text: `第${taskNo}项进展。`,
      progress: 'ongoing',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: `req-overview-${++seq}`,
    } satisfies SubmitReportInput);
  const a = (await submit(CONTACTS.ssfj.openid, 'ssfj', 24)).report;
  approvedId = a.id;
  await api(t, ADMIN, 'review.decide', { reportId: a.id, decision: 'approve' });
  const r = (await submit(CONTACTS.xiangcheng.openid, 'xiangcheng-zhen', 24)).report;
  await api(t, ADMIN, 'review.decide', { reportId: r.id, decision: 'return', note: '请补充' });
  await submit(CONTACTS.szfbgs.openid, 'szfbgs', 24);
  // The round's due day has passed; task 24 has its own, later one.
  round = await api(t, ADMIN, 'round.update', {
    id: round.id,
    name: round.name,
    dueDate: officeDayFromNow(-1),
    scope: 'all',
    overrides: { '24': officeDayFromNow(10) },
  });
});
afterAll(() => t.close());

async function open(): Promise<RenderedPage> {
  const page = await openOffice(t, ADMIN, 'overview');
  await until(() => page.data().round !== null, 'the round statistics');
  return page;
}

test('counts, rows a page at a time and chips per unit, within the node and setData limits', async () => {
  const page = await open();
  const view = await api(t, ADMIN, 'overview.round', { roundId: round.id });
  expect(view.tasks).toHaveLength(44);
  expect(view.units.length).toBeGreaterThanOrEqual(30);
  expect(stats(page)).toEqual({
    已通过: view.totals.approved,
    已报待审: view.totals.submitted,
    退回: view.totals.returned,
    逾期: view.totals.overdue,
    未报: view.totals.not_started,
  });
  expect(stats(page)).toMatchObject({ 已通过: 1, 已报待审: 1, 退回: 1 });
  expect(page.textOf('.entry-review')).toContain('待审 1 份');

  // Task rows, a page at a time; each shows its text and counts.
  expect(texts(page, '.matrix-row')).toHaveLength(PAGE_ROWS);
  expect(texts(page, '.matrix-row')[0]).toMatch(/^1\. /);
  expect(page.textOf('.more-rows')).toContain(`还有 ${44 - PAGE_ROWS} 行`);
  await page.tap('.more-rows');
  await page.tap('.more-rows');
  expect(texts(page, '.matrix-row')).toHaveLength(44);
  expect(page.root.querySelector('.more-rows')).toBeUndefined();
  const row24 = texts(page, '.matrix-row').findIndex((r) => r.startsWith('24. '));
  expect(texts(page, '.matrix-row')[row24]).toContain('通过 1 · 待审 1 · 退回 1');

  // Open task 24: one chip per unit on it, coloured by status.
  await page.tap('.row-head', row24);
  const task24 = view.tasks.findIndex((x) => x.no === 24);
  const onTask = view.units.filter((u) => u.cells[task24] !== '-');
  let chips = page.root.querySelectorAll('.chip');
  expect(chips).toHaveLength(onTask.length);
  const sifa = chips.find((c) => c.dom?.textContent?.trim() === '市司法局');
  expect(sifa?.dom?.className).toContain('st-a');
  expect(chips.find((c) => c.dom?.textContent?.trim() === '香城镇')?.dom?.className).toContain('st-r');
  expect(chips.find((c) => c.dom?.textContent?.trim() === '市政府办公室')?.dom?.className).toContain('st-s');
  const waiting = onTask.find((u) => u.cells[task24] === 'n')?.name ?? '';
  expect(waiting).not.toBe('');
  expect(chips.find((c) => c.dom?.textContent?.trim() === waiting)?.dom?.className).toContain('st-n');
  expect(texts(page, '.matrix-row')[row24]).toContain('本项');

  // Task 1 was due yesterday: its units are late.
  await page.tap('.row-head', 0);
  expect(page.root.querySelectorAll('.chip').every((c) => c.dom?.className.includes('st-o'))).toBe(true);
  await page.tap('.row-head', row24);

  // Under the platform's limits even with every row and a row open.
  expect(nodeCount(page)).toBeLessThan(1000);
  expect(Math.max(...page.setDataSizes)).toBeLessThan(32 * 1024);

  // A chip opens the unit's latest report on 审核; one without a report says so.
  chips = page.root.querySelectorAll('.chip');
  const sifaNow = chips.find((c) => c.dom?.textContent?.trim() === '市司法局');
  sifaNow?.dispatchEvent('tap');
  await until(() => wxState.navigations.length === 1, 'the drill-down');
  expect(lastNavigation()).toEqual({ path: '/office/pages/review/index', query: { reportId: approvedId } });
  chips.find((c) => c.dom?.textContent?.trim() === waiting)?.dispatchEvent('tap');
  await until(() => wxState.toasts.length === 1, 'the toast');
  expect(wxState.toasts[0]).toBe(`${waiting}第24项本轮还没有报送`);
});

test('per unit: directory order, never sorted by completion; late and never-reported units listed', async () => {
  const page = await open();
  const view = await api(t, ADMIN, 'overview.round', { roundId: round.id });
  await page.tap('.mode-unit');
  expect(page.data().mode).toBe('unit');
  const rows = texts(page, '.matrix-row');
  expect(rows.map((r) => r.split(/\d+ 项任务/)[0]?.trim())).toEqual(view.units.slice(0, PAGE_ROWS).map((u) => u.name));

  // 市司法局's tasks as chips by number.
  const sifaRow = rows.findIndex((r) => r.startsWith('市司法局'));
  await page.tap('.row-head', sifaRow);
  const sifa = view.units.find((u) => u.id === 'ssfj');
  expect(page.root.querySelectorAll('.chip')).toHaveLength([...(sifa?.cells ?? '')].filter((c) => c !== '-').length);
  expect(nodeCount(page)).toBeLessThan(1000);

  // Late units with their task numbers; units that reported nothing at all.
  expect(texts(page, '.overdue-row')).toHaveLength(view.overdue.length);
  expect(page.text()).toContain(`本轮尚未报送任何任务的单位（${view.neverSubmitted.length}）`);
  expect(page.textOf('.never-list')).not.toContain('市司法局');
  expect(page.textOf('.never-list')).toContain('市委编办');
  await page.tap('.overdue-urge');
  expect(wxState.navigations).toEqual([`/office/pages/urge/index?roundId=${encodeURIComponent(round.id)}`]);
});

test('switching rounds shows that round’s counts', async () => {
  const other = await api(t, ADMIN, 'round.create', { name: '年终回头看', dueDate: officeDayFromNow(30), scope: [44] });
  const page = await open();
  const names = page.data().roundNames as string[];
  expect(names).toHaveLength(2);
  const index = names.findIndex((n) => n.startsWith('年终回头看'));
  await page.change('.round-select', index);
  await until(() => (page.data().round as { id: string } | null)?.id === other.id, 'the other round');
  const view = await api(t, ADMIN, 'overview.round', { roundId: other.id });
  expect(stats(page)).toEqual({ 已通过: 0, 已报待审: 0, 退回: 0, 逾期: 0, 未报: view.totals.assigned });
  expect(texts(page, '.matrix-row')).toHaveLength(1);
  expect(page.text()).toContain('没有逾期的单位');
});
