/**
 * @jest-environment jsdom
 *
 * 审核: each evidence link shows what the link check found — opens or not,
 * official site or not, when — and 重新检查链接 checks again at once.
 */
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, reportInput } from '../helpers/journey';
import { api, until, wxState } from '../helpers/miniprogram';
import { startPageServer, type PageServer } from '../helpers/page-server';
import { lastNavigation, openOffice, texts } from './office-helpers';

const XC = CONTACTS.xiangcheng;
let t: TestCloud;
let pages: PageServer;

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['xiangcheng']);
  pages = await startPageServer();
  pages.page('/art/24.html', '<html><head><title>香城镇政务舆情回应专栏</title></head><body>内容</body></html>');
});
afterAll(async () => {
  await pages.close();
  t.close();
});

test('link rows: unchecked, then opens on a government site, a 404 elsewhere; re-checking shows a page that is gone', async () => {
  const gov = t.cloud.allowOrigin(pages.origin, 'www.zoucheng.gov.cn');
  const other = t.cloud.allowOrigin(pages.origin);
  const round = await createRound(t);
  const links = [{ url: `${gov}/art/24.html` }, { url: `${other}/missing.html`, title: '镇政府网站公告' }];
  const { report } = await api(
    t,
    XC.openid,
    'report.submit',
    reportInput(assignmentOf(24, 'xiangcheng-zhen'), round.id, 'req-review-links', { links }),
  );

  let page = await openOffice(t, ADMIN, 'review', { reportId: report.id });
  expect(texts(page, '.link-check')).toEqual(['尚未检查（提交后几分钟内自动检查）', '尚未检查（提交后几分钟内自动检查）']);

  expect(await t.cloud.runTrigger('linkcheck', 'check-new-links')).toMatchObject({ ok: true, data: { links: 2, unreachable: 1 } });
  page = await openOffice(t, ADMIN, 'review', { reportId: report.id });
  const names = texts(page, '.evidence-link .evidence-name');
  // No title typed: the page's own title is shown.
  expect(names).toEqual(['香城镇政务舆情回应专栏', '镇政府网站公告']);
  const [ok, broken] = texts(page, '.link-check');
  expect(ok).toMatch(/^政府网站 · \d+月\d+日可以打开$/);
  expect(broken).toMatch(/^⚠ 其他网站 · \d+月\d+日无法打开（页面不存在（404）），从未打开过$/);
  expect(page.root.querySelectorAll('.link-broken')).toHaveLength(1);

  pages.routes.delete('/art/24.html');
  await page.tap('.btn-recheck');
  await until(() => wxState.toasts.length > 0, 'the re-check toast');
  expect(wxState.toasts.pop()).toBe('已重新检查，2 个链接无法打开');
  await until(() => texts(page, '.link-broken').length === 2, 'both links shown as broken');
  expect(texts(page, '.link-check')[0]).toMatch(/^⚠ 政府网站 · \d+月\d+日可以打开，\d+月\d+日无法打开（页面不存在（404））$/);
});

test('the overview lists it under 证明链接打不开 and opens the report for review', async () => {
  const overview = await openOffice(t, ADMIN, 'overview');
  await until(() => texts(overview, '.broken-row').length === 1, 'the broken links list');
  expect(texts(overview, '.broken-row')[0]).toBe('第 24 项 · 香城镇：2 个链接打不开');
  await overview.tap('.broken-row');
  expect(lastNavigation().path).toBe('/office/pages/review/index');
});

test('生成工作台账 re-checks the links first: the ledger says what they show today', async () => {
  pages.page('/art/24.html', '<html><head><title>香城镇政务舆情回应专栏（更新）</title></head><body>新内容</body></html>');
  // An hour later: links checked minutes ago would count as fresh.
  t.cloud.clock.set(new Date(Date.now() + 3600_000));
  const ledger = await openOffice(t, ADMIN, 'ledger');
  await until(() => ledger.data().phase === 'ready', 'the ledger page');
  await ledger.tap('.btn-export');
  await until(() => (ledger.data().files as unknown[]).length === 1 || ledger.data().jobError !== '', 'the export');
  expect(ledger.data().jobError).toBe('');
  const reportId = (await api(t, ADMIN, 'review.queue', {})).items[0]?.reportId as string;
  const history = okData(await t.links(ADMIN)('links.history', { reportId })).links[0]?.history ?? [];
  // The timer, the reviewer's re-check, and the one before the export: the page opens again.
  expect(history.map((h) => h.reachable)).toEqual([true, false, true]);
  expect(history[2]?.title).toBe('香城镇政务舆情回应专栏（更新）');
});
