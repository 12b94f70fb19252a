/** @jest-environment jsdom */
import { buildPlanDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { uploadPrefix, type RoundView } from '../../miniprogram/shared/api';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, officeDayFromNow, openPage, tempFile, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';

const OFFICE = 'o-contact-office-task';
const XIANGCHENG = 'o-contact-xc-task';
const SIFA = 'o-contact-sifa-task';
const TASK24 = 'plan-2021-t24';

const DOCS = buildPlanDocs(
  TABLE_2021,
  DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true })),
  DIRECTORY.groups,
);
/** Task 24: 市政府办公室 leads, every other department and every town cooperates. */
const COOPERATING_24 = DOCS.assignments.filter((a) => a.taskNo === 24 && a.role === 'cooperate');

let t: TestCloud;
let round: RoundView;

async function openTask(openid: string, taskId = TASK24): Promise<RenderedPage> {
  useCloud(t, openid);
  const page = await openPage('pages/task/index', { id: taskId });
  await until(() => page.data().phase !== 'loading', 'the task to load');
  expect(page.data().phase).toBe('ready');
  return page;
}

function submit(openid: string, assignmentId: string, text: string, requestId: string, links: { url: string; title?: string }[] = []) {
  return api(t, openid, 'report.submit', {
    assignmentId,
    roundId: round.id,
    text,
    progress: 'ongoing',
    images: [],
    files: [],
    links,
    secrecyConfirmed: true,
    requestId,
  });
}

describe('with a round open', () => {
  beforeAll(async () => {
    t = startTestCloud();
    await t.seed();
    await bindActive(t, OFFICE, '市政府办公室', '刘联络', '13800000003');
    await bindActive(t, XIANGCHENG, '香城镇', '陈联络', '13800000002');
    await bindActive(t, SIFA, '市司法局');
    round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
  });
  afterAll(() => t.close());

  test('a cooperating unit reads the requirement in full, who shares the task, the round and its deadline', async () => {
    const page = await openTask(XIANGCHENG);
    const task = TABLE_2021.tasks.find((x) => x.no === 24);
    expect(page.textOf('.task-requirement')).toBe(task?.requirement);
    const category = TABLE_2021.categories.find((c) => c.no === task?.category);
    const section = TABLE_2021.sections.find((x) => x.no === category?.section);
    expect(page.textOf('.task-path')).toBe(`${section?.title} · ${category?.title}`);
    expect(page.textOf('.task-title')).toBe('第 24 项');
    const lines = page.root.querySelectorAll('.unit-line').map((n) => (n.dom?.textContent ?? '').replace(/\s+/g, ' ').trim());
    expect(lines[0]).toBe('牵头单位（1）市政府办公室');
    expect(lines[1]).toBe(`配合单位（${COOPERATING_24.length}）${COOPERATING_24.map((a) => a.unitName).join('、')}`);
    expect(lines[1]).toContain('香城镇');
    expect(lines[1]).not.toContain('市政府办公室');
    expect(page.textOf('.round-cell')).toContain('第三季度报送');
    expect(page.textOf('.round-cell')).toContain('还剩 10 天');
    expect(page.textOf('.round-cell')).toContain('待报送');
    expect(page.text()).toContain('还没有报送过');
    // Only a lead unit sees the others' reports.
    expect(page.root.querySelector('.coop-title')).toBeUndefined();

    await page.tap('.btn-report');
    expect(wxState.navigations).toEqual([
      `/pages/report/index?assignmentId=${TASK24}-xiangcheng-zhen&roundId=${round.id}&taskId=${TASK24}`,
    ]);
  });

  test('the lead unit sees what each cooperating unit reported this round', async () => {
    await submit(XIANGCHENG, `${TASK24}-xiangcheng-zhen`, '香城镇已建立舆情收集反馈台账，每周汇总一次。', 'task-test-xc-0001');
    const page = await openTask(OFFICE);
    expect(page.textOf('.coop-title')).toBe(`配合单位报送情况 · 已报 1 家 / 共 ${COOPERATING_24.length} 家`);
    const rows = page.root.querySelectorAll('.coop-row').map((n) => (n.dom?.textContent ?? '').replace(/\s+/g, ' ').trim());
    expect(rows).toHaveLength(COOPERATING_24.length);
    const xc = rows.find((r) => r.startsWith('香城镇'));
    expect(xc).toContain('已报送');
    expect(xc).toContain('香城镇已建立舆情收集反馈台账，每周汇总一次。');
    expect(xc).toContain('第1版 · 推进中');
    expect(rows.find((r) => r.startsWith('市司法局'))).toContain('本轮尚未报送');
    expect(rows.find((r) => r.startsWith('市司法局'))).toContain('待报送');
  });

  test('the history lists every version newest first, with evidence; a link is copied on a tap', async () => {
    const assignmentId = `${TASK24}-${(await api(t, SIFA, 'me.get')).contact?.unitId}`;
    await submit(SIFA, assignmentId, '第一次报送：已梳理沟通机制。', 'task-test-sf-0001');
    await submit(SIFA, assignmentId, '第二次报送：机制文件已印发。', 'task-test-sf-0002', [
      { url: 'http://www.zoucheng.gov.cn/art/2021/9/1/art_1.html', title: '机制文件' },
    ]);
    const page = await openTask(SIFA);
    const versions = page.root.querySelectorAll('.version-title').map((n) => n.dom?.textContent?.trim());
    expect(versions).toEqual(['第2版 · 第三季度报送', '第1版 · 第三季度报送']);
    expect(page.textOf('.version')).toContain('第二次报送：机制文件已印发。');
    expect(page.textOf('.version')).toContain('待审核');
    expect(page.textOf('.evidence-counts')).toBe('链接 1');
    expect(page.textOf('.round-cell')).toContain('已报送');
    await page.tap('.evidence-row');
    expect(wxState.clipboard).toBe('http://www.zoucheng.gov.cn/art/2021/9/1/art_1.html');
  });
});

describe('without an open round for the task', () => {
  beforeEach(async () => {
    t = startTestCloud();
    await t.seed();
    await bindActive(t, XIANGCHENG, '香城镇', '陈联络', '13800000002');
  });
  afterEach(() => t.close());

  test('报送进展 is disabled and says why; tapping it explains instead of navigating', async () => {
    const page = await openTask(XIANGCHENG);
    expect(page.textOf('.bar-reason')).toBe('政务公开科还没有发布包含本任务的报送轮次，发布后即可报送。');
    expect(page.root.querySelector('.btn-report')?.dom?.className).toContain('btn-disabled');
    await page.tap('.btn-report');
    expect(wxState.navigations).toEqual([]);
    expect(wxState.toasts).toEqual(['政务公开科还没有发布包含本任务的报送轮次，发布后即可报送。']);
  });

  test('a round that does not ask about the task says so', async () => {
    await api(t, ADMIN, 'round.create', { name: '专项报送', dueDate: officeDayFromNow(5), scope: [1, 2] });
    const page = await openTask(XIANGCHENG);
    expect(page.textOf('.bar-reason')).toBe('「专项报送」不涉及本任务，无需报送。');
    expect(page.root.querySelector('.btn-report')?.dom?.className).toContain('btn-disabled');
  });

  test('a task the unit does not have is explained, not shown', async () => {
    useCloud(t, XIANGCHENG);
    // Task 5 names three departments only.
    const page = await openPage('pages/task/index', { id: 'plan-2021-t05' });
    await until(() => page.data().phase === 'error', 'the error state');
    expect(page.text()).toContain('本单位没有承担这项任务');
    expect(page.text()).toContain('重新加载');
  });
});

describe('opening a reported document (wx.cloud.downloadFile, judged by the storage rule as the reader)', () => {
  const PDF = Buffer.from('%PDF-1.4\n% 机制文件 正文\n%%EOF\n');
  let ruleDir: string | undefined;

  /** wx.cloud.uploadFile from the contact's phone, into their own upload folder, then a report naming the file. */
  async function reportWithDocument(openid: string, unitId: string): Promise<string> {
    useCloud(t, openid);
    const cloudPath = `${uploadPrefix(unitId, openid)}2021/r1/abc-机制文件.pdf`;
    const fileID = await new Promise<string>((resolve, reject) => {
      const wxCloud = (global as unknown as { wx: { cloud: { uploadFile(o: Record<string, unknown>): unknown } } }).wx.cloud;
      wxCloud.uploadFile({
        cloudPath,
        filePath: tempFile('机制文件.pdf', PDF),
        success: (r: { fileID: string }) => resolve(r.fileID),
        fail: (e: { errMsg: string }) => reject(new Error(e.errMsg)),
      });
    });
    const view = await api(t, openid, 'report.submit', {
      assignmentId: `${TASK24}-${unitId}`,
      roundId: round.id,
      text: '机制文件已印发，见附件。',
      progress: 'ongoing',
      images: [],
      files: [{ fileID, name: '机制文件.pdf', size: PDF.length }],
      links: [],
      secrecyConfirmed: true,
      requestId: `task-doc-${openid}`,
    });
    return view.report.evidence.files[0]?.fileID ?? '';
  }

  afterEach(() => {
    t.close();
    if (ruleDir) fs.rmSync(ruleDir, { recursive: true, force: true });
    ruleDir = undefined;
  });

  test('under the shipped rule (everyone signed in reads) the document opens in the reader with the submitted bytes', async () => {
    t = startTestCloud();
    await t.seed();
    const unitId = await bindActive(t, SIFA, '市司法局');
    round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
    const evidenceId = await reportWithDocument(SIFA, unitId);
    const page = await openTask(SIFA);
    await page.tap('.evidence-row');
    await until(() => wxState.documents.length === 1, 'the reader to open');
    // The reader gets the server's copy taken at submit, not the upload.
    expect(evidenceId).toMatch(/\/evidence\//);
    expect(wxState.cloudDownloads).toEqual([evidenceId]);
    expect(wxState.documents[0]?.bytes.equals(PDF)).toBe(true);
    expect(wxState.documents[0]?.fileType).toBe('pdf');
  });

  test('under a rule that lets a client read only its own files, the server’s evidence copy is refused and the page says it could not open it', async () => {
    ruleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-rule-'));
    const ruleFile = path.join(ruleDir, 'storage.rules.json');
    fs.writeFileSync(ruleFile, JSON.stringify({ read: 'resource.openid == auth.openid', write: 'resource.openid == auth.openid' }));
    t = startTestCloud({ storageRuleFile: ruleFile });
    await t.seed();
    const unitId = await bindActive(t, SIFA, '市司法局');
    round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
    await reportWithDocument(SIFA, unitId);
    const page = await openTask(SIFA);
    await page.tap('.evidence-row');
    await until(() => wxState.toasts.length > 0, 'the failure to show');
    expect(wxState.cloudDownloads).toHaveLength(1);
    expect(wxState.documents).toEqual([]);
    expect(wxState.toasts).toEqual(['文件下载失败，请检查网络后重试']);
  });
});
