/**
 * cloud.getOpenData through the real wx-server-sdk (its protobuf request, its response
 * parsing) against the local cloud's CloudID backend, and the bridge route that issues
 * group CloudIDs.
 */
import fs from 'fs';
import type http from 'http';
import os from 'os';
import path from 'path';
import { runAs } from '../../scripts/local-cloud/identity';
import { createOpenDataBackend, DEFAULT_CLOUD_ID_TTL_MS, OPEN_DATA_ERRORS } from '../../scripts/local-cloud/opendata';
import { LocalCloud } from '../../scripts/local-cloud/runtime';
import { installSdkSeam } from '../../scripts/local-cloud/sdk-seam';
import { createBridge, listen } from '../../scripts/local-cloud/server';

interface WxCloud {
  init(config: { env: string }): void;
  getOpenData(args: { list: string[] }): Promise<{ list: Record<string, unknown>[]; errCode: number; errMsg: string }>;
}

const ALICE = 'o-opendata-alice';
const BOB = 'o-opendata-bob01';
const GROUP = 'tG-zwgk-group-0001';
const OTHER_GROUP = 'tG-other-group-0002';

let dir: string;
let cloud: LocalCloud;
let sdk: WxCloud;

function open(): LocalCloud {
  return new LocalCloud({ dir, fsync: false, functionsRoot: path.join(__dirname, '..', 'fixtures', 'functions') });
}

/** getOpenData as a cloud function invoked by `openid` would call it. */
function getOpenData(openid: string | undefined, list: string[]) {
  return runAs({ openid, source: openid ? 'wx_client' : 'wx_trigger', envId: 'local-dev' }, () => sdk.getOpenData({ list }));
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendata-'));
  cloud = open();
  sdk = require('wx-server-sdk') as WxCloud;
  sdk.init({ env: 'local-dev' });
});
afterAll(() => {
  cloud.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a group CloudID resolves for its user to the documented shape', async () => {
  const cloudID = cloud.issueGroupCloudId(ALICE, GROUP);
  const res = await getOpenData(ALICE, [cloudID]);
  expect(res).toMatchObject({ errCode: 0, errMsg: 'getOpenData:ok' });
  expect(res.list).toEqual([
    { cloudID, data: { opengid: GROUP, watermark: { appid: expect.stringMatching(/^wx/), timestamp: expect.any(Number) } } },
  ]);
  const timestamp = (res.list[0]?.data as { watermark: { timestamp: number } }).watermark.timestamp;
  expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
});

test('CloudIDs are opaque and one per issue', () => {
  const a = cloud.issueGroupCloudId(ALICE, GROUP);
  const b = cloud.issueGroupCloudId(ALICE, GROUP);
  expect(a).not.toBe(b);
  for (const id of [a, b]) {
    expect(id).not.toContain(ALICE);
    expect(id).not.toContain(GROUP);
    expect(id).toMatch(/^\S{30,}$/);
  }
  expect(() => cloud.issueGroupCloudId('', GROUP)).toThrow('openid');
});

test("another user's, a made-up or a timer run's CloudID carries no data", async () => {
  const alices = cloud.issueGroupCloudId(ALICE, GROUP);
  const bobs = cloud.issueGroupCloudId(BOB, OTHER_GROUP);
  const res = await getOpenData(BOB, [alices, 'local_made-up-cloud-id', bobs]);
  // One item per CloudID, in order; only Bob's own resolves.
  expect(res.list).toEqual([
    { cloudID: alices, ...OPEN_DATA_ERRORS.notYours },
    { cloudID: 'local_made-up-cloud-id', ...OPEN_DATA_ERRORS.unknown },
    { cloudID: bobs, data: expect.objectContaining({ opengid: OTHER_GROUP }) },
  ]);
  const timer = await getOpenData(undefined, [alices]);
  expect(timer.list).toEqual([{ cloudID: alices, ...OPEN_DATA_ERRORS.notYours }]);
});

test('a CloudID expires', async () => {
  const expired = cloud.issueGroupCloudId(ALICE, GROUP, { ttlMs: 0 });
  expect((await getOpenData(ALICE, [expired])).list).toEqual([{ cloudID: expired, ...OPEN_DATA_ERRORS.expired }]);
});

test('expiry follows the clock: valid until the TTL (5 minutes, as on the platform) has passed', async () => {
  expect(DEFAULT_CLOUD_ID_TTL_MS).toBe(5 * 60 * 1000);
  const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendata-clock-'));
  let clock = new Date('2021-07-01T09:00:00+08:00');
  const backend = createOpenDataBackend({ dir: backendDir, appid: 'wx-clock-test', now: () => clock });
  installSdkSeam({ 'wx.': (params) => backend.handle(params, process.env.WX_OPENID || undefined) });
  try {
    const id = backend.issueGroupCloudId(ALICE, GROUP);
    clock = new Date(clock.getTime() + DEFAULT_CLOUD_ID_TTL_MS - 1);
    expect((await getOpenData(ALICE, [id])).list[0]).toMatchObject({ data: { opengid: GROUP, watermark: { appid: 'wx-clock-test' } } });
    clock = new Date(clock.getTime() + 1);
    expect((await getOpenData(ALICE, [id])).list[0]).toEqual({ cloudID: id, ...OPEN_DATA_ERRORS.expired });
  } finally {
    // Hand the seam back to a local cloud (reopening reinstalls all of its routes).
    cloud.close();
    cloud = open();
    fs.rmSync(backendDir, { recursive: true, force: true });
  }
});

test('issued CloudIDs survive a restart of the local cloud', async () => {
  const id = cloud.issueGroupCloudId(ALICE, GROUP);
  cloud.close();
  cloud = open();
  expect((await getOpenData(ALICE, [id])).list[0]).toMatchObject({ cloudID: id, data: { opengid: GROUP } });
  expect((await getOpenData(BOB, [id])).list[0]).toEqual({ cloudID: id, ...OPEN_DATA_ERRORS.notYours });
});

test('getOpenData still needs a list, as in the SDK', async () => {
  await expect(
    runAs({ openid: ALICE, source: 'wx_client', envId: 'local-dev' }, () => sdk.getOpenData({} as { list: string[] })),
  ).rejects.toMatchObject({
    errMsg: expect.stringContaining('list must be provided'),
  });
});

describe('POST /local/group-cloudid', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = createBridge(cloud);
    base = await listen(server, 0);
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const post = (body: string, headers: Record<string, string> = {}, method = 'POST') =>
    fetch(`${base}/local/group-cloudid`, {
      method,
      body: method === 'GET' ? undefined : body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  test('issues a CloudID for the header openid in the given group', async () => {
    const res = await post(JSON.stringify({ opengid: GROUP }), { 'x-local-openid': BOB });
    expect(res.status).toBe(200);
    const { cloudID } = (await res.json()) as { cloudID: string };
    expect((await getOpenData(BOB, [cloudID])).list[0]).toMatchObject({ data: { opengid: GROUP } });
    expect((await getOpenData(ALICE, [cloudID])).list[0]).toEqual({ cloudID, ...OPEN_DATA_ERRORS.notYours });
  });

  test.each([
    ['no openid header', JSON.stringify({ opengid: GROUP }), {}, 'POST', 400],
    ['a malformed openid header', JSON.stringify({ opengid: GROUP }), { 'x-local-openid': 'bad id!' }, 'POST', 400],
    ['malformed JSON', '{"opengid":', { 'x-local-openid': BOB }, 'POST', 400],
    ['no opengid', '{}', { 'x-local-openid': BOB }, 'POST', 400],
    ['a JSON null body', 'null', { 'x-local-openid': BOB }, 'POST', 400],
    ['a non-string opengid', JSON.stringify({ opengid: 42 }), { 'x-local-openid': BOB }, 'POST', 400],
    ['GET', '', { 'x-local-openid': BOB }, 'GET', 405],
  ])('%s gets a clear error', async (_what, body, headers, method, status) => {
    const res = await post(body, headers, method);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ errCode: expect.any(Number), errMsg: expect.any(String) });
  });
});
