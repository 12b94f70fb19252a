/**
 * @jest-environment jsdom
 *
 * 审核: a report's evidence opens (photos in the viewer with temp links,
 * documents downloaded and opened in the reader, links copied); a decision
 * taken by someone else first is shown, not overwritten; a closed round
 * can only be approved.
 */
import { cloud } from '../../cloudfunctions/common/cloud';
import type { RoundView, SubmitReportInput } from '../../miniprogram/shared/api';
import { uploadPrefix } from '../../miniprogram/shared/api';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, evidenceOf, inDays, picture } from '../helpers/journey';
import { api, tempFile, until, useCloud, wxState } from '../helpers/miniprogram';
import { openOffice, texts } from './office-helpers';

const SECOND_ADMIN = 'o-office-review-second';
const XC = CONTACTS.xiangcheng;

let t: TestCloud;
let round: RoundView;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['xiangcheng', 'ssfj']);
  await api(t, ADMIN, 'admin.add', { openid: SECOND_ADMIN, name: '李科员' });
  round = await createRound(t, { name: '第三季度报送', dueDate: inDays(20) });
});
afterEach(() => t.close());

let seq = 0;
const submission = (over: Partial<SubmitReportInput> = {}): SubmitReportInput => ({
  assignmentId: assignmentOf(24, 'xiangcheng-zhen'),
  roundId: round.id,
  text: '已明确专人负责舆情收集，每周会商。',
  progress: 'ongoing',
  images: [],
  files: [],
  links: [],
  secrecyConfirmed: true,
  requestId: `req-office-review-${++seq}`,
  ...over,
});

/** Uploads as the contact's phone would (wx.cloud.uploadFile, over the local cloud's HTTP bridge). */
function put(cloudPath: string, bytes: Buffer): Promise<string> {
  useCloud(t, XC.openid);
  const wxCloud = (global as unknown as { wx: { cloud: { uploadFile(o: object): void } } }).wx.cloud;
  return new Promise((resolve, reject) =>
    wxCloud.uploadFile({
      cloudPath,
      filePath: tempFile('evidence', bytes),
      success: (r: { fileID: string }) => resolve(r.fileID),
      fail: reject,
    }),
  );
}

describe('evidence', () => {
  test('photos preview with their temp links, a document opens in the reader with its bytes, a link is copied, a lost file says so', async () => {
    const p = uploadPrefix('xiangcheng-zhen', CONTACTS.xiangcheng.openid);
    const pdf = Buffer.from('%PDF-1.4 香城镇舆情会商纪要');
    const photos = [picture('1'), picture('2')] as const;
    const [img1, img2, doc, gone] = await Promise.all([
      put(`${p}r/photo-1.jpg`, photos[0]),
      put(`${p}r/photo-2.jpg`, photos[1]),
      put(`${p}r/minutes.pdf`, pdf),
      put(`${p}r/old.docx`, Buffer.from('old')),
    ]);
    const { report } = await api(
      t,
      XC.openid,
      'report.submit',
      submission({
        images: [evidenceOf(img1, '照片1.jpg', photos[0]), evidenceOf(img2, '照片2.jpg', photos[1])],
        files: [
          { fileID: doc, name: '会商纪要.pdf', size: pdf.length },
          { fileID: gone, name: '旧方案.docx', size: 3 },
        ],
        links: [{ url: 'http://www.zoucheng.gov.cn/art/2021/9/1/art_24.html', title: '舆情回应专栏' }],
      }),
    );
    // A file is lost only when the server's copy is (the upload itself no longer matters).
    await cloud.deleteFile({ fileList: [report.evidence.files[1]?.fileID as string] });

    const page = await openOffice(t, ADMIN, 'review', { reportId: report.id });
    expect(page.textOf('.head-title')).toBe('第 24 项 · 香城镇');
    expect(page.textOf('.report-text')).toBe('已明确专人负责舆情收集，每周会商。');
    expect(page.root.querySelectorAll('.thumb')).toHaveLength(2);

    // Photos: the viewer gets both temp links, starting at the tapped one.
    await page.tap('.thumb-box', 1);
    expect(wxState.previews).toHaveLength(1);
    expect(wxState.previews[0]).toHaveLength(2);
    // The links are the server's copies, in the order the report lists them.
    expect(wxState.previews[0]?.[0]).toMatch(/\/evidence\/xiangcheng-zhen\/[0-9a-f]{24}\/1-[0-9a-f]{8}\.jpg\?/);

    // A document: downloaded from its temp link and opened as a pdf, bytes intact.
    expect(texts(page, '.evidence-file')[0]).toContain('会商纪要.pdf');
    await page.tap('.evidence-file', 0);
    await until(() => wxState.documents.length === 1, 'the reader to open');
    expect(wxState.downloads[0]).toMatch(/\/evidence\/xiangcheng-zhen\/[0-9a-f]{24}\/3-[0-9a-f]{8}\.pdf\?/);
    expect(wxState.documents[0]?.fileType).toBe('pdf');
    expect(wxState.documents[0]?.bytes.equals(pdf)).toBe(true);

    // A file storage no longer has: marked, and tapping it says what to do.
    expect(texts(page, '.evidence-file')[1]).toContain('已失效');
    await page.tap('.evidence-file', 1);
    await until(() => wxState.toasts.length > 0, 'the toast');
    expect(wxState.toasts.pop()).toContain('文件已不在云存储中');
    expect(wxState.documents).toHaveLength(1);

    // Links are copied (mini programs cannot open outside pages).
    expect(page.textOf('.evidence-link')).toContain('舆情回应专栏');
    await page.tap('.evidence-link');
    expect(wxState.clipboard).toBe('http://www.zoucheng.gov.cn/art/2021/9/1/art_24.html');
  });
});

test('when another administrator decided first, the page shows the current state and decides nothing', async () => {
  const { report } = await api(t, XC.openid, 'report.submit', submission());
  const page = await openOffice(t, ADMIN, 'review', { reportId: report.id });
  expect(page.textOf('.report-state')).toBe('待审核');

  // Meanwhile 李科员 approves it on another phone.
  await api(t, SECOND_ADMIN, 'review.decide', { reportId: report.id, decision: 'approve', note: '情况属实' });

  await page.type('.note-input', '请补充会商记录');
  await page.tap('.btn-return');
  await until(() => page.textOf('.conflict-notice') !== '', 'the conflict notice');
  expect(page.textOf('.conflict-notice')).toContain('已通过');
  expect(page.textOf('.conflict-notice')).toContain('最新状态');
  expect(page.textOf('.report-state')).toBe('已通过');
  expect(page.textOf('.review-row')).toContain('李科员');
  expect(page.textOf('.review-row')).toContain('情况属实');
  // Nothing left to decide, and our 退回 was not written.
  expect(page.root.querySelector('.btn-return')).toBeUndefined();
  expect(t.cloud.db.find('reports', { _id: report.id })[0]?.state).toBe('approved');
  expect(t.cloud.db.count('reviews', { reportId: report.id })).toBe(1);
});

test('an older version says a newer one exists and offers no decision', async () => {
  const v1 = (await api(t, XC.openid, 'report.submit', submission())).report;
  await api(t, XC.openid, 'report.submit', submission({ text: '第二版：补充了会商纪要。' }));
  const page = await openOffice(t, ADMIN, 'review', { reportId: v1.id });
  expect(page.textOf('.old-version')).toContain('该单位已提交第 2 版');
  expect(page.root.querySelector('.btn-approve')).toBeUndefined();
});

test('in a closed round a report can be approved but not returned', async () => {
  const { report } = await api(t, XC.openid, 'report.submit', submission());
  await api(t, ADMIN, 'round.close', { id: round.id });
  const page = await openOffice(t, ADMIN, 'review', { reportId: report.id });
  expect(page.text()).toContain('第三季度报送（已结束）');
  expect(page.text()).toContain('可以通过，不能退回');
  await page.type('.note-input', '请补充');
  await page.tap('.btn-return');
  await until(() => page.textOf('.error-form') !== '', 'the refusal');
  expect(page.textOf('.error-form')).toContain('不能退回');
  expect(t.cloud.db.find('reports', { _id: report.id })[0]?.state).toBe('submitted');
  await page.tap('.btn-approve');
  await until(() => page.textOf('.report-state') === '已通过', 'the approval');
});

test('the queue lists the oldest first, filters by round, and says when it is empty', async () => {
  const other = await createRound(t, { name: '年终回头看', dueDate: inDays(40), scope: [44] });
  await api(t, XC.openid, 'report.submit', submission());
  await api(t, CONTACTS.ssfj.openid, 'report.submit', {
    ...submission(),
    assignmentId: assignmentOf(44, 'ssfj'),
    roundId: other.id,
    text: '回头看已完成。',
  });
  const page = await openOffice(t, ADMIN, 'review');
  expect(texts(page, '.queue-item').map((s) => s.split(' ')[0])).toEqual(['第24项', '第44项']);
  expect(page.textOf('.queue-total')).toContain('待审核 2 份');
  // 年终回头看 sorts after 第三季度报送 by due day: index 2 of [全部轮次, …].
  await page.change('.round-filter', 2);
  await until(() => texts(page, '.queue-item').length === 1, 'the filtered queue');
  expect(page.textOf('.queue-item')).toContain('第44项 · 市司法局');

  const none = await openOffice(t, ADMIN, 'review', { roundId: round.id });
  await api(t, ADMIN, 'review.decide', {
    reportId: (await api(t, ADMIN, 'review.queue', { roundId: round.id })).items[0]?.reportId ?? '',
    decision: 'approve',
  });
  none.lifecycle('onShow');
  none.lifecycle('onShow');
  await until(() => none.text().includes('没有等待审核的报送'), 'the empty queue');
});
