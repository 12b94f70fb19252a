/**
 * The linkcheck function, full stack on the local cloud: a contact's links
 * checked before submitting, the timer checking a new report's links with
 * snapshots kept, re-checks that keep every reading (a page that changed, a
 * page that is gone), and who may see or start what.
 */
import type { LinkStateView } from '../../miniprogram/shared/links-api';
import { approveContacts, assignmentOf, CONTACTS, createRound, reportInput } from '../helpers/journey';
import { ADMIN, okData, refused, startTestCloud, writeMark, type TestCloud } from '../helpers/local-cloud';
import { startPageServer, type PageServer } from '../helpers/page-server';
import { fetchFile, readWorkbook, unzip } from '../helpers/ledger';
import type ExcelJS from 'exceljs';

const SSFJ = CONTACTS.ssfj;
const XC = CONTACTS.xiangcheng;
let t: TestCloud;
let pages: PageServer;
let gov = '';
let other = '';
let reportId = '';

const GBK_PAGE = Buffer.concat([
  Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>'),
  Buffer.from('d5fecef1b9abbfaa', 'hex'), // 政务公开
  Buffer.from('</title></head><body>'),
  Buffer.from('d5fecef1b9abbfaa', 'hex'),
  Buffer.from('</body></html>'),
]);

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng']);
  pages = await startPageServer();
  gov = t.cloud.allowOrigin(pages.origin, 'www.zoucheng.gov.cn');
  other = t.cloud.allowOrigin(pages.origin);
  pages.page(
    '/art/2021/7/1/art_1.html',
    '<html><head><title>邹城市司法局2021年政务公开工作要点</title></head><body><p>第一版内容</p></body></html>',
  );
  pages.page('/gbk.html', GBK_PAGE, 'text/html');
});
afterAll(async () => {
  await pages.close();
  t.close();
});

const states = async (openid: string) =>
  okData(await t.links(openid)('links.history', { reportId })).links.map((l) => l.state as LinkStateView);

test('a contact checks links before submitting: reachability, title, official site; nothing is stored', async () => {
  const mark = writeMark(t);
  const res = okData(
    await t.links(SSFJ.openid)('links.check', { urls: [`${gov}/art/2021/7/1/art_1.html`, `${other}/gone.html`, `${other}/gbk.html`] }),
  );
  expect(res.links.map((l) => [l.reachable, l.title, l.hostKind, l.problem])).toEqual([
    [true, '邹城市司法局2021年政务公开工作要点', 'gov', ''],
    [false, '', 'other', '页面不存在（404）'],
    [true, '政务公开', 'other', ''],
  ]);
  expect(res.links[0]?.hostKindText).toBe('政府网站');
  expect(writeMark(t)).toBe(mark);
});

test('links.check refuses callers without a binding and malformed URLs, naming the field', async () => {
  expect(refused(await t.links('o-stranger-000001')('links.check', { urls: ['https://www.zoucheng.gov.cn/'] })).code).toBe('NOT_BOUND');
  const bad = refused(await t.links(SSFJ.openid)('links.check', { urls: ['https://www.zoucheng.gov.cn/', 'ftp://x'] }));
  expect(bad).toMatchObject({ code: 'INVALID_INPUT', field: 'urls[1]' });
  expect(refused(await t.links(SSFJ.openid)('links.check', { urls: new Array(11).fill('https://a.gov.cn/') })).field).toBe('urls');
});

test('the timer checks the links of a new report once, with a snapshot of each page that opened', async () => {
  const round = await createRound(t);
  const links = [{ url: `${gov}/art/2021/7/1/art_1.html` }, { url: `${other}/gone.html` }, { url: `${other}/gbk.html` }];
  reportId = okData(await t.as(SSFJ.openid)('report.submit', reportInput(assignmentOf(2, 'ssfj'), round.id, 'req-links-1', { links })))
    .report.id;

  const run = okData((await t.cloud.runTrigger('linkcheck', 'check-new-links')) as never) as {
    reports: number;
    links: number;
    unreachable: number;
  };
  expect(run).toMatchObject({ reports: 1, links: 3, unreachable: 1, done: true });
  const again = okData((await t.cloud.runTrigger('linkcheck', 'check-new-links')) as never) as { reports: number };
  expect(again.reports).toBe(0);

  const [page, gone, gbk] = await states(ADMIN);
  expect(page).toMatchObject({ reachable: true, title: '邹城市司法局2021年政务公开工作要点', hostKind: 'gov', checks: 1, changed: false });
  expect(page?.summary).toMatch(/^\d+月\d+日可以打开$/);
  expect(gone).toMatchObject({ reachable: false, status: 404, checks: 1 });
  expect(gone?.summary).toMatch(/无法打开（页面不存在（404）），从未打开过$/);
  expect(gone?.snapshotFileID).toBeUndefined();
  expect(gbk?.title).toBe('政务公开');

  const snapshot = await readStored(page!.snapshotFileID!);
  expect(snapshot).toContain(`网址：${gov}/art/2021/7/1/art_1.html`);
  expect(snapshot).toContain('第一版内容');
  expect(await readStored(gbk!.snapshotFileID!)).toContain('政务公开');
});

test('a re-check keeps every reading: a changed page gets a new snapshot, a page that is gone keeps when it last opened', async () => {
  pages.page(
    '/art/2021/7/1/art_1.html',
    '<html><head><title>邹城市司法局2021年政务公开工作要点</title></head><body><p>第二版内容</p></body></html>',
  );
  expect(okData(await t.links(ADMIN)('links.recheck', { reportId }))).toEqual({ checked: 3, unreachable: 1, remaining: 0 });
  let [page] = await states(ADMIN);
  expect(page).toMatchObject({ reachable: true, checks: 2, changed: true });
  const history = okData(await t.links(ADMIN)('links.history', { reportId })).links[0]!.history;
  expect(history).toHaveLength(2);
  expect(history[0]!.sha256).not.toBe(history[1]!.sha256);
  expect(history[1]!.changed).toBe(true);
  expect(await readStored(history[0]!.snapshotFileID!)).toContain('第一版内容');
  expect(await readStored(history[1]!.snapshotFileID!)).toContain('第二版内容');

  pages.routes.delete('/art/2021/7/1/art_1.html');
  okData(await t.links(ADMIN)('links.recheck', { reportId }));
  [page] = await states(ADMIN);
  expect(page).toMatchObject({ reachable: false, status: 404, checks: 3 });
  expect(page?.lastReachableAt).toBeDefined();
  expect(page?.summary).toMatch(/^\d+月\d+日可以打开，\d+月\d+日无法打开（页面不存在（404））$/);
  // The last snapshot of what the page said stays with the link.
  expect(await readStored(page!.snapshotFileID!)).toContain('第二版内容');
});

test("the round's overview lists the latest report with a link that does not open", async () => {
  const roundId = okData(await t.as(ADMIN)('report.get', { reportId })).report.roundId;
  const overview = okData(await t.as(ADMIN)('overview.round', { roundId }));
  // Both the 404 link and the page that is gone.
  expect(overview.brokenLinks).toEqual([{ unitId: 'ssfj', taskNo: 2, reportId, links: 2 }]);
});

test('a round re-check resumes: links checked minutes ago are not fetched again', async () => {
  const roundId = okData(await t.as(ADMIN)('report.get', { reportId })).report.roundId;
  expect(okData(await t.links(ADMIN)('links.recheck', { roundId }))).toEqual({ checked: 0, unreachable: 0, remaining: 0 });
});

test('the 工作台账 and the evidence archive carry what the check found; the archive keeps the snapshots', async () => {
  const roundId = okData(await t.as(ADMIN)('report.get', { reportId })).report.roundId;
  const exported = okData(await t.ledger(ADMIN)('ledger.export', { roundId }));
  const sheet = (await readWorkbook(await fetchFile(exported))).getWorksheet('工作台账') as ExcelJS.Worksheet;
  const cells: string[] = [];
  sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell.text)));
  const evidence = cells.find((c) => c.includes(`${gov}/art/2021/7/1/art_1.html`)) ?? '';
  expect(evidence).toMatch(
    /链接：邹城市司法局2021年政务公开工作要点 http:\/\/www\.zoucheng\.gov\.cn:\d+\/art\/2021\/7\/1\/art_1\.html\n（\d+月\d+日可以打开，\d+月\d+日无法打开（页面不存在（404）），政府网站）/,
  );
  expect(evidence).toContain('无法打开（页面不存在（404）），从未打开过，其他网站）');

  const zip = unzip(await fetchFile(okData(await t.ledger(ADMIN)('ledger.archive', { roundId }))));
  const snapshots = [...zip.keys()].filter((k) => k.endsWith('快照.txt')).sort();
  expect(snapshots.map((k) => k.split('/').pop())).toEqual(['链接1快照.txt', '链接3快照.txt']);
  // The page that is gone: the last reading that opened.
  expect(zip.get(snapshots[0] as string)?.toString('utf8')).toContain('第二版内容');
  const indexName = [...zip.keys()].find((k) => k.endsWith('索引.xlsx')) as string;
  const index = (await readWorkbook(zip.get(indexName) as Buffer)).getWorksheet('索引') as ExcelJS.Worksheet;
  const rows: string[] = [];
  index.eachRow((row) => {
    const texts: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell) => texts.push(cell.text));
    rows.push(texts.join('|'));
  });
  expect(rows.find((r) => r.includes('/gone.html'))).toMatch(/链接\|\|?.*无法打开（页面不存在（404）），从未打开过（其他网站）/);
  expect(rows.find((r) => r.includes('/gbk.html'))).toMatch(/链接\|政务公开\|.*可以打开（其他网站）$/);
});

test('who may see and start what', async () => {
  expect(refused(await t.links(SSFJ.openid)('links.recheck', { reportId })).code).toBe('FORBIDDEN');
  expect(refused(await t.links(XC.openid)('links.history', { reportId })).code).toBe('FORBIDDEN');
  expect(okData(await t.links(SSFJ.openid)('links.history', { reportId })).links).toHaveLength(3);
  expect(refused(await t.links('o-stranger-000001')('links.history', { reportId })).code).toBe('NOT_BOUND');
  // The timer's entry cannot be reached from a client, whatever the event says.
  const dressed = await t.cloud.invoke('linkcheck', { Type: 'Timer', TriggerName: 'check-new-links' }, { openid: SSFJ.openid });
  expect(dressed).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
});

async function readStored(fileID: string): Promise<string> {
  const cloudPath = fileID.replace(/^cloud:\/\/[^/]+\//, '');
  const res = await fetch(`${await t.origin()}${t.cloud.storage.signedPath(cloudPath)}`);
  expect(res.status).toBe(200);
  return res.text();
}
