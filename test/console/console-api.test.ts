/**
 * The local console's JSON endpoints, without a browser: paging and the
 * field filter, the plan as a table, masking of openids and phone numbers,
 * the timer run on a simulated day, and the refusal of cross-origin and
 * rebinding requests.
 */
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import { ADMIN, TEMPLATES, okData } from '../helpers/local-cloud';
import { CONTACTS, startUploader } from '../helpers/journey';
import { uploadPrefix } from '../../miniprogram/shared/api';
import { addActivity, startConsoleCloud, type Activity, type ConsoleCloud } from '../helpers/console';
import { hostAllowed } from '../../scripts/local-cloud/console/routes';
import { maskValue } from '../../scripts/local-cloud/console/views';
import type {
  SubscriptionRow,
  CallRow,
  DocRow,
  FileRow,
  OutboxRow,
  Page,
  PlanTableView,
  RunTimerResult,
  TimerRow,
  UserRow,
} from '../../scripts/local-cloud/console/types';

let c: ConsoleCloud;
let activity: Activity;
const PHOTO = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c60000000049454e44ae426082',
  'hex',
);

beforeAll(async () => {
  c = await startConsoleCloud();
  activity = await addActivity(c.t, PHOTO);
});
afterAll(() => c.close());

async function view<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${c.base}/local/console/${pathAndQuery}`);
  const body = (await res.json()) as T & { errMsg?: string };
  if (res.status !== 200) throw new Error(`${res.status} ${body.errMsg}`);
  return body;
}

/** A raw request, so tests control every header (fetch would set Host and Origin itself). */
function raw(method: string, pathname: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  const { port } = new URL(c.base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), method, path: pathname, headers }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('数据', () => {
  test('collections come with their counts', async () => {
    const rows = await view<{ name: string; count: number }[]>('collections');
    const count = Object.fromEntries(rows.map((r) => [r.name, r.count]));
    expect(count).toMatchObject({ tasks: 44, units: 35, plans: 1, contacts: 5 });
  });

  test('documents page through a collection', async () => {
    const first = await view<Page<DocRow>>('docs?collection=tasks&offset=0&limit=20');
    expect(first).toMatchObject({ total: 44, offset: 0, limit: 20, next: 20 });
    expect(first.items).toHaveLength(20);
    const last = await view<Page<DocRow>>('docs?collection=tasks&offset=40&limit=20');
    expect(last.items.map((d) => d.no)).toEqual([41, 42, 43, 44]);
    expect(last.next).toBeNull();
  });

  test('the field filter matches numbers exactly and text by containing', async () => {
    const byNo = await view<Page<DocRow>>('docs?collection=tasks&field=no&value=11');
    expect(byNo.items.map((d) => d._id)).toEqual(['plan-2021-t11']);
    const byText = await view<Page<DocRow>>(`docs?collection=tasks&field=requirement&value=${encodeURIComponent('互联网+执法')}`);
    expect(byText.items.map((d) => d.no)).toEqual([11]);
    const byUnit = await view<Page<DocRow>>('docs?collection=assignments&field=unitId&value=ssfj&limit=200');
    expect(byUnit.total).toBeGreaterThan(0);
    expect(byUnit.items.every((d) => d.unitId === 'ssfj')).toBe(true);
  });

  test.each([
    ['docs?collection=nope', '没有集合'],
    ['docs?collection=tasks&field=$where&value=1', '字段名'],
    ['docs?collection=tasks&limit=0', 'limit'],
    ['docs?collection=tasks&offset=-1', 'offset'],
    ['plan?year=1999', '1999'],
    ['nope', 'no console view'],
  ])('%s is refused with a clear message', async (query, message) => {
    const res = await fetch(`${c.base}/local/console/${query}`);
    expect([400, 404]).toContain(res.status);
    expect(((await res.json()) as { errMsg: string }).errMsg).toContain(message);
  });

  test('the 2021 plan reads as the printed table, roles resolved to unit names', async () => {
    const plan = await view<PlanTableView>('plan?year=2021');
    expect(plan.tasks).toHaveLength(44);
    expect(plan.tasks.map((t) => t.no)).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
    const t1 = plan.tasks[0];
    expect(t1?.section).toContain('深化重点领域政府信息公开');
    expect(t1?.roles.find((r) => r.role === 'lead')).toMatchObject({ label: '牵头', units: ['市发展改革局', '市自然资源和规划局'] });
    const cooperate = t1?.roles.find((r) => r.role === 'cooperate');
    expect(cooperate?.named).toEqual(['市政府各部门', '各镇街']);
    // The groups resolve to every unit but the leads.
    expect(cooperate?.units.length).toBeGreaterThan(20);
    expect(cooperate?.units).toContain('香城镇');
    expect(plan.tasks[10]?.roles).toEqual([{ role: 'responsible', label: '责任', named: ['市司法局'], units: ['市司法局'] }]);
    expect(plan.assignments).toBe(c.t.cloud.db.count('assignments', {}));
  });
});

describe('masking', () => {
  test('openids and phone numbers never appear whole in the data browser', async () => {
    const contacts = await view<Page<DocRow>>('docs?collection=contacts&limit=200');
    const text = JSON.stringify(contacts);
    for (const person of Object.values(CONTACTS)) {
      expect(text).not.toContain(person.openid);
      expect(text).not.toContain(person.phone);
    }
    expect(text).not.toContain(ADMIN);
    expect(contacts.items.map((d) => d.phone)).toContain('138****0001');
    expect(contacts.items.map((d) => d._id)).toContain('o-co***0001');
    // Inside composite keys too (`<openid>:<template>`).
    const subs = await view<Page<DocRow>>('docs?collection=subscriptions');
    expect(subs.items.map((d) => d._id)).toContain(`o-co***0001:${TEMPLATES.deadline}`);
    expect(JSON.stringify(subs)).not.toContain(CONTACTS.ssfj.openid);
  });

  test('the calls log keeps no payload: no names, no phones, no typed-in action text', async () => {
    okData(await c.t.as('o-console-newcomer')('contact.bind', { unitId: 'swbb', name: '隐私测试', phone: '13912345678' }));
    await c.t.as('o-console-newcomer')('13912345678' as never);
    const calls = await view<Page<CallRow>>('calls?limit=200');
    const text = JSON.stringify(calls) + JSON.stringify(c.t.cloud.calls);
    expect(text).not.toContain('13912345678');
    expect(text).not.toContain('隐私测试');
    expect(text).not.toContain('o-console-newcomer');
    expect(calls.items[0]).toMatchObject({ fn: 'api', action: '(invalid)', caller: 'o-co***omer', source: 'wx_client' });
    expect(calls.items[1]).toMatchObject({ action: 'contact.bind', result: 'ok' });
  });

  test('users carry the full openid only as the value the 账号 panel calls with', async () => {
    const users = await view<UserRow[]>('users');
    expect(users[0]).toMatchObject({ openid: ADMIN, isAdmin: true, masked: 'o-te***dmin' });
    expect(users.find((u) => u.openid === CONTACTS.ssfj.openid)).toMatchObject({ name: '司法甲', unitName: '市司法局', status: '已通过' });
  });
});

describe('存储', () => {
  test('files list size, unit and masked owner, with a working same-origin link', async () => {
    const page = await view<Page<FileRow>>('files');
    const photo = page.items.find((f) => f.cloudPath === activity.photoShown);
    expect(photo).toMatchObject({
      size: PHOTO.length,
      contentType: 'image/png',
      unitName: '市司法局',
      owner: 'o-co***0001',
      preview: true,
    });
    expect(photo?.url).toMatch(/^\/storage\/file\/.+\?sign=[0-9a-f]{64}&t=\d+$/);
    const bytes = Buffer.from(await (await fetch(`${c.base}${photo?.url}`)).arrayBuffer());
    expect(bytes.equals(PHOTO)).toBe(true);
  });

  test('an uploaded page or SVG opened from the console origin runs sandboxed', async () => {
    // The contact's own upload folder, the only place the storage rule lets a contact create files.
    const MINE = uploadPrefix(CONTACTS.ssfj.unitId, CONTACTS.ssfj.openid);
    const uploader = await startUploader(c.t);
    try {
      await uploader.upload(
        CONTACTS.ssfj.openid,
        `${MINE}evil.svg`,
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
      );
      await uploader.upload(CONTACTS.ssfj.openid, `${MINE}evil.html`, Buffer.from('<script>1</script>'));
    } finally {
      await uploader.close();
    }
    const page = await view<Page<FileRow>>(`files?prefix=${MINE}evil`);
    expect(page.items.map((f) => [f.cloudPath, f.preview])).toEqual([
      [maskValue(`${MINE}evil.html`, [CONTACTS.ssfj.openid]), false],
      [maskValue(`${MINE}evil.svg`, [CONTACTS.ssfj.openid]), false],
    ]);
    for (const f of page.items) {
      const res = await fetch(`${c.base}${f.url}`);
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
    }
    const png = await fetch(`${c.base}${(await view<Page<FileRow>>(`files?prefix=${MINE}2021`)).items[0]?.url}`);
    expect(png.headers.get('content-security-policy')).toBeNull();
  });
});

describe('函数 and 消息', () => {
  test('timers show their cron and the next fire time', async () => {
    const timers = await view<TimerRow[]>('timers');
    expect(timers.map((x) => [x.fn, x.trigger, x.cron])).toEqual([
      ['linkcheck', 'check-new-links', '0 */10 * * * * *'],
      ['reminder', 'remind', '0 0,3,6,9,12,15,18,21,24,27 9 * * * *'],
    ]);
    const t = timers[1];
    const next = new Date(t?.next ?? '');
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
    // 09:00, 09:03, … 09:27 in UTC+8.
    expect(next.getUTCHours()).toBe(1);
    expect([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]).toContain(next.getUTCMinutes());
  });

  test('run-timer fires the real reminder on a simulated day; the outbox fills, 43101 included', async () => {
    const run = async (body: unknown) => {
      const res = await fetch(`${c.base}/local/console/run-timer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as RunTimerResult & { errMsg?: string } };
    };
    const { status, body } = await run({ function: 'reminder', trigger: 'remind', date: activity.remindDay });
    expect(status).toBe(200);
    // The cron's own time of that day: 09:00 UTC+8.
    expect(body.time).toBe(new Date(`${activity.remindDay}T09:00:00+08:00`).toISOString());
    expect(body.result).toMatchObject({ ok: true, data: { day: activity.remindDay, sent: 2 } });
    expect(body.outboxAfter - body.outboxBefore).toBe(3);
    expect(c.t.cloud.calls.at(-1)).toMatchObject({ fn: 'reminder', source: 'wx_trigger', caller: '-' });

    const outbox = await view<Page<OutboxRow>>('outbox');
    const byName = Object.fromEntries(outbox.items.map((e) => [e.toName ?? '', e]));
    expect(byName['司法甲（市司法局）']).toMatchObject({ errCode: 0, templateTitle: '任务截止提醒', page: 'pages/home/index' });
    expect(byName['办公丙（市政府办公室）']).toMatchObject({ errCode: 43101 });
    expect(byName['司法甲（市司法局）']?.fields.map((f) => f.key)).toEqual(['thing1', 'time2', 'thing3']);
    expect(JSON.stringify(outbox)).not.toContain(CONTACTS.ssfj.openid);

    const log = await view<Page<{ unitName: string; stateLabel: string; reason: string | null }>>('reminders?limit=200');
    expect(log.total).toBe(c.t.cloud.db.count('reminders', {}));
    expect(log.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unitName: '市司法局', stateLabel: '已发送' }),
        expect.objectContaining({ unitName: '市政府办公室', stateLabel: '无法送达', reason: '已拒收或关闭订阅' }),
        expect.objectContaining({ unitName: '市财政局', reason: '未绑定联络员' }),
      ]),
    );

    // The same day again sends nothing twice: the function's own keys, not the console, decide.
    const again = await run({ function: 'reminder', trigger: 'remind', date: activity.remindDay, time: '15:30' });
    expect(again.body.time).toBe(new Date(`${activity.remindDay}T15:30:00+08:00`).toISOString());
    expect(again.body.outboxAfter).toBe(again.body.outboxBefore);

    for (const [bad, message] of [
      [{ function: 'reminder', trigger: 'nope' }, '没有定时触发器'],
      [{ function: 'api', trigger: 'remind' }, '没有定时触发器'],
      [{ function: 'reminder', trigger: 'remind', date: '2021-02-30' }, 'YYYY-MM-DD'],
      [{ function: 'reminder', trigger: 'remind', date: '2021-09-27', time: '9点' }, 'HH:mm'],
      [{}, '请求体'],
    ] as const) {
      const res = await run(bad);
      expect(res.status).toBe(400);
      expect(res.body.errMsg).toContain(message);
    }
  });

  test('fail-next makes WeChat refuse the next send', async () => {
    const res = await fetch(`${c.base}/local/console/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errCode: 43101 }),
    });
    expect(await res.json()).toEqual({ errCode: 43101, times: 1 });
    // 司法局's contact accepts again, so the due-day reminder has exactly one recipient.
    const { openid } = CONTACTS.ssfj;
    okData(await c.t.as(openid)('subscription.record', { results: { [TEMPLATES.deadline]: 'accept' } }));
    c.t.cloud.openapi.grant(openid, TEMPLATES.deadline);
    const before = c.t.cloud.openapi.outbox({ limit: 1e6 }).length;
    await c.t.cloud.runTrigger('reminder', 'remind', { Time: `${activity.dueDate}T09:00:00+08:00` });
    const sent = c.t.cloud.openapi.outbox({ limit: 1e6 }).slice(before);
    expect(sent.map((e) => [e.touser, e.result.errCode])).toEqual([[openid, 43101]]);
  });

  test('订阅情况 lists the ledger by person and template with its kind and what is left', async () => {
    okData(await c.t.as(CONTACTS.swbb.openid)('subscription.record', { results: { [TEMPLATES.urge]: 'accept' } }));
    const subs = await view<Page<SubscriptionRow>>('subscriptions');
    expect(subs.total).toBe(c.t.cloud.db.count('subscriptions', {}));
    const byPerson = Object.fromEntries(subs.items.map((r) => [`${r.person}|${r.templateTitle}`, r]));
    expect(byPerson['编办丁（市委编办）|催办通知']).toMatchObject({ kindLabel: '一次性', stateLabel: '剩余 1 次', active: true });
    // Spent by the reminder runs above (市政府办公室's by WeChat's 43101).
    expect(byPerson['办公丙（市政府办公室）|任务截止提醒']).toMatchObject({ kindLabel: '一次性', stateLabel: '已用完', active: false });
    expect(subs.items[0]?.person).toBe('编办丁（市委编办）');
    expect(JSON.stringify(subs)).not.toContain(CONTACTS.swbb.openid);
  });
});

describe('only the developer’s own browser', () => {
  const runBody = JSON.stringify({ function: 'reminder', trigger: 'remind' });

  test.each([
    ['another site’s Origin', { origin: 'http://evil.example', 'content-type': 'application/json' }],
    ['a null Origin (sandboxed page)', { origin: 'null', 'content-type': 'application/json' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }],
    ['a form post (text/plain)', { 'content-type': 'text/plain' }],
  ])('a POST with %s cannot fire a timer', async (_what, headers) => {
    const calls = c.t.cloud.calls.length;
    const res = await raw('POST', '/local/console/run-timer', headers, runBody);
    expect(res.status).toBe(403);
    expect(c.t.cloud.calls.length).toBe(calls);
  });

  test('a same-origin POST from the page is accepted', async () => {
    const { host } = new URL(c.base);
    const headers = { origin: c.base, host, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
    const res = await raw('POST', '/local/console/run-timer', headers, runBody);
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as RunTimerResult).result).toMatchObject({ ok: true });
  });

  test('a request by DNS name (rebinding) gets nothing, not even the page', async () => {
    for (const pathname of ['/', '/local/console/users', '/local/console/docs?collection=contacts']) {
      const res = await raw('GET', pathname, { host: 'attacker.example:80' });
      expect(res.status).toBe(403);
      expect(res.body).not.toContain('o-test');
    }
    expect((await raw('GET', '/local/console/collections', { host: 'localhost' })).status).toBe(200);
  });

  test('GET is not a way to fire a timer', async () => {
    expect((await fetch(`${c.base}/local/console/run-timer`)).status).toBe(405);
  });
});

test.each([
  ['127.0.0.1:3900', true],
  ['localhost:3900', true],
  ['[::1]:3900', true],
  ['192.168.1.20:3900', true],
  ['evil.example:3900', false],
  ['localhost.evil.example', false],
  ['evil.example@127.0.0.1', false],
  [undefined, false],
])('Host %s is answered: %s', (host, ok) => {
  expect(hostAllowed(host)).toBe(ok);
});

test('masking replaces whole known openids only, and shortens phone numbers', () => {
  const id = CONTACTS.ssfj.openid;
  expect(maskValue({ _id: `${id}:${TEMPLATES.deadline}`, phone: '13800000001', at: new Date(0), note: '第11项' }, [id, ''])).toEqual({
    _id: `o-co***0001:${TEMPLATES.deadline}`,
    phone: '138****0001',
    at: '1970-01-01T00:00:00.000Z',
    note: '第11项',
  });
});

describe('the page', () => {
  test('served with a strict CSP; a clear Chinese page when the console is not built', async () => {
    const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-console-assets-'));
    const built = await startConsoleCloud({ consoleAssets: assets });
    try {
      const missing = await fetch(`${built.base}/`);
      expect(missing.status).toBe(503);
      expect(await missing.text()).toContain('npm run build');

      fs.writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>本地云控制台</title>');
      fs.writeFileSync(path.join(assets, 'console.js'), '/* client */');
      fs.writeFileSync(path.join(assets, 'console.css'), '/* styles */');
      const page = await fetch(`${built.base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(await page.text()).toContain('本地云控制台');
      expect((await fetch(`${built.base}/console/console.js`)).headers.get('content-type')).toContain('javascript');
      // The bridge's own routes are untouched.
      expect((await fetch(`${built.base}/health`)).status).toBe(200);
      expect((await fetch(`${built.base}/local/outbox`)).status).toBe(200);
      expect((await fetch(`${built.base}/console/other.js`)).status).toBe(404);
    } finally {
      await built.close();
      fs.rmSync(assets, { recursive: true, force: true });
    }
  });
});
