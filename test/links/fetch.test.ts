import { decodePage, pageTitle } from '../../cloudfunctions/common/domain/link-page';
import { fetchLink, LOCAL_NETWORK, type LocalNetworkPolicy } from '../../cloudfunctions/common/link-fetch';
import { startPageServer, type PageServer } from '../helpers/page-server';

let server: PageServer;
let origin = '';
let port = 0;
let version = 1;

function setPolicy(policy: LocalNetworkPolicy | undefined) {
  (globalThis as Record<symbol, unknown>)[LOCAL_NETWORK] = policy;
}

beforeAll(async () => {
  server = await startPageServer();
  ({ origin, port } = server);
  const routes = server.routes;
  const gbkTitle = Buffer.from('3c7469746c653ed5fecef1b9abbfaa3c2f7469746c653e', 'hex'); // <title>政务公开</title> in GBK
  server.page('/utf8', '<html><head><title>邹城市政务公开 2021</title></head><body>内容</body></html>');
  server.page('/gbk', Buffer.concat([Buffer.from('<meta charset="gb2312">'), gbkTitle]), 'text/html');
  server.redirect('/to-gov', `http://www.zoucheng.gov.cn:${port}/utf8`);
  server.redirect('/to-private', 'http://10.0.0.8/admin', 301);
  server.redirect('/to-metadata', 'http://[::ffff:169.254.169.254]/latest/meta-data');
  server.redirect('/to-other-port', `http://127.0.0.1:${port + 1}/`);
  server.redirect('/loop', '/loop');
  routes.set('/slow', () => {
    /* never answers */
  });
  routes.set('/huge', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const more = () => {
      while (sent < 64) {
        sent += 1;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  server.page('/file.pdf', Buffer.from('%PDF-1.4\n%\xe2\xe3\n', 'latin1'), 'application/pdf');
  routes.set('/changing', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<title>第 ${version} 版</title>`);
  });
});

beforeEach(() =>
  setPolicy({
    internet: false,
    allowOrigins: [origin, `http://www.zoucheng.gov.cn:${port}`],
    hosts: { 'www.zoucheng.gov.cn': '127.0.0.1' },
  }),
);
afterAll(async () => {
  setPolicy(undefined);
  await server.close();
});

test('a UTF-8 page: status, title, hash', async () => {
  const r = await fetchLink(`${origin}/utf8`);
  expect(r).toMatchObject({ status: 200, finalUrl: `${origin}/utf8`, truncated: false });
  expect(r.error).toBeUndefined();
  expect(pageTitle(decodePage(r.body, r.contentType).text)).toBe('邹城市政务公开 2021');
  expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
});

test('a GBK page declared in a meta tag', async () => {
  const r = await fetchLink(`${origin}/gbk`);
  expect(pageTitle(decodePage(r.body, r.contentType).text)).toBe('政务公开');
});

test('a redirect to an official site is followed and the final URL recorded', async () => {
  const r = await fetchLink(`${origin}/to-gov`);
  expect(r.status).toBe(200);
  expect(r.hops).toEqual([`${origin}/to-gov`, `http://www.zoucheng.gov.cn:${port}/utf8`]);
  expect(new URL(r.finalUrl).hostname).toBe('www.zoucheng.gov.cn');
});

test.each([
  ['/to-private', 'address'],
  ['/to-metadata', 'address'],
  ['/to-other-port', 'port'],
])('a redirect %s is refused before it is requested (%s)', async (path, error) => {
  const r = await fetchLink(`${origin}${path}`);
  expect(r.error).toBe(error);
  expect(r.status).toBeUndefined();
  expect(r.hops).toHaveLength(2);
});

test('more than 5 redirects stop', async () => {
  const r = await fetchLink(`${origin}/loop`);
  expect(r.error).toBe('redirects');
  expect(r.hops).toHaveLength(6);
});

test('a 404 is a response, not an error', async () => {
  const r = await fetchLink(`${origin}/missing`);
  expect(r.status).toBe(404);
  expect(r.error).toBeUndefined();
});

test('a server that never answers times out', async () => {
  const r = await fetchLink(`${origin}/slow`, { timeoutMs: 300 });
  expect(r.error).toBe('timeout');
  expect(r.status).toBeUndefined();
});

test('a huge body is cut at 1 MB', async () => {
  const r = await fetchLink(`${origin}/huge`);
  expect(r.status).toBe(200);
  expect(r.truncated).toBe(true);
  expect(r.body.length).toBe(1024 * 1024);
});

test('a non-HTML file keeps its type and hash', async () => {
  const r = await fetchLink(`${origin}/file.pdf`);
  expect(r.contentType).toBe('application/pdf');
  expect(r.body.subarray(0, 5).toString()).toBe('%PDF-');
});

test('a page that changes between two checks gets a new hash', async () => {
  version = 1;
  const first = await fetchLink(`${origin}/changing`);
  version = 2;
  const second = await fetchLink(`${origin}/changing`);
  expect(first.sha256).not.toBe(second.sha256);
});

describe('without the test allowance', () => {
  test('loopback, private and link-local targets are refused; the offline local cloud fetches nothing', async () => {
    setPolicy({ internet: false, allowOrigins: [] });
    expect((await fetchLink(`${origin}/utf8`)).error).toBe('port');
    expect((await fetchLink('http://127.0.0.1/utf8')).error).toBe('address');
    expect((await fetchLink('http://localhost/')).error).toBe('host');
    expect((await fetchLink('http://169.254.169.254/')).error).toBe('address');
    expect((await fetchLink('http://8.8.8.8/')).error).toBe('offline');
  });
  test('a name that resolves to an internal address is refused at connect time', async () => {
    setPolicy({ internet: true, allowOrigins: [], hosts: { 'rebind.example.com': '10.1.2.3', 'lo.example.com': '127.0.0.1' } });
    expect((await fetchLink('http://rebind.example.com/')).error).toBe('address');
    expect((await fetchLink('https://lo.example.com/')).error).toBe('address');
  });
  test('the production rule (no local policy) refuses a loopback server too', async () => {
    setPolicy(undefined);
    expect((await fetchLink(`${origin}/utf8`)).error).toBe('port');
    expect((await fetchLink('http://127.0.0.1/')).error).toBe('address');
  });
});
