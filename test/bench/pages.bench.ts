/**
 * @jest-environment jsdom
 *
 * Part of `npm run bench` (not of `npm test`): the largest setData payload
 * of the home page for a unit assigned every task of the table, and of the
 * office's round overview at 2021 scale, measured on the real pages against
 * the real functions. Figures go to $BENCH_OUT as
 * JSON lines; scripts/bench.ts prints them with the rest.
 */
import fs from 'fs';
import { db } from '../../cloudfunctions/common/cloud';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, officeDayFromNow, openPage, until, useCloud } from '../helpers/miniprogram';
import { openOffice } from '../miniprogram/office-helpers';

const CONTACT = 'o-bench-home-contact';
let t: TestCloud;

function emit(figure: Record<string, unknown>): void {
  const out = process.env.BENCH_OUT;
  if (out) fs.appendFileSync(out, `${JSON.stringify(figure)}\n`);
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await bindActive(t, CONTACT, '市政府办公室', '刘敏', '13800000003');
  // Give 市政府办公室 every task it does not already have, so the page shows all 44.
  const plan = await api(t, ADMIN, 'plan.get', { year: 2021 });
  const mine = new Set(t.cloud.db.find('assignments', { unitId: 'szfbgs' }).map((a) => a.taskNo as number));
  const missing = plan.tasks.filter((task) => !mine.has(task.no));
  await db.collection('assignments').add({
    data: missing.map((task) => ({
      _id: `${task.id}-szfbgs`,
      planId: plan.id,
      taskId: task.id,
      taskNo: task.no,
      unitId: 'szfbgs',
      unitName: '市政府办公室',
      role: 'cooperate',
      via: 'bench',
    })),
  });
  await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(6), scope: 'all' });
});
afterAll(() => t.close());

test('home page setData payloads for a unit with all 44 tasks', async () => {
  useCloud(t, CONTACT);
  const page = await openPage('pages/home/index');
  await until(() => page.data().phase === 'ready', 'home to load');
  expect(page.text()).toContain('本单位 44 项任务');
  const largest = Math.max(...page.setDataSizes);
  emit({ name: 'home.set_data.largest', value: Math.round((largest / 1024) * 100) / 100, unit: 'KiB', budget: 32 });
  emit({ name: 'home.set_data.calls', value: page.setDataSizes.length, unit: 'calls' });
  expect(largest).toBeGreaterThan(1000);
});

test('office overview setData payloads at 2021 scale', async () => {
  const page = await openOffice(t, ADMIN, 'overview');
  await until(() => page.data().round !== null, 'the round statistics');
  const largest = Math.max(...page.setDataSizes);
  emit({ name: 'office_overview.set_data.largest', value: Math.round((largest / 1024) * 100) / 100, unit: 'KiB', budget: 32 });
  expect(largest).toBeGreaterThan(500);
});
