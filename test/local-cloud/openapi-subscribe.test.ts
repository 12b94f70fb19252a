/**
 * cloud.openapi.subscribeMessage.send through the real wx-server-sdk (its protobuf request,
 * its response parsing) against the local open API backend.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { installSdkSeam } from '../../scripts/local-cloud/sdk-seam';
import {
  createOpenApiBackend,
  keywordValueProblem,
  type KeywordSpec,
  type OpenApiBackend,
  type TemplateConfig,
} from '../../scripts/local-cloud/openapi';

interface SendArgs {
  touser?: unknown;
  templateId?: unknown;
  page?: unknown;
  data?: unknown;
  miniprogramState?: unknown;
  lang?: unknown;
}
interface WxCloud {
  init(config: { env: string }): void;
  openapi: {
    subscribeMessage: { send(args: SendArgs): Promise<{ errCode: number; errMsg: string }> };
    security: { msgSecCheck(args: { content: string }): Promise<unknown> };
  };
}

const ALICE = 'o-local-alice-0001';
const BOB = 'oAbCdEfGhIjKlMnOpQrStUvWxYz0';
const TASK = 'TASK_DUE_tpl_0001';
const ALL = 'ALL_KINDS_tpl_0002';
const LONG = 'LONG_TERM_tpl_0003';
const TEMPLATES: Record<string, TemplateConfig> = {
  [TASK]: { title: '任务到期提醒', keywords: { thing1: 'thing', time2: 'time', phrase3: 'phrase' } },
  [LONG]: { title: '任务到期提醒（长期）', keywords: { thing1: 'thing', time2: 'time', phrase3: 'phrase' }, longTerm: true },
  [ALL]: {
    title: '全部类型',
    keywords: {
      thing1: 'thing',
      number2: 'number',
      letter3: 'letter',
      symbol4: 'symbol',
      character_string5: 'character_string',
      time6: 'time',
      date7: 'date',
      amount8: 'amount',
      phone_number9: 'phone_number',
      car_number10: 'car_number',
      name11: 'name',
      phrase12: 'phrase',
    },
  },
};

let dir: string;
let clock: Date;
let backend: OpenApiBackend;
let uninstall: () => void;
let cloud: WxCloud;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
  clock = new Date('2024-05-01T08:00:00Z');
  backend = createOpenApiBackend({ dir, now: () => clock });
  backend.setTemplates(TEMPLATES);
  uninstall = installSdkSeam({ 'wx.': backend.handle });
  cloud = require('wx-server-sdk') as WxCloud;
  cloud.init({ env: 'local-env' });
});

afterAll(() => {
  uninstall();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => backend.setQuotaPolicy('enforce'));

function taskMessage(over: SendArgs = {}): SendArgs {
  return {
    touser: ALICE,
    templateId: TASK,
    page: 'pages/task/detail?id=t1',
    data: { thing1: { value: '报送2024年政务公开年报' }, time2: { value: '2024年5月10日 18:00' }, phrase3: { value: '即将到期' } },
    miniprogramState: 'developer',
    ...over,
  };
}

const send = (args: SendArgs) => cloud.openapi.subscribeMessage.send(args);
const lastOutbox = () => backend.outbox({ limit: 100_000 }).at(-1);

test('a send with quota succeeds, consumes the quota and lands in the outbox', async () => {
  expect(backend.grant(ALICE, TASK)).toBe(1);
  const result = await send(taskMessage());
  expect(result).toEqual({ errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' });
  expect(backend.quota(ALICE, TASK)).toBe(0);
  expect(lastOutbox()).toEqual({
    id: expect.any(String),
    at: '2024-05-01T08:00:00.000Z',
    touser: ALICE,
    templateId: TASK,
    page: 'pages/task/detail?id=t1',
    data: taskMessage().data,
    miniprogramState: 'developer',
    result: { errCode: 0, errMsg: 'ok' },
  });

  // One-time: the next send has nothing left.
  await expect(send(taskMessage())).rejects.toMatchObject({
    errCode: 43101,
    errMsg: expect.stringMatching(/^openapi\.subscribeMessage\.send:fail user refuse to accept the msg/),
  });
  expect(lastOutbox()?.result.errCode).toBe(43101);
});

test('grants accumulate per user and template; unlimited policy needs none and spends none', async () => {
  expect(backend.grant(BOB, TASK, 2)).toBe(2);
  expect(backend.quota(ALICE, TASK)).toBe(0);
  await send(taskMessage({ touser: BOB }));
  await send(taskMessage({ touser: BOB }));
  await expect(send(taskMessage({ touser: BOB }))).rejects.toMatchObject({ errCode: 43101 });

  backend.setQuotaPolicy('unlimited');
  backend.grant(BOB, TASK);
  await send(taskMessage({ touser: BOB }));
  await send(taskMessage({ touser: BOB }));
  expect(backend.quota(BOB, TASK)).toBe(1);
  expect(() => backend.grant(BOB, TASK, 0)).toThrow();
});

test('a long-term template: one accept delivers again and again until the person turns it off (43101), and survives a restart', async () => {
  const DAVE = 'oDaveDaveDave0001';
  await expect(send(taskMessage({ touser: DAVE, templateId: LONG }))).rejects.toMatchObject({ errCode: 43101 });
  expect(backend.grant(DAVE, LONG)).toBe(Infinity);
  for (let i = 0; i < 5; i++) expect(await send(taskMessage({ touser: DAVE, templateId: LONG }))).toMatchObject({ errCode: 0 });
  expect(backend.quota(DAVE, LONG)).toBe(Infinity);
  // Held across a restart of the local cloud.
  const again = createOpenApiBackend({ dir, now: () => clock });
  again.setTemplates(TEMPLATES);
  expect(again.quota(DAVE, LONG)).toBe(Infinity);
  // Switched off in WeChat's settings: the next send is refused.
  backend.revoke(DAVE, LONG);
  await expect(send(taskMessage({ touser: DAVE, templateId: LONG }))).rejects.toMatchObject({ errCode: 43101 });
  expect(backend.quota(DAVE, LONG)).toBe(0);
  // A one-time grant on another template is unaffected by the long-term one.
  expect(backend.quota(DAVE, TASK)).toBe(0);
});

test.each<[string, number, SendArgs, string]>([
  ['touser missing', 40003, { touser: undefined }, 'invalid openid'],
  ['touser malformed', 40003, { touser: 'bad openid!' }, 'invalid openid'],
  ['template unknown', 40037, { templateId: 'nope' }, 'invalid template_id'],
  ['page with leading /', 41030, { page: '/pages/task/detail' }, 'invalid page'],
  ['page with ..', 41030, { page: 'pages/../x' }, 'invalid page'],
  ['page with spaces', 41030, { page: 'pages/task detail' }, 'invalid page'],
  ['miniprogramState unknown', 47003, { miniprogramState: 'beta' }, 'miniprogram_state'],
  ['lang unknown', 47003, { lang: 'fr_FR' }, 'lang'],
  ['data missing', 47003, { data: undefined }, 'data is empty'],
  ['a keyword missing', 47003, { data: { thing1: { value: 'x' }, time2: { value: '09:00' } } }, 'data.phrase3.value is empty'],
  ['a keyword not in the template', 47003, { data: { ...(taskMessage().data as object), thing9: { value: 'x' } } }, 'data.thing9'],
  [
    'thing over 20 chars',
    47003,
    { data: { ...(taskMessage().data as object), thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' } } },
    'data.thing1.value invalid',
  ],
  ['a newline in a value', 47003, { data: { ...(taskMessage().data as object), thing1: { value: 'a\nb' } } }, 'data.thing1.value invalid'],
  [
    'phrase with latin letters',
    47003,
    { data: { ...(taskMessage().data as object), phrase3: { value: 'ok' } } },
    'data.phrase3.value invalid',
  ],
  ['time not a time', 47003, { data: { ...(taskMessage().data as object), time2: { value: '明天' } } }, 'data.time2.value invalid'],
  ['an empty value', 47003, { data: { ...(taskMessage().data as object), thing1: { value: '  ' } } }, 'data.thing1.value is empty'],
])('%s → %i', async (_label, errCode, over, message) => {
  backend.grant(ALICE, TASK);
  const quotaBefore = backend.quota(ALICE, TASK);
  const args = { ...taskMessage(), ...over };
  for (const key of Object.keys(over) as (keyof SendArgs)[]) if (over[key] === undefined) delete args[key];
  const error = await send(args).catch((e: unknown) => e);
  expect(error).toMatchObject({ errCode, errMsg: expect.stringContaining(message) });
  expect(backend.quota(ALICE, TASK)).toBe(quotaBefore);
  expect(lastOutbox()?.result).toMatchObject({ errCode, errMsg: expect.stringContaining(message) });
});

test('arguments are checked before quota: a bad send without quota reports the bad argument', async () => {
  await expect(send(taskMessage({ touser: 'oNoQuotaUser0001', page: '/x' }))).rejects.toMatchObject({ errCode: 41030 });
  await expect(send(taskMessage({ touser: 'oNoQuotaUser0001' }))).rejects.toMatchObject({ errCode: 43101 });
});

test('every keyword kind accepts a documented example through the SDK (camelCase → snake_case keys included)', async () => {
  backend.grant(ALICE, ALL);
  const data = {
    thing1: { value: '市政府办公室' },
    number2: { value: '12.5' },
    letter3: { value: 'ABC' },
    symbol4: { value: '%' },
    character_string5: { value: 'ZWGK-2024_001:A' },
    time6: { value: '2019年10月1日 15:01~2019年10月1日 18:00' },
    date7: { value: '2021-09-27' },
    amount8: { value: '¥100.00元' },
    phone_number9: { value: '+86-0766-66888866' },
    car_number10: { value: '粤A8Z888挂' },
    name11: { value: '欧阳娜娜' },
    phrase12: { value: '配送中' },
  };
  await expect(send({ touser: ALICE, templateId: ALL, data, miniprogramState: 'formal' })).resolves.toMatchObject({ errCode: 0 });
  expect(lastOutbox()).toMatchObject({ templateId: ALL, miniprogramState: 'formal', data });
  expect(lastOutbox()?.page).toBeUndefined();
});

test.each<[KeywordSpec, string[], string[]]>([
  [
    'thing',
    ['一二三四五六七八九十一二三四五六七八九十', 'Task #12 (urgent)'],
    ['一二三四五六七八九十一二三四五六七八九十一', 'two\nlines'],
  ],
  ['number', ['0', '3.14', '1'.repeat(32)], ['-1', '1e5', '1,000', '1'.repeat(33), '12a']],
  ['letter', ['abcXYZ'], ['abc1', 'ab c', 'a'.repeat(33)]],
  ['symbol', ['%', '-_-', '¥$'], ['a%', '%%%%%%', '1']],
  ['character_string', ['ABC-123_x:y', 'a'.repeat(32)], ['a'.repeat(33), 'with space', '中文']],
  ['time', ['15:01', '2019年10月1日 15:01', '2021-09-27 09:00', '09:00~18:00'], ['25:00', '2021-09-27', '明天上午', '2021-02-30 09:00']],
  [
    'date',
    ['2021年9月27日', '2021-09-27', '2021/9/27 09:00', '2021-09-27~2021-10-01'],
    ['09:00', '2021-13-01', '2021-02-29', '27/09/2021'],
  ],
  ['amount', ['100', '¥100.00', '100元', '$9.99', '1234567890'], ['¥', '12345678901', '100美元', '1,000']],
  ['phone_number', ['+86-0766-66888866', '13800138000', '(021)12345678'], ['phone', '1'.repeat(18), '138 0013 8000']],
  ['car_number', ['粤A8Z888挂', '京A12345', 'WJ12345'], ['粤A8Z8888挂', '粤粤A123', 'A-1234']],
  ['name', ['张三', '欧阳·娜娜', 'John Smith', '张三Smith'], ['张三1', '一二三四五六七八九十一', 'A'.repeat(21)]],
  ['phrase', ['配送中', '即将到期了'], ['即将到期了吗', 'OK', '配送 中']],
  [{ type: 'enum', values: ['已完成', '未完成'] }, ['已完成'], ['完成']],
])('%j keyword rules', (spec, good, bad) => {
  for (const v of good) expect([v, keywordValueProblem(spec, v)]).toEqual([v, null]);
  for (const v of bad) expect([v, keywordValueProblem(spec, v)]).toEqual([v, 'invalid']);
  expect(keywordValueProblem(spec, '')).toBe('empty');
});

test('setPages restricts page to the mini program pages', async () => {
  backend.setQuotaPolicy('unlimited');
  backend.setPages(['pages/index/index', '/pages/task/detail']);
  try {
    await expect(send(taskMessage({ page: 'pages/task/detail?id=1' }))).resolves.toMatchObject({ errCode: 0 });
    await expect(send(taskMessage({ page: 'pages/task/missing' }))).rejects.toMatchObject({ errCode: 41030 });
  } finally {
    backend.setPages(undefined);
  }
});

test('failNext injects WeChat errors without consuming quota, then sends work again', async () => {
  backend.grant(ALICE, TASK);
  const quota = backend.quota(ALICE, TASK);
  backend.failNext(-1);
  backend.failNext(47003);
  backend.failNext(43101);
  await expect(send(taskMessage())).rejects.toMatchObject({ errCode: -1, errMsg: expect.stringContaining('system error') });
  await expect(send(taskMessage())).rejects.toMatchObject({ errCode: 47003 });
  await expect(send(taskMessage())).rejects.toMatchObject({ errCode: 43101 });
  expect(backend.quota(ALICE, TASK)).toBe(quota);
  expect(
    backend
      .outbox({ limit: 100_000 })
      .slice(-3)
      .map((e) => e.result.errCode),
  ).toEqual([-1, 47003, 43101]);
  await expect(send(taskMessage())).resolves.toMatchObject({ errCode: 0 });
  expect(() => backend.failNext(0)).toThrow();
});

test('templates are validated when configured', () => {
  expect(() => backend.setTemplates({ X: { title: 'x', keywords: { foo1: 'foo' as KeywordSpec } } })).toThrow('unknown type');
  // The failed call left the configured templates in place.
  expect(() => backend.setTemplates(TEMPLATES)).not.toThrow();
});

test('open APIs other than subscribeMessage.send fail loudly', async () => {
  await expect(cloud.openapi.security.msgSecCheck({ content: 'hi' })).rejects.toMatchObject({
    errMsg: expect.stringContaining('local cloud does not implement openapi.security.msgSecCheck'),
  });
});

test('the outbox is durable JSON lines, filterable and pageable; quotas survive a restart', async () => {
  backend.setQuotaPolicy('unlimited');
  clock = new Date('2024-05-02T00:00:00Z');
  await send(taskMessage({ touser: 'oCarolCarol0001' }));
  await send(taskMessage({ touser: 'oCarolCarol0001', page: 'pages/index/index' }));
  backend.grant('oCarolCarol0001', TASK, 3);

  const lines = fs.readFileSync(path.join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n');
  expect(lines.length).toBe(backend.outbox({ limit: 100_000 }).length);
  const carol = backend.outbox({ touser: 'oCarolCarol0001' });
  expect(carol.map((e) => e.page)).toEqual(['pages/task/detail?id=t1', 'pages/index/index']);
  expect(backend.outbox({ touser: 'oCarolCarol0001', offset: 1, limit: 1 }).map((e) => e.page)).toEqual(['pages/index/index']);
  expect(new Set(backend.outbox({ limit: 100_000 }).map((e) => e.id)).size).toBe(lines.length);

  // A crash mid-append leaves a torn line; a restart must not glue the next entry to it.
  fs.appendFileSync(path.join(dir, 'outbox.jsonl'), '{"id":"torn');
  const restarted = createOpenApiBackend({ dir, now: () => clock });
  restarted.setTemplates(TEMPLATES);
  expect(restarted.quota('oCarolCarol0001', TASK)).toBe(3);
  expect(restarted.outbox({ limit: 100_000 })).toHaveLength(lines.length);
  const reply = await restarted.handle(
    { action: 'wx.openApi', apiName: 'subscribeMessage.send', requestData: Buffer.from([0xff, 0xff]) },
    {
      params: { action: 'wx.openApi' },
    },
  );
  expect(Buffer.isBuffer(reply)).toBe(true);
  expect(restarted.outbox({ limit: 100_000 })).toHaveLength(lines.length);

  restarted.setQuotaPolicy('unlimited');
  installSdkSeam({ 'wx.': restarted.handle });
  try {
    await send(taskMessage({ touser: 'oCarolCarol0001', page: 'pages/after/restart' }));
  } finally {
    installSdkSeam({ 'wx.': backend.handle });
  }
  expect(restarted.outbox({ touser: 'oCarolCarol0001' }).map((e) => e.page)).toEqual([
    'pages/task/detail?id=t1',
    'pages/index/index',
    'pages/after/restart',
  ]);
});
