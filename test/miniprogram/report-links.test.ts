/**
 * @jest-environment jsdom
 *
 * 提交进展: a link is checked in the cloud when the contact leaves it — it
 * opens on a government site, it does not open, it is elsewhere — and a
 * warning never stops the submit.
 */
import type { RoundView } from '../../miniprogram/shared/api';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, officeDayFromNow, openPage, until, useCloud, wxState } from '../helpers/miniprogram';
import { startPageServer, type PageServer } from '../helpers/page-server';

const SIFA = 'o-contact-sifa-links';
const TASK = 'plan-2021-t24';
let t: TestCloud;
let pages: PageServer;
let round: RoundView;
let unitId: string;

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  unitId = await bindActive(t, SIFA, '市司法局');
  round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(10), scope: 'all' });
  pages = await startPageServer();
  pages.page('/zwgk/24.html', '<title>市司法局政务公开专栏</title>');
  pages.page('/news.html', '<title>本地新闻网</title>');
  wxState.storage.clear();
});
afterAll(async () => {
  await pages.close();
  t.close();
});

test('each link says what the check found, and the report still goes in with a broken one', async () => {
  const gov = t.cloud.allowOrigin(pages.origin, 'www.zoucheng.gov.cn');
  const other = t.cloud.allowOrigin(pages.origin);
  useCloud(t, SIFA);
  const page = await openPage('pages/report/index', { assignmentId: `${TASK}-${unitId}`, roundId: round.id, taskId: TASK });
  await until(() => page.data().phase === 'form', 'the form');

  const notes = () => (page.data().linkNotes as ({ kind: string; text: string } | null)[]).map((n) => n && `${n.kind}: ${n.text}`);
  const addLink = async (url: string, index: number) => {
    await page.tap('.add-link');
    await page.type('.link-url', url, index);
    await page.blur('.link-url', index);
  };
  await addLink(`${gov}/zwgk/24.html`, 0);
  await addLink(`${gov}/zwgk/old.html`, 1);
  await addLink(`${other}/news.html`, 2);
  await until(() => notes().every((n) => n !== null && !n.startsWith('checking')), 'the three checks');
  expect(notes()).toEqual([
    'ok: 可以打开 · 政府网站「市司法局政务公开专栏」',
    'warn: 这个网址现在打不开（页面不存在（404））。请核对网址；确认无误也可以提交',
    'warn: 可以打开「本地新闻网」，但不在政府网站上。如是本单位发布的页面，可以照常提交',
  ]);
  expect(page.textOf('.link-note-ok')).toBe('可以打开 · 政府网站「市司法局政务公开专栏」');

  // Editing a link drops its note; leaving it unchanged does not check again.
  await page.type('.link-url', `${gov}/zwgk/24.html?from=edit`, 0);
  expect(notes()[0]).toBeNull();

  await page.type('.report-text', '已在政府网站专栏发布。');
  await page.tap('.radio-done');
  await page.tap('.secrecy');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'done', 'the submit');
  const latest = await api(t, SIFA, 'report.latest', { assignmentId: `${TASK}-${unitId}` });
  expect(latest?.evidence.links.map((l) => l.url)).toEqual([`${gov}/zwgk/24.html?from=edit`, `${gov}/zwgk/old.html`, `${other}/news.html`]);
});
