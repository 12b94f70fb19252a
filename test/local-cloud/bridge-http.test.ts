import type http from 'http';
import { createBridge, listen, MAX_EVENT_BYTES } from '../../scripts/local-cloud/server';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';

let t: TestCloud;
let server: http.Server;
let base: string;

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  server = createBridge(t.cloud);
  base = await listen(server, 0);
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  t.close();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

test('listens on loopback only', () => {
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('POST /call/api runs the real function as the header openid', async () => {
  const res = await post('/call/api', JSON.stringify({ action: 'plan.get', data: { year: 2021 } }), { 'x-local-openid': ADMIN });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { result: { ok: boolean; data: { tasks: unknown[] } } };
  expect(body.result.ok).toBe(true);
  expect(body.result.data.tasks).toHaveLength(44);

  const me = (await (await post('/call/api', '{"action":"me.get"}', { 'x-local-openid': ADMIN })).json()) as {
    result: { data: { openid: string; isAdmin: boolean } };
  };
  expect(me.result.data).toMatchObject({ openid: ADMIN, isAdmin: true });
});

test('without the header the function sees no OPENID and refuses', async () => {
  const body = (await (await post('/call/api', '{"action":"me.get"}')).json()) as { result: { code: string } };
  expect(body.result.code).toBe('UNAUTHENTICATED');
});

test.each([
  ['malformed JSON', '/call/api', '{"action":', {}, 400, -501004],
  ['a non-object event', '/call/api', '[1,2]', {}, 400, -501004],
  ['an unknown function', '/call/nope', '{}', {}, 404, -501000],
  ['a forged-looking openid header', '/call/api', '{}', { 'x-local-openid': 'bad id!' }, 400, -1],
])('%s gets a clear error, not a crash', async (_what, path, body, headers, status, errCode) => {
  const res = await post(path, body, headers);
  expect(res.status).toBe(status);
  expect(await res.json()).toMatchObject({ errCode, errMsg: expect.any(String) });
});

test('an event over 100 KB is refused like callFunction refuses it', async () => {
  const big = JSON.stringify({ action: 'me.get', data: { pad: 'x'.repeat(MAX_EVENT_BYTES) } });
  const res = await post('/call/api', big, { 'x-local-openid': ADMIN });
  expect(res.status).toBe(413);
  expect(((await res.json()) as { errMsg: string }).errMsg).toContain('100 KB');
});

test('unknown actions come back in the envelope; GET is not a call', async () => {
  const body = (await (await post('/call/api', '{"action":"x.y"}', { 'x-local-openid': ADMIN })).json()) as { result: unknown };
  expect(body.result).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION' });
  expect((await fetch(`${base}/call/api`)).status).toBe(405);
  expect((await fetch(`${base}/health`)).status).toBe(200);
  // Still serving after all of the above.
  expect((await post('/call/api', '{"action":"plan.list"}', { 'x-local-openid': ADMIN })).status).toBe(200);
});
