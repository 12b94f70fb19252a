/**
 * @jest-environment jsdom
 *
 * `npm run screenshots`: each page rendered on the demo year (`npm start --
 * --demo`: the 2021 table, three rounds, reports in every state) through the
 * real cloud functions, on the demo's date, written to docs/screenshots/*.png.
 */
import fs from 'fs';
import type { TestCloud } from '../helpers/local-cloud';
import { api, openPage, tempFile, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';
import { xlsxOf } from '../helpers/ledger';
import { DEMO_OFFICE, demoContact, startDemoCloud } from './demo';
import { screenshot } from './render';

let t: TestCloud;
/** The demo's people: contacts of two units and the office's administrator. */
let SIFA = '';
let LEAD = '';
const OFFICER = DEMO_OFFICE;
/** The demo's rounds: this quarter's (due in three days) and the special check (overdue). */
let roundId = '';
let lateRoundId = '';

async function ready(page: string, query: Record<string, string> = {}): Promise<RenderedPage> {
  const p = await openPage(page, query);
  await until(() => p.data().phase !== 'loading', `${page} to load`);
  return p;
}

function expectPng(file: string): void {
  const png = fs.readFileSync(file);
  // A real PNG of a 375-pt-wide page at 2×.
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(750);
}

beforeAll(async () => {
  t = await startDemoCloud({ pageClock: true });
  const units = await api(t, OFFICER, 'unit.list');
  const contactOf = (name: string) => demoContact(units.find((u) => u.name === name)?.id ?? name);
  SIFA = contactOf('市司法局');
  LEAD = contactOf('市行政审批服务局');
  const rounds = await api(t, OFFICER, 'round.list', {});
  roundId = rounds.find((r) => r.name === '第三季度报送')?.id ?? '';
  lateRoundId = rounds.find((r) => r.name === '政策解读专项检查')?.id ?? '';
});
afterAll(() => {
  jest.useRealTimers();
  t.close();
  fs.rmSync(t.dir, { recursive: true, force: true });
});

test('绑定单位', async () => {
  useCloud(t, 'o-shot-newcomer');
  expectPng(await screenshot(await ready('pages/bind/index'), 'bind'));
});

test('首页 (本单位任务)', async () => {
  useCloud(t, SIFA);
  expectPng(await screenshot(await ready('pages/home/index'), 'home', 2200));
});

test('任务详情 with history', async () => {
  useCloud(t, SIFA);
  expectPng(await screenshot(await ready('pages/task/index', { id: 'plan-2021-t11' }), 'task', 1800));
});

test('任务详情 for a lead unit', async () => {
  useCloud(t, LEAD);
  expectPng(await screenshot(await ready('pages/task/index', { id: 'plan-2021-t09' }), 'task-lead', 2200));
});

test('提交进展', async () => {
  useCloud(t, SIFA);
  expectPng(
    await screenshot(
      await ready('pages/report/index', { assignmentId: 'plan-2021-t09-ssfj', roundId, taskId: 'plan-2021-t09' }),
      'report',
      2000,
    ),
  );
});

test('任务分解表', async () => {
  useCloud(t, SIFA);
  expectPng(await screenshot(await ready('pages/plan/index', { year: '2021' }), 'plan', 2000));
});

describe('政务公开科 (the office subpackage)', () => {
  let reviewId = '';

  beforeAll(async () => {
    // The report the office opens first: the oldest one waiting, with photos and a file where there is one.
    const queue = await api(t, OFFICER, 'review.queue', {});
    const details = await Promise.all(queue.items.map((i) => api(t, OFFICER, 'report.get', { reportId: i.reportId })));
    const withFile =
      details.find((d) => d.files.length > 0 && d.images.length > 1) ?? details.find((d) => d.files.length > 0) ?? details[0];
    reviewId = withFile?.report.id ?? '';
  });

  test('总览', async () => {
    useCloud(t, OFFICER);
    // This quarter, due in three days: reports in every state; task 12's row open.
    const page = await ready('office/pages/overview/index', { roundId });
    await until(() => page.data().round !== null, 'the overview statistics');
    const rows = page.root.querySelectorAll('.row-head');
    await page.tap(
      '.row-head',
      rows.findIndex((r) => (r.dom?.textContent ?? '').trim().startsWith('12.')),
    );
    expectPng(await screenshot(page, 'office-overview', 2200));
  });

  test('审核', async () => {
    useCloud(t, OFFICER);
    expectPng(await screenshot(await ready('office/pages/review/index', { reportId: reviewId }), 'office-review', 1900));
  });

  test('轮次管理', async () => {
    useCloud(t, OFFICER);
    const page = await ready('office/pages/rounds/index');
    expectPng(await screenshot(page, 'office-rounds', 1000));
    await page.tap('.btn-new');
    await page.type('.input-name', '年终回头看');
    await page.change('.due-picker', '2021-12-31');
    await page.tap('.scope-some');
    await page.type('.task-search', '4');
    await page.tap('.task-option', 1);
    await page.tap('.task-option', 4);
    expectPng(await screenshot(page, 'office-round-form', 2000));
  });

  test('联络员管理', async () => {
    useCloud(t, OFFICER);
    expectPng(await screenshot(await ready('office/pages/contacts/index'), 'office-contacts', 2100));
  });

  test('台账与导入', async () => {
    useCloud(t, OFFICER);
    const page = await ready('office/pages/ledger/index');
    await page.tap('.btn-export');
    await until(() => (page.data().files as unknown[]).length === 1, 'the export');
    // Next year's table with two mistakes, picked from a chat.
    const section = '一、深化重点领域信息公开';
    const category = '（一）立足实施重大战略推进政务公开';
    const table = await xlsxOf([
      ['邹城市2022年政务公开工作任务分解表'],
      ['大项', '小项', '序号', '任务要求', '责任单位'],
      [section, category, 1, '做好各类规划主动公开。', '市发改局牵头，市政府各部门、各镇街配合'],
      [section, category, 2, '', '市政府各部门、各镇街'],
      [section, category, 3, '围绕构建新发展格局，做好重点项目建设信息公开。', '市政府各部门、各镇街'],
    ]);
    wxState.messageFiles.push([{ path: tempFile('2022任务分解表.xlsx', table), name: '2022年政务公开工作任务分解表.xlsx' }]);
    await page.tap('.btn-pick');
    await until(() => page.data().importStep === 'checked', 'the check');
    expectPng(await screenshot(page, 'office-ledger', 2300));
  });

  test('催办', async () => {
    useCloud(t, OFFICER);
    const page = await ready('office/pages/urge/index', { roundId: lateRoundId });
    await until(() => !page.data().previewLoading, 'the 催办 preview');
    expectPng(await screenshot(page, 'office-urge', 2600));
  });

  test('系统设置', async () => {
    useCloud(t, OFFICER);
    const page = await ready('office/pages/setup/index');
    await page.tap('.btn-check');
    await until(() => (page.data().checkItems as unknown[]).length > 0, 'the deployment check');
    expectPng(await screenshot(page, 'office-setup', 2100));
  });
});
