import { db } from '../../cloudfunctions/common/cloud';
import type { AuditEntryView } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';
import { CONTACTS, approveContacts } from '../helpers/journey';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['ssfj']);
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);

/** Every page of the log for `filter`, `limit` at a time. */
async function readAll(filter: { actor?: string; action?: string }, limit: number): Promise<{ entries: AuditEntryView[]; pages: number }> {
  const entries: AuditEntryView[] = [];
  let before: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = okData(await admin()('audit.list', { ...filter, limit, ...(before === undefined ? {} : { before }) }));
    entries.push(...page.entries);
    if (page.next === null) return { entries, pages };
    before = page.next;
  }
}

test('newest first with names resolved; filters by actor and action', async () => {
  okData(await admin()('unit.retire', { id: 'xiangcheng-zhen' }));
  const page = okData(await admin()('audit.list', { limit: 3 }));
  expect(page.entries.map((e) => [e.action, e.actorName, e.target, e.targetName])).toEqual([
    ['unit.retire', '测试管理员', 'unit:xiangcheng-zhen', '香城镇'],
    ['contact.approve', '测试管理员', `contact:${CONTACTS.ssfj.openid}`, CONTACTS.ssfj.name],
    ['contact.bind', CONTACTS.ssfj.name, `contact:${CONTACTS.ssfj.openid}`, CONTACTS.ssfj.name],
  ]);
  expect(page.entries[0]).toMatchObject({
    id: expect.any(String),
    actor: ADMIN,
    at: expect.stringMatching(/Z$/),
    detail: { name: '香城镇' },
  });
  expect(page.next).not.toBeNull();

  const mine = okData(await admin()('audit.list', { actor: CONTACTS.ssfj.openid }));
  expect(mine.entries.map((e) => e.action)).toEqual(['contact.bind']);
  expect(mine.next).toBeNull();
  const approvals = okData(await admin()('audit.list', { action: 'contact.approve' }));
  expect(approvals.entries.map((e) => e.target)).toEqual([`contact:${CONTACTS.ssfj.openid}`]);
});

test('paging neither repeats nor skips entries, also when many share one timestamp', async () => {
  const at = new Date('2021-10-01T01:00:00Z');
  await db.collection('audit').add({
    data: Array.from({ length: 25 }, (_v, i) => ({ at, actor: ADMIN, action: 'test.same', target: `unit:u${i}` })),
  });
  const total = t.cloud.db.count('audit', {});
  const { entries, pages } = await readAll({}, 7);
  expect(entries).toHaveLength(total);
  expect(new Set(entries.map((e) => e.id)).size).toBe(total);
  expect(pages).toBe(Math.ceil(total / 7));
  const times = entries.map((e) => Date.parse(e.at));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
  const same = await readAll({ action: 'test.same' }, 4);
  expect(same.entries.map((e) => e.target).sort()).toEqual(Array.from({ length: 25 }, (_v, i) => `unit:u${i}`).sort());
});

test('never returns phone numbers, even from an entry that held one', async () => {
  await db.collection('audit').add({
    data: {
      at: new Date(),
      actor: ADMIN,
      action: 'test.legacy',
      target: `contact:${CONTACTS.ssfj.openid}`,
      detail: { phone: CONTACTS.ssfj.phone, note: `电话 ${CONTACTS.ssfj.phone}` },
    },
  });
  const page = okData(await admin()('audit.list', { limit: 100 }));
  expect(JSON.stringify(page)).not.toContain(CONTACTS.ssfj.phone);
  expect(page.entries.find((e) => e.action === 'test.legacy')?.detail).toEqual({ note: '电话 138****0001' });
});

test.each<[string, Record<string, unknown>, string]>([
  ['a made-up cursor', { before: 'yesterday' }, 'before'],
  ['an operator as cursor', { before: '{"$gt":0}' }, 'before'],
  ['limit 0', { limit: 0 }, 'limit'],
  ['limit over 100', { limit: 101 }, 'limit'],
  ['a malformed action', { action: 'DROP TABLE' }, 'action'],
  ['an unknown field', { phone: '13800000001' }, 'phone'],
])('refuses %s', async (_what, input, field) => {
  expect(refused(await admin()('audit.list', input as never))).toMatchObject({ code: 'INVALID_INPUT', field });
});
