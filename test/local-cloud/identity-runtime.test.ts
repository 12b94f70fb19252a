import fs from 'fs';
import os from 'os';
import path from 'path';
import { LocalCallError, LocalCloud } from '../../scripts/local-cloud/runtime';
import { loadFromSource } from '../helpers/local-cloud';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'functions');
let dir: string;
let cloud: LocalCloud;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-runtime-'));
  cloud = new LocalCloud({ dir, fsync: false, functionsRoot: FIXTURES, load: loadFromSource, envId: 'local-test' });
});
afterAll(() => {
  cloud.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Probe {
  openid: string | null;
  source: string | null;
  env: string | null;
  type: string | null;
}

test('concurrent calls each see their own OPENID', async () => {
  const ids = Array.from({ length: 50 }, (_, i) => `o-caller-${String(i).padStart(3, '0')}`);
  const results = (await Promise.all(ids.map((openid, i) => cloud.invoke('probe', { sleepMs: (i * 7) % 20 }, { openid })))) as Probe[];
  expect(results.map((r) => r.openid)).toEqual(ids);
  expect(new Set(results.map((r) => r.source))).toEqual(new Set(['wx_client']));
  expect(results[0]?.env).toBe('local-test');
  // Outside any call, the process has no identity.
  expect(process.env.WX_OPENID).toBeUndefined();
});

test('a timer run has no OPENID and SOURCE wx_trigger, as in the cloud', async () => {
  const fired = (await cloud.runTrigger('probe', 'tick')) as Probe;
  expect(fired).toEqual({ openid: null, source: 'wx_trigger', env: 'local-test', type: 'Timer' });
});

test('a function running past its configured timeout fails like the platform', async () => {
  await expect(cloud.invoke('probe', { sleepMs: 1500 }, { openid: 'o-caller-slow' })).rejects.toMatchObject({
    errCode: -504003,
    message: expect.stringContaining('timed out after 1 seconds'),
  });
  expect(cloud.calls.at(-1)).toMatchObject({ fn: 'probe', result: '-504003', caller: 'o-ca***slow' });
});

test('unknown functions are refused', async () => {
  await expect(cloud.invoke('nope', {})).rejects.toBeInstanceOf(LocalCallError);
});

test('an open API missing from config.json permissions fails with -604101', async () => {
  const res = (await cloud.invoke('sender', {}, { openid: 'o-caller-x1' })) as { sent: boolean; errCode?: number; errMsg: string };
  expect(res.sent).toBe(false);
  expect(res.errMsg).toContain('-604101');
  expect(cloud.openapi.outbox({})).toHaveLength(0);
});

test('timers are scheduled from each config.json cron', () => {
  const plan = cloud.startTimers();
  expect(plan).toEqual([{ fn: 'probe', trigger: 'tick', next: expect.any(Date) }]);
  // 09:00 in UTC+8 is 01:00 UTC.
  expect(plan[0]?.next?.getUTCHours()).toBe(1);
});
