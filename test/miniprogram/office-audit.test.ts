/**
 * @jest-environment jsdom
 *
 * 操作记录: newest first in plain words, 加载更多 pages back without
 * repeating or skipping, and the filters narrow the list.
 */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, officeDayFromNow, until } from '../helpers/miniprogram';
import { openOffice, texts } from './office-helpers';

const SECOND = 'o-office-audit-second';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

test('entries read as what happened; load more pages back; filters narrow the list', async () => {
  await api(t, ADMIN, 'admin.add', { openid: SECOND, name: '李科员' });
  await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
  // Enough entries for two pages: 25 people ask to bind.
  const units = await api(t, ADMIN, 'unit.list');
  for (let i = 0; i < 25; i += 1) {
    const unit = units[i % units.length];
    await api(t, `o-audit-person-${String(i).padStart(2, '0')}`, 'contact.bind', {
      unitId: unit?.id ?? '',
      name: `联络员${i}`,
      phone: '13800000000',
    });
  }
  await api(t, SECOND, 'round.create', { name: '年终回头看', dueDate: officeDayFromNow(40), scope: [44] });
  const all = await api(t, ADMIN, 'audit.list', { limit: 100 });

  const page = await openOffice(t, ADMIN, 'audit');
  const first = texts(page, '.audit-row');
  expect(first).toHaveLength(20);
  expect(first[0]).toContain('新建轮次');
  expect(first[0]).toContain('年终回头看');
  expect(first[0]).toContain('李科员');
  expect(first[1]).toContain('申请绑定');
  // No raw JSON and no phone number reaches the page.
  expect(page.text()).not.toContain('{');
  expect(page.text()).not.toContain('13800000000');

  await page.tap('.load-more');
  await until(() => texts(page, '.audit-row').length > 20, 'the next page');
  const more = texts(page, '.audit-row');
  expect(more).toHaveLength(Math.min(40, all.entries.length));
  // Neither repeated nor skipped: exactly the log's newest entries, in order.
  expect((page.data().rows as { id: string }[]).map((r) => r.id)).toEqual(all.entries.slice(0, more.length).map((e) => e.id));
  // Older setData only carried the new rows.
  expect(page.setDataSizes[page.setDataSizes.length - 1]).toBeLessThan(20_000);

  // Filter by the kind of operation.
  const roundsOnly = page.data().filterNames as string[];
  await page.change('.action-picker', roundsOnly.indexOf('新建轮次'));
  await until(() => texts(page, '.audit-row').length === 2, 'the filtered list');
  expect(texts(page, '.audit-row').every((r) => r.startsWith('新建轮次'))).toBe(true);
  expect(page.text()).toContain('已经到底了');

  // 只看我的: 李科员's round leaves the list.
  await page.tap('.mine-toggle');
  await until(() => texts(page, '.audit-row').length === 1, 'my entries only');
  expect(page.textOf('.audit-row')).toContain('第三季度报送');
  expect(page.textOf('.audit-row')).toContain('测试管理员');

  // Nothing matches: said so.
  await page.change('.action-picker', roundsOnly.indexOf('催办'));
  await until(() => page.textOf('.audit-empty') !== '', 'the empty state');
  expect(page.textOf('.audit-empty')).toBe('没有符合条件的操作记录。');
});
