/**
 * @jest-environment jsdom
 *
 * `npm run screenshots`: each page of the contact journey rendered with
 * realistic seeded data (the 2021 table, a round, a few reports) through the
 * real cloud functions, written to docs/screenshots/*.png.
 */
import fs from 'fs';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, officeDayFromNow, openPage, until, useCloud, type RenderedPage } from '../helpers/miniprogram';
import { screenshot } from './render';

const SIFA = 'o-shot-sifa-contact';
const OFFICE_UNIT = 'o-shot-office-contact';
const XIANGCHENG = 'o-shot-xc-contact';
let t: TestCloud;
let roundId = '';

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
  t = startTestCloud();
  await t.seed();
  await bindActive(t, SIFA, '市司法局', '王晓明', '13800000001');
  await bindActive(t, OFFICE_UNIT, '市政府办公室', '刘敏', '13800000003');
  await bindActive(t, XIANGCHENG, '香城镇', '陈静', '13800000002');
  const round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(6), scope: 'all' });
  roundId = round.id;
  const submit = (openid: string, assignmentId: string, text: string, requestId: string) =>
    api(t, openid, 'report.submit', {
      assignmentId,
      roundId: round.id,
      text,
      progress: 'ongoing',
      images: [],
      files: [],
      links: [{ url: 'http://www.zoucheng.gov.cn/zwgk/', title: '政府信息公开专栏' }],
      secrecyConfirmed: true,
      requestId,
    });
  await submit(SIFA, 'plan-2021-t11-ssfj', '已在门户网站开设“互联网+执法”专栏，公开行政执法事项清单 12 类，公共法律服务信息每周更新。', 'shot-req-0001');
  await submit(SIFA, 'plan-2021-t25-ssfj', '已起草年度重大行政决策事项目录（征求意见稿），报市政府常务会议审议后公开。', 'shot-req-0002');
  await submit(XIANGCHENG, 'plan-2021-t24-xiangcheng-zhen', '已明确专人负责舆情收集，与市政务公开办建立每周会商机制。', 'shot-req-0003');
});
afterAll(() => t.close());

test('绑定单位', async () => {
  useCloud(t, 'o-shot-newcomer');
  expectPng(screenshot(await ready('pages/bind/index'), 'bind'));
});

test('首页 (本单位任务)', async () => {
  useCloud(t, SIFA);
  expectPng(screenshot(await ready('pages/home/index'), 'home', 2200));
});

test('任务详情 with history', async () => {
  useCloud(t, SIFA);
  expectPng(screenshot(await ready('pages/task/index', { id: 'plan-2021-t11' }), 'task', 1800));
});

test('任务详情 for a lead unit', async () => {
  useCloud(t, OFFICE_UNIT);
  expectPng(screenshot(await ready('pages/task/index', { id: 'plan-2021-t24' }), 'task-lead', 2200));
});

test('提交进展', async () => {
  useCloud(t, SIFA);
  expectPng(
    screenshot(
      await ready('pages/report/index', { assignmentId: 'plan-2021-t35-ssfj', roundId, taskId: 'plan-2021-t35' }),
      'report',
      2000,
    ),
  );
});

test('任务分解表', async () => {
  useCloud(t, SIFA);
  expectPng(screenshot(await ready('pages/plan/index', { year: '2021' }), 'plan', 2000));
});
