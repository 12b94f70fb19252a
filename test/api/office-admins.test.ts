import { ADMIN, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';
import { CONTACTS, approveContacts } from '../helpers/journey';

const NEWCOMER = 'o-office-newcomer-01';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['szfbgs', 'ssfj']);
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);
const adminIds = () =>
  t.cloud.db
    .find('contacts', { isAdmin: true })
    .map((c) => c._id as string)
    .sort();

describe('admin.add and admin.list', () => {
  test('a contact of 市政府办公室 becomes an administrator and keeps reporting for the unit', async () => {
    const office = CONTACTS.szfbgs;
    expect(refused(await t.as(office.openid)('admin.list', {})).code).toBe('FORBIDDEN');
    const added = okData(await admin()('admin.add', { openid: office.openid, name: '别的名字' }));
    // The person's own name (given when binding) is kept.
    expect(added).toEqual({ openid: office.openid, name: office.name, unitId: 'szfbgs', unitName: '市政府办公室', isSelf: false });
    expect(okData(await admin()('admin.list', {}))).toEqual([
      { openid: office.openid, name: office.name, unitId: 'szfbgs', unitName: '市政府办公室', isSelf: false },
      { openid: ADMIN, name: '测试管理员', unitId: null, unitName: '', isSelf: true },
    ]);
    // Both roles at once: admin actions and the unit's own tasks.
    expect(okData(await t.as(office.openid)('admin.list', {})).find((a) => a.isSelf)?.openid).toBe(office.openid);
    expect(okData(await t.as(office.openid)('tasks.mine', {})).unit.id).toBe('szfbgs');
    expect(t.cloud.db.find('audit', { action: 'admin.add' })).toEqual([
      expect.objectContaining({ actor: ADMIN, target: `contact:${office.openid}`, detail: { name: office.name, newRecord: false } }),
    ]);
  });

  test('someone with no record yet gets one with no unit; adding again changes nothing', async () => {
    const added = okData(await admin()('admin.add', { openid: NEWCOMER, name: ' 政务公开科 王科长 ' }));
    expect(added).toEqual({ openid: NEWCOMER, name: '政务公开科 王科长', unitId: null, unitName: '', isSelf: false });
    expect(okData(await t.as(NEWCOMER)('me.get', {}))).toMatchObject({ isAdmin: true, contact: null });
    expect(t.cloud.db.find('contacts', { _id: NEWCOMER })[0]).toMatchObject({ unitId: null, status: null, phone: '', isAdmin: true });
    okData(await admin()('admin.add', { openid: NEWCOMER, name: '政务公开科 王科长' }));
    expect(t.cloud.db.count('audit', { action: 'admin.add' })).toBe(1);
  });

  test('input is checked field by field and nothing is written', async () => {
    expect(refused(await admin()('admin.add', { openid: 'o-x y', name: '张三' }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'openid',
    });
    expect(refused(await admin()('admin.add', { openid: NEWCOMER, name: '张'.repeat(21) }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'name',
    });
    expect(refused(await admin()('admin.add', { openid: NEWCOMER } as never))).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
    expect(adminIds()).toEqual([ADMIN]);
  });
});

describe('admin.remove', () => {
  test('never leaves zero administrators; removing yourself is fine when another remains, and takes effect at once', async () => {
    const last = refused(await admin()('admin.remove', { openid: ADMIN }));
    expect(last).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('至少要保留一位管理员') });
    expect(adminIds()).toEqual([ADMIN]);

    okData(await admin()('admin.add', { openid: NEWCOMER, name: '王科长' }));
    const removed = okData(await admin()('admin.remove', { openid: ADMIN }));
    expect(removed).toMatchObject({ openid: ADMIN, isSelf: true });
    expect(refused(await admin()('admin.list', {})).code).toBe('FORBIDDEN');
    expect(adminIds()).toEqual([NEWCOMER]);
    expect(t.cloud.db.find('audit', { action: 'admin.remove' })).toEqual([
      expect.objectContaining({ actor: ADMIN, target: `contact:${ADMIN}`, detail: { name: '测试管理员', self: true, remaining: 1 } }),
    ]);
    // The new one cannot remove themselves now either.
    expect(refused(await t.as(NEWCOMER)('admin.remove', { openid: NEWCOMER })).code).toBe('CONFLICT');
  });

  test('a removed administrator who is a contact keeps the unit binding', async () => {
    const office = CONTACTS.szfbgs.openid;
    okData(await admin()('admin.add', { openid: office, name: '办公丙' }));
    okData(await admin()('admin.remove', { openid: office }));
    expect(refused(await t.as(office)('overview.round', { roundId: 'any-round' })).code).toBe('FORBIDDEN');
    expect(okData(await t.as(office)('tasks.mine', {})).unit.id).toBe('szfbgs');
    // Removing again is the same outcome, not another event.
    okData(await admin()('admin.remove', { openid: office }));
    expect(t.cloud.db.count('audit', { action: 'admin.remove' })).toBe(1);
  });

  test('two administrators removing each other at once: exactly one wins, one administrator remains', async () => {
    okData(await admin()('admin.add', { openid: NEWCOMER, name: '王科长' }));
    const [a, b] = await Promise.all([admin()('admin.remove', { openid: NEWCOMER }), t.as(NEWCOMER)('admin.remove', { openid: ADMIN })]);
    expect([a, b].filter((r) => r.ok)).toHaveLength(1);
    const loser = [a, b].find((r) => !r.ok);
    expect(loser).toMatchObject({ ok: false });
    // The loser is refused either as no longer an admin or because one must remain.
    expect(['FORBIDDEN', 'CONFLICT']).toContain(loser && !loser.ok ? loser.code : '');
    expect(adminIds()).toHaveLength(1);
    expect(t.cloud.db.count('audit', { action: 'admin.remove' })).toBe(1);
  });

  test('unknown people are NOT_FOUND', async () => {
    expect(refused(await admin()('admin.remove', { openid: 'o-nobody-000001' })).code).toBe('NOT_FOUND');
  });
});
