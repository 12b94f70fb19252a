/** @jest-environment jsdom */
import { REPORT_LIMITS, type RoundView } from '../../miniprogram/shared/api';
import { ADMIN, LONG_TERM_TEMPLATES, TEMPLATES, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, officeDayFromNow, openPage, tempFile, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';

const SIFA = 'o-contact-sifa-report';
const XIANGCHENG = 'o-contact-xc-report';
/** Task 24: 市政府办公室 leads, 市司法局 and 香城镇 cooperate. */
const TASK = 'plan-2021-t24';

let t: TestCloud;
let round: RoundView;
let sifaUnit: string;

beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  sifaUnit = await bindActive(t, SIFA, '市司法局');
  await bindActive(t, XIANGCHENG, '香城镇', '陈联络', '13800000002');
  round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
  wxState.storage.clear();
});
afterEach(() => t.close());

const query = () => ({ assignmentId: `${TASK}-${sifaUnit}`, roundId: round.id, taskId: TASK });
const draftKey = () => `report-draft:${TASK}-${sifaUnit}:${round.id}`;

async function openReport(openid = SIFA, q: Record<string, string> = query()): Promise<RenderedPage> {
  if (wxState.openid !== openid || wxState.cloud !== t) useCloud(t, openid);
  const page = await openPage('pages/report/index', q);
  await until(() => page.data().phase !== 'loading', 'the report form to load');
  return page;
}

type Item = { state: string; fileID: string; name: string; progress: number };
const items = (page: RenderedPage, kind: 'images' | 'files') => page.data()[kind] as Item[];
const allDone = (page: RenderedPage) => [...items(page, 'images'), ...items(page, 'files')].every((i) => i.state === 'done');

async function fillRequired(page: RenderedPage, text = '已完成沟通联动机制梳理，舆情台账每周更新。') {
  await page.type('.report-text', text);
  await page.tap('.radio-ongoing');
  await page.tap('.secrecy');
}

async function submitAndWait(page: RenderedPage) {
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'done' || !page.data().submitting, 'the submit to finish');
}

test('the whole journey: open the task, report with two photos, a chat file and a link, then see the version in the history', async () => {
  useCloud(t, SIFA);
  const task = await openPage('pages/task/index', { id: TASK });
  await until(() => task.data().phase === 'ready', 'the task');
  await task.tap('.btn-report');
  const url = wxState.navigations[0] ?? '';
  const q = Object.fromEntries(new URLSearchParams(url.split('?')[1]));
  expect(q).toEqual(query());

  const page = await openReport(SIFA, q);
  expect(page.data().phase).toBe('form');
  expect(page.textOf('.report-head')).toContain('第 24 项 · 第三季度报送');
  expect(page.textOf('.report-head')).toContain('还剩 10 天');

  await page.type('.report-text', '已建立与宣传、网信、信访部门的协调联动机制。');
  expect(page.textOf('.counter')).toBe('22/2000');
  await page.tap('.radio-done');
  expect(page.root.querySelector('.radio-done .check')).toBeDefined();

  // A slow uplink: each photo starts uploading as soon as it is chosen, and its tile shows how far it got.
  wxState.uploadHold = () => true;
  wxState.media.push([tempFile('a.jpg', 40_000), tempFile('b.jpg', 30_000)]);
  await page.tap('.add-images');
  expect(wxState.pickerCalls[0]).toMatchObject({
    api: 'chooseMedia',
    options: { count: 9, mediaType: ['image'], sizeType: ['compressed'] },
  });
  await until(() => /^\d{2}%$/.test(page.textOf('.image-item .tile-mask')), 'a percentage on a tile');
  expect(page.root.querySelector('.btn-submit')?.dom?.className).toContain('btn-disabled');
  await until(() => page.textOf('.bar-reason') === '还有 2 个文件正在上传，完成后即可提交', 'both photos under way');
  wxState.uploadHold = () => false;
  await until(() => items(page, 'images').every((i) => i.state === 'done'), 'the photo uploads');
  expect(page.root.querySelectorAll('.image-item .tile-mask')).toHaveLength(0);

  const docx = tempFile('summary.docx', 12_000);
  wxState.uploadHold = () => true;
  wxState.messageFiles.push([{ path: docx, name: '2021年沟通联动机制.docx' }]);
  await page.tap('.add-files');
  expect(wxState.pickerCalls[1]).toMatchObject({
    api: 'chooseMessageFile',
    options: { count: 5, type: 'file', extension: [...REPORT_LIMITS.fileExtensions] },
  });
  await until(() => /上传中 \d{2}%/.test(page.textOf('.file-item')), 'the file row to show its progress');
  expect(page.root.querySelector('.file-item .bar-fill')).toBeDefined();
  wxState.uploadHold = () => false;
  await until(() => items(page, 'files').length === 1 && allDone(page), 'the file upload');
  expect(page.textOf('.file-item')).toContain('2021年沟通联动机制.docx');
  expect(page.textOf('.file-item')).toContain('已上传');

  // Progress was reported along the way, and every upload reached 100 %.
  expect(wxState.uploads).toHaveLength(3);
  for (const u of wxState.uploads) {
    expect(u.ok).toBe(true);
    expect(u.progress.some((p) => p > 0 && p < 100)).toBe(true);
    expect(u.progress[u.progress.length - 1]).toBe(100);
  }

  await page.tap('.add-link');
  await page.type('.link-url', 'http://www.zoucheng.gov.cn/art/2021/9/1/art_3396.html');
  await page.type('.link-title', '协调联动机制');
  expect(page.root.querySelector('.btn-submit')?.dom?.className).not.toContain('btn-disabled');
  await page.tap('.secrecy');
  await submitAndWait(page);
  expect(page.data().phase).toBe('done');
  expect(page.text()).toContain('提交成功');
  expect(page.text()).toContain('第1版已提交，等待政务公开科审核。');
  expect(wxState.storage.has(draftKey())).toBe(false);

  // The bytes are in storage under the contact's own folder of the unit, in ASCII-only paths.
  const stored = t.cloud.storage.list({ prefix: `units/${sifaUnit}/` });
  expect(stored).toHaveLength(3);
  for (const f of stored) {
    expect(f.cloudPath).toMatch(new RegExp(`^units/${sifaUnit}/${SIFA}/\\d{4}/${round.id}/[a-z0-9]{10}-[A-Za-z0-9._-]+$`));
  }
  expect(stored.map((f) => f.size).sort((a, b) => a - b)).toEqual([12_000, 30_000, 40_000]);
  expect(stored.some((f) => f.cloudPath.endsWith('-2021.docx'))).toBe(true);

  // The task's history shows the new version with its evidence; the original file name is kept.
  const detail = await openPage('pages/task/index', { id: TASK });
  await until(() => detail.data().phase === 'ready', 'the task again');
  expect(detail.textOf('.version-title')).toBe('第1版 · 第三季度报送');
  expect(detail.textOf('.version')).toContain('已建立与宣传、网信、信访部门的协调联动机制。');
  expect(detail.textOf('.version')).toContain('已完成');
  expect(detail.textOf('.evidence-counts')).toBe('图片 2 · 文件 1 · 链接 1');
  expect(detail.root.querySelectorAll('.thumb')).toHaveLength(2);
  expect(detail.text()).toContain('2021年沟通联动机制.docx');
  expect(detail.text()).toContain('协调联动机制');
});

test('after success, 订阅截止提醒 asks for the configured templates and records what was accepted, then goes back', async () => {
  const page = await openReport();
  await fillRequired(page);
  await submitAndWait(page);
  expect(page.data().phase).toBe('done');
  wxState.subscribeAnswer = { [TEMPLATES.deadline]: 'accept', [TEMPLATES.returned]: 'accept', [TEMPLATES.urge]: 'reject' };
  await page.tap('.btn-subscribe');
  await until(() => wxState.backs === 1, 'going back to the task');
  expect(wxState.subscribeRequests).toEqual([[TEMPLATES.deadline, TEMPLATES.returned, TEMPLATES.urge]]);
  expect(wxState.toasts).toContain('已订阅截止提醒');
  // The server counted the two accepted templates for this person.
  const { quota } = await api(t, SIFA, 'subscription.record', { results: { [TEMPLATES.urge]: 'reject' } });
  expect(quota[TEMPLATES.deadline]).toBe(1);
  expect(quota[TEMPLATES.returned]).toBe(1);
  expect(quota[TEMPLATES.urge] ?? 0).toBe(0);
});

test('long-term and one-time templates are asked for in separate calls, one tap each, long-term first', async () => {
  // This account's deadline and 催办 templates are long-term (政务民生); 退回 stays one-time.
  t.close();
  t = startTestCloud({ env: { SUBSCRIBE_TEMPLATES: JSON.stringify(LONG_TERM_TEMPLATES) } });
  await t.seed();
  sifaUnit = await bindActive(t, SIFA, '市司法局');
  round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });

  const page = await openReport();
  await fillRequired(page);
  await submitAndWait(page);
  expect(page.textOf('.btn-subscribe')).toBe('开启长期提醒');
  expect(page.textOf('.subscribe-tip')).toContain('长期有效');
  wxState.subscribeAnswer = { 'tmpl-deadline-long': 'accept', 'tmpl-urge-long': 'accept', [TEMPLATES.returned]: 'accept' };
  await page.tap('.btn-subscribe');
  await until(() => wxState.subscribeRequests.length === 1 && !(page.data().subscribe as { asking: boolean }).asking, 'the first answer');
  expect(wxState.subscribeRequests).toEqual([['tmpl-deadline-long', 'tmpl-urge-long']]);
  // The one-time template needs a second tap (and so a second call); the page stays.
  expect(wxState.backs).toBe(0);
  expect(page.textOf('.subscribe-result')).toContain('再点一次');
  expect(page.textOf('.btn-subscribe')).toBe('订阅其余提醒');
  await page.tap('.btn-subscribe');
  await until(() => wxState.backs === 1, 'going back to the task');
  expect(wxState.subscribeRequests).toEqual([['tmpl-deadline-long', 'tmpl-urge-long'], [TEMPLATES.returned]]);
  expect(wxState.toasts).toContain('已订阅截止提醒');
  // The server holds both long-term templates and one 退回 message; the next report asks only for the one-time one.
  expect(await api(t, SIFA, 'me.get')).toMatchObject({ longTermHeld: ['tmpl-deadline-long', 'tmpl-urge-long'] });
  const { quota } = await api(t, SIFA, 'subscription.record', { results: { [TEMPLATES.returned]: 'reject' } });
  expect(quota).toEqual({ [TEMPLATES.returned]: 1 });

  // The next report: the long-term reminders are on, only the one-time template is offered.
  const next = await openReport();
  await fillRequired(next, '补充：舆情台账已更新到第三季度。');
  await submitAndWait(next);
  expect(next.textOf('.subscribe-result')).toContain('您已开启长期提醒');
  expect(next.textOf('.btn-subscribe')).toBe('订阅其余提醒');
  await next.tap('.btn-subscribe');
  await until(() => wxState.backs === 2, 'going back again');
  expect(wxState.subscribeRequests.at(-1)).toEqual([TEMPLATES.returned]);
});

test('subscriptions switched off: the page says how to turn them on and keeps the button', async () => {
  const page = await openReport();
  await fillRequired(page);
  await submitAndWait(page);
  wxState.subscribeAnswer = 'fail';
  await page.tap('.btn-subscribe');
  await until(() => page.textOf('.subscribe-result') !== '', 'the explanation');
  expect(page.textOf('.subscribe-result')).toContain('您已关闭订阅消息');
  expect(page.root.querySelector('.btn-subscribe')).toBeDefined();
  expect(wxState.backs).toBe(0);
});

test('a half-written report survives closing the app and is cleared once submitted', async () => {
  const page = await openReport();
  await page.type('.report-text', '草稿：正在整理各部门联络人名单');
  await page.tap('.radio-done');
  wxState.media.push([tempFile('draft.jpg', 8_000)]);
  await page.tap('.add-images');
  await until(() => allDone(page) && items(page, 'images').length === 1, 'the photo upload');
  await page.tap('.add-link');
  await page.type('.link-url', 'https://www.zoucheng.gov.cn/zwgk/');
  // Saved while typing (debounced), without any explicit save.
  await until(
    () => (wxState.storage.get(draftKey()) as { links?: unknown[] } | undefined)?.links?.length === 1,
    'the draft to be saved',
    3000,
  );
  const fileID = items(page, 'images')[0]?.fileID;

  // The app is closed; later the person opens the form again.
  const again = await openReport();
  expect(again.textOf('.draft-notice')).toContain('已恢复上次未提交的内容');
  expect(again.data().textValue).toBe('草稿：正在整理各部门联络人名单');
  expect(again.textOf('.counter')).toBe('15/2000');
  expect(again.root.querySelector('.radio-done .check')).toBeDefined();
  expect(items(again, 'images').map((i) => [i.state, i.fileID])).toEqual([['done', fileID]]);
  expect((again.data().links as { url: string }[]).map((l) => l.url)).toEqual(['https://www.zoucheng.gov.cn/zwgk/']);
  // The secrecy confirmation is given for what is sent, each time.
  expect(again.root.querySelector('.agree-box-on')).toBeUndefined();

  await again.tap('.secrecy');
  await submitAndWait(again);
  expect(again.data().phase).toBe('done');
  expect(wxState.storage.has(draftKey())).toBe(false);
  const fresh = await openReport();
  expect(fresh.root.querySelector('.draft-notice')).toBeUndefined();
  expect(fresh.data().textValue).toBe('');
});

test('a failed upload shows 重试 on that file only; submit waits for it; retrying finishes it', async () => {
  const page = await openReport();
  await fillRequired(page);
  // The storage service drops the first upload it receives.
  t.cloud.storage.failNext('uploadFile');
  wxState.media.push([tempFile('one.jpg', 5_000), tempFile('two.jpg', 5_000)]);
  await page.tap('.add-images');
  await until(
    () => items(page, 'images').length === 2 && items(page, 'images').every((i) => i.state === 'done' || i.state === 'failed'),
    'both uploads to end',
  );
  const states = items(page, 'images')
    .map((i) => i.state)
    .sort();
  expect(states).toEqual(['done', 'failed']);
  const kept = items(page, 'images').find((i) => i.state === 'done')?.fileID;
  expect(page.textOf('.image-item.state-failed')).toContain('上传失败 重试');
  expect(page.textOf('.bar-reason')).toBe('有 1 个文件上传失败，请点「重试」或删除');
  expect(page.root.querySelector('.btn-submit')?.dom?.className).toContain('btn-disabled');
  await page.tap('.btn-submit');
  expect(page.textOf('.error-form')).toBe('有 1 个文件上传失败，请点「重试」或删除后再提交');
  expect(page.data().phase).toBe('form');

  // A chat file that fails on the phone's side shows its own 重试.
  wxState.failUploads = 1;
  wxState.messageFiles.push([{ path: tempFile('plan.pdf', 3_000), name: '工作方案.pdf' }]);
  await page.tap('.add-files');
  await until(() => items(page, 'files')[0]?.state === 'failed', 'the file upload to fail');
  expect(page.textOf('.file-item')).toContain('上传失败');

  await page.tap('.image-item .retry');
  await page.tap('.file-item .retry');
  await until(() => allDone(page), 'the retried uploads');
  expect(items(page, 'images').map((i) => i.fileID)).toContain(kept);
  expect(page.root.querySelector('.btn-submit')?.dom?.className).not.toContain('btn-disabled');
  await submitAndWait(page);
  expect(page.data().phase).toBe('done');
  const history = (await api(t, SIFA, 'task.detail', { taskId: TASK })).history;
  expect(history[0]?.evidence.images).toHaveLength(2);
  expect(history[0]?.evidence.files.map((f) => f.name)).toEqual(['工作方案.pdf']);
});

test('removing a photo while it uploads drops it; the others stay', async () => {
  const page = await openReport();
  // drop.jpg stays under way until it is removed; keep.jpg goes through.
  wxState.uploadHold = (file) => file.endsWith('drop.jpg');
  wxState.media.push([tempFile('keep.jpg', 4_000), tempFile('drop.jpg', 200_000)]);
  await page.tap('.add-images');
  await until(() => items(page, 'images').length === 2 && items(page, 'images')[0]?.state === 'done', 'the tiles');
  expect(items(page, 'images')[1]?.state).not.toBe('done');
  await page.tap('.image-item .remove', 1);
  expect(items(page, 'images')).toHaveLength(1);
  await until(() => allDone(page), 'the remaining upload');
  expect(items(page, 'images')[0]?.name).toBe('照片1.jpg');
  await fillRequired(page);
  await submitAndWait(page);
  const [latest] = (await api(t, SIFA, 'task.detail', { taskId: TASK })).history;
  expect(latest?.evidence.images.map((i) => i.name)).toEqual(['照片1.jpg']);
});

test('a retried submit after a lost answer records one report, even after the app was closed in between', async () => {
  const page = await openReport();
  await fillRequired(page, '联动机制已运行。');
  const requestIds: string[] = [];
  const invoke = t.cloud.invoke.bind(t.cloud);
  let loseAnswer = true;
  t.cloud.invoke = async (name, event, who) => {
    const e = event as { action?: string; data?: { requestId?: string } };
    if (e.action !== 'report.submit') return invoke(name, event, who);
    requestIds.push(e.data?.requestId ?? '');
    const result = await invoke(name, event, who);
    if (loseAnswer) {
      loseAnswer = false;
      // The server did its work; the answer never reached the phone.
      throw new Error('connection reset');
    }
    return result;
  };
  await submitAndWait(page);
  expect(page.data().phase).toBe('form');
  expect(page.textOf('.error-form')).toBe('网络不给力，请检查网络后重试');

  // Closed and reopened: the draft brings the same request id back.
  const again = await openReport();
  expect(again.data().textValue).toBe('联动机制已运行。');
  await again.tap('.secrecy');
  await submitAndWait(again);
  expect(again.data().phase).toBe('done');
  expect(again.text()).toContain('第1版此前已提交成功，没有重复提交。');
  expect(requestIds).toHaveLength(2);
  expect(requestIds[1]).toBe(requestIds[0]);
  expect((await api(t, SIFA, 'task.detail', { taskId: TASK })).history).toHaveLength(1);
});

test('changing the text after a failed attempt makes the next submit a new attempt', async () => {
  const page = await openReport();
  await fillRequired(page, '第一稿');
  const requestIds: string[] = [];
  const invoke = t.cloud.invoke.bind(t.cloud);
  let offline = true;
  t.cloud.invoke = async (name, event, who) => {
    const e = event as { action?: string; data?: { requestId?: string } };
    if (e.action === 'report.submit') {
      requestIds.push(e.data?.requestId ?? '');
      if (offline) {
        offline = false;
        throw new Error('offline');
      }
    }
    return invoke(name, event, who);
  };
  await submitAndWait(page);
  expect(page.textOf('.error-form')).toBe('网络不给力，请检查网络后重试');
  await page.type('.report-text', '第二稿：补充了下一步安排');
  await submitAndWait(page);
  expect(page.data().phase).toBe('done');
  expect(requestIds[1]).not.toBe(requestIds[0]);
  const history = (await api(t, SIFA, 'task.detail', { taskId: TASK })).history;
  expect(history.map((h) => h.text)).toEqual(['第二稿：补充了下一步安排']);
});

test('every invalid field shows its own error, and nothing is sent', async () => {
  const page = await openReport();
  const sent: string[] = [];
  const invoke = t.cloud.invoke.bind(t.cloud);
  t.cloud.invoke = (name, event, who) => {
    sent.push(String((event as { action?: string }).action));
    return invoke(name, event, who);
  };
  await page.tap('.add-link');
  await page.tap('.add-link');
  await page.type('.link-url', 'ftp://files.example.cn/x', 0);
  await page.type('.link-url', 'www.zoucheng.gov.cn', 1);
  await page.tap('.remove-link', 0);
  expect(page.root.querySelectorAll('.link-item')).toHaveLength(1);
  await page.tap('.btn-submit');
  expect(page.textOf('.error-text')).toBe('请填写工作进展');
  expect(page.textOf('.error-progress')).toBe('请选择推进中或已完成');
  expect(page.textOf('.error-link')).toContain('链接应以 http:// 或 https:// 开头');
  expect(page.textOf('.error-links')).toBe('有链接格式不正确');
  expect(page.textOf('.error-secrecy')).toBe('请确认已完成保密审查');
  expect(page.text()).toContain('已按规定完成保密审查，不含国家秘密、个人隐私等敏感信息');
  expect(sent).toEqual([]);

  // Fixing a field clears its own error only.
  await page.type('.report-text', '   ');
  expect(page.textOf('.error-text')).toBe('');
  await page.type('.link-url', 'http://www.zoucheng.gov.cn');
  expect(page.textOf('.error-link')).toBe('');
  expect(page.textOf('.error-secrecy')).toBe('请确认已完成保密审查');
  await page.tap('.btn-submit');
  // Spaces only is still empty.
  expect(page.textOf('.error-text')).toBe('请填写工作进展');
});

test('photos and files the server would refuse (type, over 20 MB) are left out at once, saying why; the rest upload', async () => {
  const page = await openReport();
  wxState.media.push([tempFile('scan.bmp', 2_000), tempFile('ok.jpg', 3_000), tempFile('huge.jpg', REPORT_LIMITS.fileBytes + 1)]);
  await page.tap('.add-images');
  await until(() => items(page, 'images').length === 1 && allDone(page), 'the one acceptable photo to upload');
  expect(page.textOf('.error-images')).toBe(
    `不支持的文件未添加：照片（bmp）。可上传 ${REPORT_LIMITS.imageExtensions.join('、')}；超过 20 MB 的文件未添加：照片（jpg），请压缩后再选`,
  );
  wxState.messageFiles.push([
    { path: tempFile('big.pdf', REPORT_LIMITS.fileBytes + 1), name: '全年台账扫描件.pdf' },
    { path: tempFile('setup.exe', 1_000), name: '安装包.exe' },
  ]);
  await page.tap('.add-files');
  await until(() => page.textOf('.error-files') !== '', 'the files message');
  expect(items(page, 'files')).toEqual([]);
  expect(page.textOf('.error-files')).toContain('不支持的文件未添加：安装包.exe');
  expect(page.textOf('.error-files')).toContain('超过 20 MB 的文件未添加：全年台账扫描件.pdf');
  // Only the acceptable photo went to storage.
  expect(wxState.uploads).toHaveLength(1);
});

test('a refusal from the server is shown next to the field it names (a forged photo in the draft)', async () => {
  const forged = `cloud://${t.cloud.envId}.${t.cloud.storage.bucket}/units/xiangcheng-zhen/2021/x/abc-photo.jpg`;
  wxState.storage.set(draftKey(), {
    text: '引用了别的单位的照片',
    progress: 'ongoing',
    images: [{ fileID: forged, name: '照片1.jpg', size: 100 }],
    files: [],
    links: [],
    requestId: '',
    savedAt: Date.now(),
  });
  const page = await openReport();
  expect(items(page, 'images')).toHaveLength(1);
  await page.tap('.secrecy');
  await submitAndWait(page);
  expect(page.data().phase).toBe('form');
  expect(page.textOf('.error-images')).toBe('附件不是本单位上传的，请重新上传');
  expect(page.textOf('.error-form')).toBe('');
});

test('a round closed while the form was open: the page says so in plain words', async () => {
  const page = await openReport();
  await fillRequired(page);
  await api(t, ADMIN, 'round.close', { id: round.id });
  await submitAndWait(page);
  expect(page.data().phase).toBe('form');
  expect(page.text()).toContain('「第三季度报送」已结束报送，如需补报请联系政务公开科');
});

test('引用上次报送 fills the form from the last version, re-using its files, after asking before replacing', async () => {
  const first = await openReport();
  await first.type('.report-text', '上一轮：已印发沟通联动机制文件。');
  await first.tap('.radio-done');
  wxState.messageFiles.push([{ path: tempFile('doc.pdf', 2_000), name: '联动机制.pdf' }]);
  await first.tap('.add-files');
  await until(() => allDone(first) && items(first, 'files').length === 1, 'the file upload');
  await first.tap('.add-link');
  await first.type('.link-url', 'http://www.zoucheng.gov.cn/a.html');
  await first.tap('.secrecy');
  await submitAndWait(first);
  expect(first.data().phase).toBe('done');
  const fileID = items(first, 'files')[0]?.fileID;

  const page = await openReport();
  await page.type('.report-text', '刚写的几个字');
  wxState.modalConfirm = true;
  await page.tap('.quote-btn');
  await until(() => page.data().textValue === '上一轮：已印发沟通联动机制文件。', 'the quoted text');
  expect(wxState.modals).toEqual(['将用上次报送的内容替换当前填写的内容，是否继续？']);
  expect(page.root.querySelector('.radio-done .check')).toBeDefined();
  // The quoted file is the copy the server took at submit, not the upload (which the contact could still change).
  const copy = (t.cloud.db.find('evidence', {}).find((d) => d.sourceFileID === fileID) as { fileID: string } | undefined)?.fileID;
  expect(copy).toMatch(/\/evidence\/ssfj\//);
  expect(items(page, 'files').map((f) => [f.name, f.fileID, f.state])).toEqual([['联动机制.pdf', copy, 'done']]);
  expect((page.data().links as { url: string }[]).map((l) => l.url)).toEqual(['http://www.zoucheng.gov.cn/a.html']);
  await page.type('.report-text', '本轮：机制运行良好，新增两次联席会议。');
  await page.tap('.secrecy');
  await submitAndWait(page);
  expect(page.text()).toContain('第2版已提交');
  const [latest] = (await api(t, SIFA, 'task.detail', { taskId: TASK })).history;
  // Version 2 has its own copy, taken from version 1's: the same bytes.
  const v2 = t.cloud.db.find('evidence', {}).filter((d) => d.fileID === latest?.evidence.files[0]?.fileID);
  const v1 = t.cloud.db.find('evidence', {}).filter((d) => d.fileID === copy);
  expect(v2.map((d) => [d.sourceFileID, d.sha256])).toEqual([[copy, v1[0]?.sha256]]);
  // Nothing was uploaded twice.
  expect(t.cloud.storage.count({ prefix: `units/${sifaUnit}/` })).toBe(1);
});

test('with nothing reported before, 引用上次报送 says so', async () => {
  const page = await openReport();
  await page.tap('.quote-btn');
  await until(() => wxState.toasts.length > 0, 'the toast');
  expect(wxState.toasts).toEqual(['本任务还没有报送过，没有可引用的内容']);
  expect(wxState.modals).toEqual([]);
});

test('submits of other units and forged files are refused by the server', async () => {
  const base = {
    roundId: round.id,
    text: '越权',
    progress: 'ongoing' as const,
    files: [],
    links: [],
    secrecyConfirmed: true,
  };
  // 香城镇 reporting on 市司法局's assignment.
  const cross = await t.as(XIANGCHENG)('report.submit', {
    ...base,
    assignmentId: `${TASK}-${sifaUnit}`,
    images: [],
    requestId: 'forge-test-0001',
  });
  expect(cross).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  // 市司法局 citing a file in 香城镇's folder, and one that was never uploaded.
  const other = `cloud://${t.cloud.envId}.${t.cloud.storage.bucket}/units/xiangcheng-zhen/2021/r/abc-x.jpg`;
  const forged = await t.as(SIFA)('report.submit', {
    ...base,
    assignmentId: `${TASK}-${sifaUnit}`,
    images: [{ fileID: other, name: 'x.jpg', size: 1 }],
    requestId: 'forge-test-0002',
  });
  expect(forged).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'images[0].fileID' });
  // A file 香城镇's contact put into 市司法局's folder (their own openid's): not 市司法局 contact's own upload.
  const planted = `cloud://${t.cloud.envId}.${t.cloud.storage.bucket}/units/${sifaUnit}/${XIANGCHENG}/2021/r/abc-x.jpg`;
  const notMine = await t.as(SIFA)('report.submit', {
    ...base,
    assignmentId: `${TASK}-${sifaUnit}`,
    images: [{ fileID: planted, name: 'x.jpg', size: 1 }],
    requestId: 'forge-test-0004',
  });
  expect(notMine).toMatchObject({
    ok: false,
    code: 'INVALID_INPUT',
    field: 'images[0].fileID',
    message: '附件不是您本人上传的，请重新上传',
  });
  const ghost = `cloud://${t.cloud.envId}.${t.cloud.storage.bucket}/units/${sifaUnit}/${SIFA}/2021/r/never-uploaded.jpg`;
  const missing = await t.as(SIFA)('report.submit', {
    ...base,
    assignmentId: `${TASK}-${sifaUnit}`,
    images: [{ fileID: ghost, name: 'x.jpg', size: 1 }],
    requestId: 'forge-test-0003',
  });
  expect(missing).toMatchObject({ ok: false, field: 'images[0].fileID' });
  expect((await api(t, SIFA, 'task.detail', { taskId: TASK })).history).toHaveLength(0);
});

test('on the local cloud (开发版), uploads go through wx.uploadFile to /storage/upload and calls over HTTP', async () => {
  useCloud(t, SIFA);
  wxState.envVersion = 'develop';
  wxState.storage.set('local-openid', SIFA);
  const page = await openReport();
  expect(page.data().phase).toBe('form');
  await fillRequired(page);
  wxState.messageFiles.push([{ path: tempFile('local.xlsx', 6_000), name: '台账.xlsx' }]);
  await page.tap('.add-files');
  await until(() => allDone(page) && items(page, 'files').length === 1, 'the local upload');
  const [stored] = t.cloud.storage.list({ prefix: `units/${sifaUnit}/` });
  expect(stored).toMatchObject({ size: 6_000, owner: SIFA });
  expect(stored?.cloudPath).toMatch(/-\.xlsx$|-[A-Za-z0-9_-]+\.xlsx$|\/[a-z0-9]{10}-file\.xlsx$/);
  await submitAndWait(page);
  expect(page.data().phase).toBe('done');
  expect((await api(t, SIFA, 'task.detail', { taskId: TASK })).history[0]?.evidence.files.map((f) => f.name)).toEqual(['台账.xlsx']);
});
