import { addressKind } from '../../cloudfunctions/common/domain/net-address';
import { decodePage, fetchTargetProblem, hostKind, isHtml, pageText, pageTitle } from '../../cloudfunctions/common/domain/link-page';

describe('addressKind', () => {
  test.each([
    ['8.8.8.8', 'public'],
    ['1.2.3.4', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2400:3200::1', 'public'],
    ['2408:8000:0:0:0:0:0:1', 'public'],
    ['1.2.3', 'invalid'],
    ['01.2.3.4', 'invalid'],
    ['1:2:3:4:5:6:7:8:9', 'invalid'],
    ['1::2::3', 'invalid'],
    ['gov.cn', 'invalid'],
  ])('%s is %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind);
  });
});

describe('fetchTargetProblem', () => {
  test.each([
    ['http://www.zoucheng.gov.cn/art/2021/6/26/art_1.html', null],
    ['https://www.zoucheng.gov.cn:443/a', null],
    ['http://www.zoucheng.gov.cn:80/a', null],
    ['ftp://www.zoucheng.gov.cn/a', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['not a url', 'scheme'],
    ['http://www.zoucheng.gov.cn:8080/', 'port'],
    ['http://user:pw@www.zoucheng.gov.cn/', 'credentials'],
    ['http://localhost/', 'host'],
    ['http://a.localhost/', 'host'],
    ['http://metadata.google.internal/', 'host'],
    ['http://127.0.0.1/', 'address'],
    ['http://2130706433/', 'address'],
    ['http://0x7f.1/', 'address'],
    ['http://017700000001/', 'address'],
    ['http://[::1]/', 'address'],
    ['http://[::ffff:169.254.169.254]/', 'address'],
    ['http://169.254.169.254/latest/meta-data', 'address'],
    ['http://10.0.0.8/', 'address'],
    ['http://8.8.8.8/', null],
  ])('%s → %s', (url, problem) => {
    expect(fetchTargetProblem(url)).toBe(problem);
  });
});

describe('hostKind', () => {
  test('government domains on a label boundary', () => {
    expect(hostKind('www.zoucheng.gov.cn')).toBe('gov');
    expect(hostKind('WWW.SHANDONG.GOV.CN.')).toBe('gov');
    expect(hostKind('gov.cn')).toBe('gov');
    expect(hostKind('evilgov.cn')).toBe('other');
    expect(hostKind('gov.cn.example.com')).toBe('other');
    expect(hostKind('zc.xn--zfr164b')).toBe('gov');
  });
  test("the office's configured domains", () => {
    expect(hostKind('mp.weixin.qq.com', ['mp.weixin.qq.com'])).toBe('office');
    expect(hostKind('weixin.qq.com', ['mp.weixin.qq.com'])).toBe('other');
    expect(hostKind('news.jining.com', ['.jining.com'])).toBe('office');
    expect(hostKind('news.jining.com', [''])).toBe('other');
  });
});

describe('decodePage', () => {
  const gbk = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
  // 政务公开 in GBK.
  const ZWGK = 'd5fecef1b9abbfaa';

  test('charset from the Content-Type header', () => {
    const bytes = gbk(`3c7469746c653e${ZWGK}3c2f7469746c653e`);
    expect(decodePage(bytes, 'text/html; charset=GBK')).toEqual({ text: '<title>政务公开</title>', charset: 'gb18030' });
  });
  test('charset from a meta tag when the header has none', () => {
    const meta = Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>');
    const bytes = Uint8Array.from(Buffer.concat([meta, Buffer.from(ZWGK, 'hex'), Buffer.from('</title>')]));
    const page = decodePage(bytes, 'text/html');
    expect(page.charset).toBe('gb18030');
    expect(pageTitle(page.text)).toBe('政务公开');
  });
  test('undeclared GBK is detected because it is not valid UTF-8', () => {
    expect(decodePage(gbk(ZWGK)).text).toBe('政务公开');
  });
  test('UTF-8 with a BOM and without a declaration', () => {
    expect(decodePage(Uint8Array.from(Buffer.from('\ufeff政务公开', 'utf8'))).text).toBe('政务公开');
    expect(decodePage(Uint8Array.from(Buffer.from('政务公开', 'utf8'))).charset).toBe('utf-8');
  });
  test('a UTF-8 body cut inside a character is still UTF-8', () => {
    const whole = Buffer.from('政务公开', 'utf8');
    const page = decodePage(Uint8Array.from(whole.subarray(0, whole.length - 1)));
    expect(page.charset).toBe('utf-8');
    expect(page.text.startsWith('政务公')).toBe(true);
  });
  test('an unknown declared charset falls back to detection', () => {
    expect(decodePage(Uint8Array.from(Buffer.from('政务', 'utf8')), 'text/html; charset=bogus-9').text).toBe('政务');
  });
});

describe('pageTitle and pageText', () => {
  const html = `<html><head><title>
    邹城市人民政府 &mdash; 政务公开 &amp; 公告</title><style>p{color:red}</style>
    <script>var a = "<title>no</title>";</script></head>
    <body><!-- hidden --><h1>关于 2021 年政务公开</h1><p>第一段&nbsp;内容</p><div>第二段<br>换行</div></body></html>`;
  test('title with entities decoded and white space folded', () => {
    expect(pageTitle(html)).toBe('邹城市人民政府 — 政务公开 & 公告');
    expect(pageTitle('<p>no title</p>')).toBe('');
    expect([...pageTitle(`<title>${'长'.repeat(500)}</title>`)]).toHaveLength(200);
  });
  test('text without scripts, styles, comments or tags, one block a line, bounded', () => {
    const text = pageText(html);
    expect(text).toContain('关于 2021 年政务公开');
    expect(text).toContain('第一段 内容');
    expect(text).toContain('第二段\n换行');
    expect(text).not.toMatch(/color|var a|hidden|<|>/);
    expect(pageText(`<p>${'字'.repeat(50)}</p>`, 10)).toBe('字'.repeat(10));
  });
  test('isHtml', () => {
    expect(isHtml('text/html; charset=utf-8')).toBe(true);
    expect(isHtml('application/xhtml+xml')).toBe(true);
    expect(isHtml('application/pdf')).toBe(false);
    expect(isHtml(undefined)).toBe(false);
  });
});
