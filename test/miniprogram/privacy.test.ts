/** @jest-environment jsdom */
/**
 * What real WeChat asks of the report form that the simulator would not: the
 * privacy agreement before any picker, pictures from chats, uploads on clients
 * whose uploadFile returns a Promise.
 */
import type { RoundView } from '../../miniprogram/shared/api';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import {
  api,
  bindActive,
  officeDayFromNow,
  openPage,
  tempFile,
  until,
  useCloud,
  wxState,
  type RenderedPage,
  type SimNode,
} from '../helpers/miniprogram';

const SIFA = 'o-contact-sifa-privacy';
const TASK = 'plan-2021-t24';

let t: TestCloud;
let round: RoundView;
let sifaUnit: string;

beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  sifaUnit = await bindActive(t, SIFA, '市司法局');
  round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
  wxState.storage.clear();
});
afterEach(() => t.close());

async function openReport(): Promise<RenderedPage> {
  useCloud(t, SIFA);
  const page = await openPage('pages/report/index', { assignmentId: `${TASK}-${sifaUnit}`, roundId: round.id, taskId: TASK });
  await until(() => page.data().phase === 'form', 'the report form');
  return page;
}

type Item = { state: string; name: string; progress: number };
const images = (page: RenderedPage) => page.data().images as Item[];

/** The privacy popup inside a page (a component: queried from its own root). */
function popup(page: RenderedPage): SimNode {
  const node = page.root.querySelector('.privacy');
  if (!node) throw new Error('the report page has no privacy popup');
  return node;
}
const popupText = (page: RenderedPage) => (popup(page).dom?.textContent ?? '').replace(/\s+/g, ' ').trim();

async function tapInPopup(page: RenderedPage, selector: string, event = 'tap') {
  const node = popup(page).querySelector(selector);
  if (!node) throw new Error(`no ${selector} in the privacy popup; text: ${popupText(page)}`);
  node.dispatchEvent(event);
  await until(() => true, 'a turn');
}

test('the privacy agreement comes before the first photo pick; nothing is picked without consent, and agreeing lets the pick go on', async () => {
  const page = await openReport();
  wxState.privacyAgreed = false;
  expect(popupText(page)).toBe('');

  wxState.media.push([tempFile('refused.jpg', 3000)]);
  await page.tap('.add-images');
  // The guide's name as registered on mp.weixin.qq.com, from wx.getPrivacySetting.
  await until(() => popupText(page).includes('《政务公开任务台账小程序隐私保护指引》'), 'the privacy popup');
  expect(wxState.privacyPrompts).toEqual(['chooseMedia']);
  // The album has not opened: the platform holds the call until the person answers.
  expect(wxState.pickerCalls).toHaveLength(0);

  await tapInPopup(page, '.privacy-disagree');
  await until(() => wxState.toasts.length > 0, 'the refusal toast');
  expect(wxState.toasts).toEqual(['需先同意隐私保护指引，才能选择照片和文件']);
  expect(popupText(page)).toBe('');
  expect(wxState.pickerCalls).toHaveLength(0);
  expect(images(page)).toEqual([]);
  expect(wxState.uploads).toEqual([]);

  // Next time the agreement is asked again; 同意 (the platform's agree button) lets the album open.
  await page.tap('.add-images');
  await until(() => popupText(page) !== '', 'the privacy popup again');
  expect(wxState.privacyPrompts).toEqual(['chooseMedia', 'chooseMedia']);
  // Consent is the platform's agree button event (open-type agreePrivacyAuthorization), not any tap.
  await tapInPopup(page, '#privacy-agree', 'tap');
  expect(popupText(page)).toContain('同意');
  expect(wxState.pickerCalls).toHaveLength(0);
  await tapInPopup(page, '#privacy-agree', 'agreeprivacyauthorization');
  await until(() => images(page).length === 1, 'the picked photo');
  expect(wxState.pickerCalls.map((c) => c.api)).toEqual(['chooseMedia']);
  expect(popupText(page)).toBe('');
  await until(() => images(page)[0]?.state === 'done', 'the upload');

  // Agreed once: the chat file picker opens without asking again.
  wxState.messageFiles.push([{ path: tempFile('方案.pdf', 2000), name: '方案.pdf' }]);
  await page.tap('.add-files');
  await until(() => (page.data().files as Item[])[0]?.state === 'done', 'the chat file');
  expect(wxState.privacyPrompts).toHaveLength(2);
});

test('a picture sent in a chat can be picked as a photo; the file picker offers documents only', async () => {
  const page = await openReport();
  const shot = { path: tempFile('现场照片.jpg', 5000), name: '现场照片.jpg' };
  const doc = { path: tempFile('制度.docx', 3000), name: '制度.docx' };

  wxState.messageFiles.push([shot, doc]);
  await page.tap('.add-files');
  await until(() => (page.data().files as Item[]).length === 1, 'the document');
  expect((page.data().files as Item[]).map((f) => f.name)).toEqual(['制度.docx']);
  expect(wxState.pickerCalls[0]).toMatchObject({ api: 'chooseMessageFile', options: { type: 'file' } });

  wxState.messageFiles.push([shot, doc]);
  await page.tap('.add-chat-images');
  await until(() => images(page).length === 1, 'the chat picture');
  expect(wxState.pickerCalls[1]).toMatchObject({ api: 'chooseMessageFile', options: { type: 'image', count: 9 } });
  expect(images(page)[0]?.name).toBe('照片1.jpg');
  await until(() => images(page)[0]?.state === 'done', 'its upload');

  await page.type('.report-text', '现场照片已上传。');
  await page.tap('.radio-ongoing');
  await page.tap('.secrecy');
  await until(() => (page.data().files as Item[])[0]?.state === 'done', 'the document upload');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'done', `the submit (${JSON.stringify(page.data().errors)})`);
  const latest = await api(t, SIFA, 'report.latest', { assignmentId: `${TASK}-${sifaUnit}` });
  expect(latest?.evidence.images.map((i) => i.name)).toEqual(['照片1.jpg']);
  expect(latest?.evidence.files.map((f) => f.name)).toEqual(['制度.docx']);
});

test('a client whose uploadFile returns a Promise: no progress, and the upload still succeeds', async () => {
  const page = await openReport();
  wxState.uploadReturnsPromise = true;
  // Held by the test until it has seen the tile: a Promise-returning client reports no progress.
  wxState.uploadHold = () => true;
  wxState.media.push([tempFile('p.jpg', 40_000)]);
  await page.tap('.add-images');
  await until(() => images(page)[0]?.state === 'uploading', 'the upload to start');
  expect(page.textOf('.image-item .tile-mask')).toBe('上传中');
  wxState.uploadHold = () => false;
  await until(() => images(page)[0]?.state === 'done', 'the upload');
  expect(images(page)[0]?.progress).toBe(100);
  expect(wxState.uploads[0]?.ok).toBe(true);
});

test('copying to the clipboard asks for the agreement on that page too; declined, nothing is copied', async () => {
  useCloud(t, 'o-future-admin-privacy');
  const home = await openPage('pages/home/index');
  await until(() => home.data().phase === 'ready', 'home');
  wxState.privacyAgreed = false;
  await home.tap('.account-cell');
  await until(() => popupText(home) !== '', 'the privacy popup on home');
  expect(wxState.privacyPrompts).toEqual(['setClipboardData']);
  await tapInPopup(home, '.privacy-disagree');
  expect(wxState.clipboard).toBe('');

  await home.tap('.account-cell');
  await until(() => popupText(home) !== '', 'the privacy popup again');
  await tapInPopup(home, '#privacy-agree', 'agreeprivacyauthorization');
  await until(() => wxState.clipboard !== '', 'the copy');
  expect(wxState.clipboard).toBe('o-future-admin-privacy');
});
