import {
  checkRecord,
  linkSummary,
  linkTitle,
  nextLinkState,
  problemText,
  snapshotText,
} from '../../cloudfunctions/common/domain/link-check';

const page = (html: string) => Uint8Array.from(Buffer.from(html, 'utf8'));
const at = (day: string) => new Date(`${day}T02:00:00Z`);
const fetched = (status: number | undefined, html = '', sha = 'a'.repeat(64)) => ({
  status,
  finalUrl: 'https://www.zoucheng.gov.cn/a.html',
  contentType: 'text/html; charset=utf-8',
  body: page(html),
  truncated: false,
  sha256: status === undefined ? '' : sha,
});
const URL_ = 'https://www.zoucheng.gov.cn/a.html';

test('problemText names what went wrong in words', () => {
  expect(problemText(200, undefined)).toBe('');
  expect(problemText(404, undefined)).toBe('页面不存在（404）');
  expect(problemText(403, undefined)).toBe('页面需要登录或禁止访问（403）');
  expect(problemText(502, undefined)).toBe('网站出错（502）');
  expect(problemText(undefined, 'timeout')).toBe('网站响应超时');
  expect(problemText(undefined, 'address')).toBe('指向内部网络地址');
});

test('a check: reachable on a 2xx, title only for HTML that opened, host kind of the final URL', () => {
  const ok = checkRecord(URL_, fetched(200, '<title>专栏</title>'), [], at('2021-06-30'));
  expect(ok).toMatchObject({ reachable: true, title: '专栏', hostKind: 'gov', problem: '' });
  const gone = checkRecord(URL_, fetched(404, '<title>页面不存在</title>'), [], at('2021-12-20'));
  expect(gone).toMatchObject({ reachable: false, title: '', status: 404, problem: '页面不存在（404）' });
});

test('the states add up: last time it opened, its title then, whether the page changed', () => {
  const first = nextLinkState(undefined, 0, checkRecord(URL_, fetched(200, '<title>专栏</title>v1', 'a'.repeat(64)), [], at('2021-06-30')));
  expect(first).toMatchObject({ checks: 1, changed: false, lastTitle: '专栏' });
  expect(linkSummary(first, at('2021-12-31'))).toBe('6月30日可以打开');

  const changed = nextLinkState(first, 0, checkRecord(URL_, fetched(200, '<title>专栏</title>v2', 'b'.repeat(64)), [], at('2021-09-30')));
  expect(changed).toMatchObject({ checks: 2, changed: true });
  expect(linkSummary(changed, at('2021-12-31'))).toBe('9月30日可以打开（内容有过变化）');

  const gone = nextLinkState(changed, 0, checkRecord(URL_, fetched(404), [], at('2021-12-20')));
  expect(gone).toMatchObject({ checks: 3, changed: true, lastTitle: '专栏' });
  expect(linkTitle(gone)).toBe('专栏');
  expect(linkSummary(gone, at('2021-12-31'))).toBe('9月30日可以打开，12月20日无法打开（页面不存在（404））');
  expect(linkSummary(gone, at('2022-01-05'))).toBe('2021年9月30日可以打开，2021年12月20日无法打开（页面不存在（404））');

  const never = nextLinkState(undefined, 1, checkRecord(URL_, fetched(undefined), [], at('2021-07-01')));
  expect(linkSummary(never, at('2021-12-31'))).toBe('7月1日无法打开（无法连接该网站），从未打开过');
});

test('a failure between two equal readings is not a change', () => {
  const a = nextLinkState(undefined, 0, checkRecord(URL_, fetched(200, 'x'), [], at('2021-06-30')));
  const down = nextLinkState(a, 0, checkRecord(URL_, fetched(503), [], at('2021-07-01')));
  const back = nextLinkState(down, 0, checkRecord(URL_, fetched(200, 'x'), [], at('2021-07-02')));
  expect(back.changed).toBe(false);
});

test('a snapshot says what was fetched and when, then the text; none for a page that did not open', () => {
  const ok = checkRecord(URL_, fetched(200, '<title>专栏</title><p>第一段</p>'), [], at('2021-06-30'));
  const text = snapshotText(ok, page('<title>专栏</title><p>第一段</p>'));
  expect(text).toContain(`网址：${URL_}`);
  expect(text).toContain('网页标题：专栏');
  expect(text).toContain('抓取时间：2021-06-30 10:00');
  expect(text).toContain('第一段');
  expect(snapshotText(checkRecord(URL_, fetched(404), [], at('2021-06-30')), page(''))).toBeNull();
});
