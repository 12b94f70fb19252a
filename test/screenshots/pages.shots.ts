/**
 * @jest-environment jsdom
 *
 * `npm run screenshots`: each page of the contact journey rendered with
 * realistic seeded data (the 2021 table, a round, a few reports) through the
 * real cloud functions, written to docs/screenshots/*.png.
 */
import fs from 'fs';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { evidenceOf, picture } from '../helpers/journey';
import { api, bindActive, officeDayFromNow, openPage, tempFile, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';
import { xlsxOf } from '../helpers/ledger';
import { startPageServer, type PageServer } from '../helpers/page-server';
import { screenshot } from './render';

const SIFA = 'o-shot-sifa-contact';
const OFFICE_UNIT = 'o-shot-office-contact';
const XIANGCHENG = 'o-shot-xc-contact';
let t: TestCloud;
let pages: PageServer | undefined;
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
  await submit(
    SIFA,
    'plan-2021-t11-ssfj',
    '已在门户网站开设“互联网+执法”专栏，公开行政执法事项清单 12 类，公共法律服务信息每周更新。',
    'shot-req-0001',
  );
  await submit(SIFA, 'plan-2021-t25-ssfj', '已起草年度重大行政决策事项目录（征求意见稿），报市政府常务会议审议后公开。', 'shot-req-0002');
  await submit(XIANGCHENG, 'plan-2021-t24-xiangcheng-zhen', '已明确专人负责舆情收集，与市政务公开办建立每周会商机制。', 'shot-req-0003');
});
afterAll(async () => {
  await pages?.close();
  t.close();
});

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
    screenshot(await ready('pages/report/index', { assignmentId: 'plan-2021-t35-ssfj', roundId, taskId: 'plan-2021-t35' }), 'report', 2000),
  );
});

test('任务分解表', async () => {
  useCloud(t, SIFA);
  expectPng(screenshot(await ready('pages/plan/index', { year: '2021' }), 'plan', 2000));
});

describe('政务公开科 (the office subpackage)', () => {
  const OFFICER = 'o-shot-office-admin-2';
  let lateRoundId = '';
  let reviewId = '';

  /** Uploads as the contact's phone would (wx.cloud.uploadFile through the local cloud's bridge). */
  function put(openid: string, cloudPath: string, bytes: Buffer): Promise<string> {
    useCloud(t, openid);
    const wxCloud = (global as unknown as { wx: { cloud: { uploadFile(o: object): void } } }).wx.cloud;
    return new Promise((resolve, reject) =>
      wxCloud.uploadFile({
        cloudPath,
        filePath: tempFile('shot', bytes),
        success: (r: { fileID: string }) => resolve(r.fileID),
        fail: reject,
      }),
    );
  }

  beforeAll(async () => {
    await api(t, ADMIN, 'admin.add', { openid: OFFICER, name: '孙丽' });
    // Two people waiting for the office to approve their binding.
    const units = await api(t, ADMIN, 'unit.list');
    const idOf = (name: string) => units.find((u) => u.name === name)?.id ?? '';
    await api(t, 'o-shot-pending-1', 'contact.bind', { unitId: idOf('市民政局'), name: '赵德华', phone: '13905371234' });
    await api(t, 'o-shot-pending-2', 'contact.bind', { unitId: idOf('钢山街道'), name: '周敏', phone: '0537-5212345' });

    // A report with photos, a document and a link, awaiting review.
    // The portal's pages, served locally under its name (port 80 where it can be had, so the address reads as on a phone).
    pages = await startPageServer(80);
    pages.page('/xcz/zwgk/', '<title>香城镇政务公开专栏</title>');
    pages.page('/art/2021/9/1/art_2456.html', '<title>香城镇2021年第三季度主动公开信息目录</title>');
    const gov = t.cloud.allowOrigin(pages.origin, 'www.zoucheng.gov.cn');
    const prefix = `units/xiangcheng-zhen/${XIANGCHENG}/2021/shot/`;
    // Stored at the sizes the page shows (240 KB, 194 KB, 348 KB): the server checks them.
    const bytes = [picture(245_760 - picture().length), picture(198_656 - picture().length), Buffer.alloc(356_352, '%PDF-1.4 ')] as const;
    const [img1, img2, doc] = await Promise.all([
      put(XIANGCHENG, `${prefix}photo-1.jpg`, bytes[0]),
      put(XIANGCHENG, `${prefix}photo-2.jpg`, bytes[1]),
      put(XIANGCHENG, `${prefix}minutes.pdf`, bytes[2]),
    ]);
    const report = await api(t, XIANGCHENG, 'report.submit', {
      assignmentId: 'plan-2021-t22-xiangcheng-zhen',
      roundId,
      text: '镇政府门户网站政务公开专栏已按新版目录调整，本季度主动公开信息 46 条，其中政策解读 6 条、图解 2 条；依申请公开办理 3 件，均按期答复。',
      progress: 'ongoing',
      images: [evidenceOf(img1, '照片1.jpg', bytes[0]), evidenceOf(img2, '照片2.jpg', bytes[1])],
      files: [evidenceOf(doc, '香城镇第三季度政务公开工作小结.pdf', bytes[2])],
      links: [
        { url: `${gov}/xcz/zwgk/`, title: '香城镇政务公开专栏' },
        { url: `${gov}/art/2021/9/1/art_2456.html` },
        { url: `${gov}/xcz/old/notice.html` },
      ],
      secrecyConfirmed: true,
      requestId: 'shot-req-0101',
    });
    reviewId = report.report.id;
    // What the link check found: two pages open on the portal, one is gone.
    await t.cloud.runTrigger('linkcheck', 'check-new-links');
    // One approved, one returned with a note.
    const queue = await api(t, ADMIN, 'review.queue', {});
    const sifa11 = queue.items.find((i) => i.unitName === '市司法局' && i.taskNo === 11);
    const xc24 = queue.items.find((i) => i.unitName === '香城镇' && i.taskNo === 24);
    if (sifa11) await api(t, ADMIN, 'review.decide', { reportId: sifa11.reportId, decision: 'approve', note: '内容完整' });
    if (xc24)
      await api(t, ADMIN, 'review.decide', { reportId: xc24.reportId, decision: 'return', note: '请补充会商记录和门户网站公开链接' });

    // A past round with late units for 催办.
    const late = await api(t, ADMIN, 'round.create', {
      name: '第二季度报送',
      dueDate: officeDayFromNow(-5),
      scope: [11, 25, 35],
      overrides: { '35': officeDayFromNow(-3) },
    });
    lateRoundId = late.id;
    const done = await api(t, SIFA, 'report.submit', {
      assignmentId: 'plan-2021-t25-ssfj',
      roundId: late.id,
      text: '重大行政决策事项目录已公开。',
      progress: 'done',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: 'shot-req-0102',
    });
    await api(t, ADMIN, 'review.decide', { reportId: done.report.id, decision: 'approve' });
  });

  test('总览', async () => {
    useCloud(t, OFFICER);
    // The past round: late units in red, one approved; task 35's row open.
    const page = await ready('office/pages/overview/index', { roundId: lateRoundId });
    await until(() => page.data().round !== null, 'the overview statistics');
    const rows = page.root.querySelectorAll('.row-head');
    await page.tap(
      '.row-head',
      rows.findIndex((r) => (r.dom?.textContent ?? '').trim().startsWith('35.')),
    );
    expectPng(screenshot(page, 'office-overview', 2200));
  });

  test('审核', async () => {
    useCloud(t, OFFICER);
    expectPng(screenshot(await ready('office/pages/review/index', { reportId: reviewId }), 'office-review', 1900));
  });

  test('轮次管理', async () => {
    useCloud(t, OFFICER);
    const page = await ready('office/pages/rounds/index');
    expectPng(screenshot(page, 'office-rounds', 1000));
    await page.tap('.btn-new');
    await page.type('.input-name', '年终回头看');
    await page.change('.due-picker', '2021-12-31');
    await page.tap('.scope-some');
    await page.type('.task-search', '4');
    await page.tap('.task-option', 1);
    await page.tap('.task-option', 4);
    expectPng(screenshot(page, 'office-round-form', 2000));
  });

  test('联络员管理', async () => {
    useCloud(t, OFFICER);
    expectPng(screenshot(await ready('office/pages/contacts/index'), 'office-contacts', 2100));
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
    expectPng(screenshot(page, 'office-ledger', 2300));
  });

  test('催办', async () => {
    useCloud(t, OFFICER);
    const page = await ready('office/pages/urge/index', { roundId: lateRoundId });
    await until(() => !page.data().previewLoading, 'the 催办 preview');
    expectPng(screenshot(page, 'office-urge', 2600));
  });

  test('系统设置', async () => {
    useCloud(t, ADMIN);
    const page = await ready('office/pages/setup/index');
    await page.tap('.btn-check');
    await until(() => (page.data().checkItems as unknown[]).length > 0, 'the deployment check');
    expectPng(screenshot(page, 'office-setup', 2100));
  });
});
