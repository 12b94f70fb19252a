import { opengidOf } from '../../cloudfunctions/api/src/group';
import { db } from '../../cloudfunctions/common/cloud';
import { ADMIN, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';

const ZHANG = 'o-contact-zhang01';
const LI = 'o-contact-li00002';
const GROUP = 'tG-zwgk-work-group';
const OTHER_GROUP = 'tG-family-chat-01';
const MOBILE = '13812345678';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

const bind = (openid: string, data: { unitId: string; name: string; phone: string; groupCloudId?: string }) =>
  t.as(openid)('contact.bind', data);
const auditOf = (filter: Record<string, unknown>) => t.cloud.db.find('audit', filter);
/** An active contact of a unit, through the office's approval. */
async function activeContact(openid: string, unitId: string, name = '张三'): Promise<void> {
  okData(await bind(openid, { unitId, name, phone: MOBILE }));
  okData(await t.as(ADMIN)('contact.approve', { openid }));
}
async function registerGroup(): Promise<void> {
  okData(await t.as(ADMIN)('group.register', { groupCloudId: t.cloud.issueGroupCloudId(ADMIN, GROUP) }));
}

describe('unit.list', () => {
  test('lists the active units in directory order', async () => {
    const units = okData(await t.as('o-anyone-0001')('unit.list', {}));
    expect(units).toHaveLength(35);
    expect(units.slice(0, 3).map((u) => u.name)).toEqual(['市发展改革局', '市自然资源和规划局', '市政府办公室']);
    expect(units.find((u) => u.id === 'xiangcheng-zhen')).toEqual({
      id: 'xiangcheng-zhen',
      name: '香城镇',
      kind: 'town',
      named: false,
      active: true,
    });

    await retireUnit('ssfj');
    const after = okData(await t.as('o-anyone-0001')('unit.list', {}));
    expect(after.map((u) => u.id)).not.toContain('ssfj');
    expect(after).toHaveLength(34);
  });
});

async function retireUnit(unitId: string): Promise<void> {
  await db
    .collection('units')
    .doc(unitId)
    .update({ data: { active: false } });
}

describe('binding and approval', () => {
  test('bind → pending → approved: the contact sees a masked phone, the office the full one', async () => {
    const me = okData(await bind(ZHANG, { unitId: 'ssfj', name: ' 张三 ', phone: ' 138 1234 5678 ' }));
    expect(me.contact).toEqual({ status: 'pending', unitId: 'ssfj', unitName: '市司法局', name: '张三', phone: '138****5678' });
    // Pending is no access yet.
    expect(refused(await t.as(ZHANG)('round.list', {})).code).toBe('NOT_BOUND');

    const list = okData(await t.as(ADMIN)('contact.list', {}));
    expect(list[0]).toMatchObject({ openid: ZHANG, status: 'pending', unitName: '市司法局', phone: MOBILE, isAdmin: false });
    expect(new Date(list[0]?.createdAt ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);

    const approved = okData(await t.as(ADMIN)('contact.approve', { openid: ZHANG }));
    expect(approved).toMatchObject({ openid: ZHANG, status: 'active', phone: MOBILE, unitId: 'ssfj' });
    const after = okData(await t.as(ZHANG)('me.get', {}));
    expect(after.contact).toEqual({ status: 'active', unitId: 'ssfj', unitName: '市司法局', name: '张三', phone: '138****5678' });
    expect(okData(await t.as(ZHANG)('round.list', {}))).toEqual([]);

    const entries = auditOf({ target: `contact:${ZHANG}` });
    expect(entries.map((e) => e.action)).toEqual(['contact.bind', 'contact.approve']);
    expect(entries[0]).toMatchObject({ actor: ZHANG, detail: { unitId: 'ssfj', status: 'pending', via: 'request' } });
    expect(entries[1]).toMatchObject({ actor: ADMIN, detail: { unitId: 'ssfj', from: 'pending' } });
  });

  test('a landline is accepted and stored in one form', async () => {
    okData(await bind(LI, { unitId: 'xiangcheng-zhen', name: '李四', phone: '0537 5212345' }));
    const [li] = okData(await t.as(ADMIN)('contact.list', { unitId: 'xiangcheng-zhen' }));
    expect(li).toMatchObject({ openid: LI, phone: '0537-5212345' });
    expect(okData(await t.as(LI)('me.get', {})).contact?.phone).toBe('053*****2345');
  });

  test('an admin who also reports for a unit keeps admin rights and sees the full phone', async () => {
    const me = okData(await bind(ADMIN, { unitId: 'szfbgs', name: '王科长', phone: MOBILE }));
    expect(me).toMatchObject({ isAdmin: true, contact: { status: 'pending', phone: MOBILE } });
    okData(await t.as(ADMIN)('contact.approve', { openid: ADMIN }));
    expect(okData(await t.as(ADMIN)('me.get', {}))).toMatchObject({ isAdmin: true, contact: { status: 'active', unitId: 'szfbgs' } });
  });

  test('reject with a note: the request ends; the person may apply again', async () => {
    okData(await bind(LI, { unitId: 'sfgj', name: '李四', phone: MOBILE }));
    const rejected = okData(await t.as(ADMIN)('contact.reject', { openid: LI, note: '不是本单位人员' }));
    expect(rejected.status).toBe('rejected');
    expect(okData(await t.as(LI)('me.get', {})).contact?.status).toBe('rejected');
    expect(refused(await t.as(LI)('round.list', {})).code).toBe('NOT_BOUND');
    expect(auditOf({ action: 'contact.reject' })).toEqual([
      expect.objectContaining({
        actor: ADMIN,
        target: `contact:${LI}`,
        detail: { unitId: 'sfgj', from: 'pending', note: '不是本单位人员' },
      }),
    ]);

    // Impossible transitions say why.
    const approve = refused(await t.as(ADMIN)('contact.approve', { openid: LI }));
    expect(approve).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('已退回') });
    expect(refused(await t.as(ADMIN)('contact.reject', { openid: LI })).code).toBe('CONFLICT');
    expect(refused(await t.as(ADMIN)('contact.remove', { openid: LI })).code).toBe('CONFLICT');

    okData(await bind(LI, { unitId: 'sfgj', name: '李四', phone: MOBILE }));
    expect(okData(await t.as(ADMIN)('contact.approve', { openid: LI })).status).toBe('active');
  });

  test('approving twice, or someone unknown, is refused clearly', async () => {
    okData(await bind(ZHANG, { unitId: 'ssfj', name: '张三', phone: MOBILE }));
    const [a, b] = await Promise.all([
      t.as(ADMIN)('contact.approve', { openid: ZHANG }),
      t.as(ADMIN)('contact.approve', { openid: ZHANG }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect(refused(a.ok ? b : a)).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('已通过审核') });
    expect(auditOf({ action: 'contact.approve' })).toHaveLength(1);
    expect(refused(await t.as(ADMIN)('contact.approve', { openid: 'o-nobody-here' })).code).toBe('NOT_FOUND');
    // The bootstrap admin has a record but no binding: nothing to approve.
    expect(refused(await t.as(ADMIN)('contact.approve', { openid: ADMIN })).code).toBe('NOT_FOUND');
  });

  test('approval is refused once the unit is retired', async () => {
    okData(await bind(ZHANG, { unitId: 'ssfj', name: '张三', phone: MOBILE }));
    await retireUnit('ssfj');
    expect(refused(await t.as(ADMIN)('contact.approve', { openid: ZHANG }))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('停用'),
    });
    expect(refused(await bind(LI, { unitId: 'ssfj', name: '李四', phone: MOBILE }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'unitId',
    });
  });
});

describe('re-binding, leaving and removal', () => {
  test('re-binding to another unit is pending again and ends access for the old unit', async () => {
    await activeContact(ZHANG, 'ssfj');
    const me = okData(await bind(ZHANG, { unitId: 'sfgj', name: '张三', phone: MOBILE }));
    expect(me.contact).toMatchObject({ status: 'pending', unitId: 'sfgj', unitName: '市发展改革局' });
    expect(refused(await t.as(ZHANG)('round.list', {})).code).toBe('NOT_BOUND');
    expect(okData(await t.as(ADMIN)('contact.list', { unitId: 'ssfj' }))).toEqual([]);
    expect(okData(await t.as(ADMIN)('contact.list', { unitId: 'sfgj' }))).toEqual([
      expect.objectContaining({ openid: ZHANG, status: 'pending' }),
    ]);
    expect(auditOf({ action: 'contact.bind', target: `contact:${ZHANG}` }).at(-1)).toMatchObject({
      detail: { unitId: 'sfgj', status: 'pending', previous: { unitId: 'ssfj', status: 'active' } },
    });
  });

  test('an approval names the unit the office reviewed: a re-bind in between is not approved blind', async () => {
    okData(await bind(ZHANG, { unitId: 'ssfj', name: '张三', phone: MOBILE }));
    // The office looks at the request for 市司法局 …
    okData(await bind(ZHANG, { unitId: 'sfgj', name: '张三', phone: MOBILE }));
    // … but the person switched to 市发展改革局 before the tap landed.
    expect(refused(await t.as(ADMIN)('contact.approve', { openid: ZHANG, unitId: 'ssfj' })).code).toBe('CONFLICT');
    expect(okData(await t.as(ZHANG)('me.get')).contact).toMatchObject({ status: 'pending', unitId: 'sfgj' });
    expect(okData(await t.as(ADMIN)('contact.approve', { openid: ZHANG, unitId: 'sfgj' }))).toMatchObject({
      status: 'active',
      unitId: 'sfgj',
    });
  });

  test('an active contact updating name or phone for the same unit stays active; a repeat writes nothing', async () => {
    await activeContact(ZHANG, 'ssfj');
    const me = okData(await bind(ZHANG, { unitId: 'ssfj', name: '张三丰', phone: '13912345678' }));
    expect(me.contact).toMatchObject({ status: 'active', name: '张三丰', phone: '139****5678' });
    const audits = auditOf({ action: 'contact.bind' }).length;
    okData(await bind(ZHANG, { unitId: 'ssfj', name: '张三丰', phone: '139 1234 5678' }));
    expect(auditOf({ action: 'contact.bind' })).toHaveLength(audits);
  });

  test('leaving ends access at once; leaving again changes nothing', async () => {
    await activeContact(ZHANG, 'ssfj');
    const me = okData(await t.as(ZHANG)('contact.leave', {}));
    expect(me.contact).toMatchObject({ status: 'removed', unitId: 'ssfj' });
    expect(refused(await t.as(ZHANG)('round.list', {})).code).toBe('NOT_BOUND');
    okData(await t.as(ZHANG)('contact.leave', {}));
    expect(auditOf({ action: 'contact.leave' })).toEqual([
      expect.objectContaining({ actor: ZHANG, detail: { unitId: 'ssfj', from: 'active' } }),
    ]);
    // Someone never bound may "leave" harmlessly.
    expect(okData(await t.as('o-never-bound-1')('contact.leave', {})).contact).toBeNull();
  });

  test('removal by the office ends access at once', async () => {
    await activeContact(ZHANG, 'ssfj');
    const removed = okData(await t.as(ADMIN)('contact.remove', { openid: ZHANG }));
    expect(removed).toMatchObject({ status: 'removed', unitId: 'ssfj' });
    expect(refused(await t.as(ZHANG)('round.list', {}))).toMatchObject({
      code: 'NOT_BOUND',
      message: expect.stringContaining('不是本单位联络员'),
    });
    expect(refused(await t.as(ADMIN)('contact.remove', { openid: ZHANG })).code).toBe('CONFLICT');
    expect(auditOf({ action: 'contact.remove' })).toEqual([expect.objectContaining({ actor: ADMIN, target: `contact:${ZHANG}` })]);
  });
});

describe('the 政务公开 group', () => {
  test('the office registers the group from its own group CloudID', async () => {
    await registerGroup();
    expect(t.cloud.db.find('settings', { _id: 'group' })).toEqual([expect.objectContaining({ opengid: GROUP, by: ADMIN })]);
    expect(auditOf({ action: 'group.register' })).toEqual([
      expect.objectContaining({ actor: ADMIN, detail: { opengid: GROUP, previous: null } }),
    ]);
  });

  test('a member opening from the group card is active at once', async () => {
    await registerGroup();
    const groupCloudId = t.cloud.issueGroupCloudId(ZHANG, GROUP);
    const me = okData(await bind(ZHANG, { unitId: 'ssfj', name: '张三', phone: MOBILE, groupCloudId }));
    expect(me.contact).toMatchObject({ status: 'active', unitId: 'ssfj' });
    expect(okData(await t.as(ZHANG)('round.list', {}))).toEqual([]);
    expect(auditOf({ action: 'contact.bind' })).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ via: 'group', status: 'active' }) }),
    ]);
    // Re-binding elsewhere through the group is active for the new unit only.
    okData(await bind(ZHANG, { unitId: 'sfgj', name: '张三', phone: MOBILE, groupCloudId: t.cloud.issueGroupCloudId(ZHANG, GROUP) }));
    expect(okData(await t.as(ZHANG)('me.get', {})).contact).toMatchObject({ status: 'active', unitId: 'sfgj' });
  });

  test('a CloudID of another group is no proof: the request waits for approval', async () => {
    await registerGroup();
    const me = okData(
      await bind(ZHANG, { unitId: 'ssfj', name: '张三', phone: MOBILE, groupCloudId: t.cloud.issueGroupCloudId(ZHANG, OTHER_GROUP) }),
    );
    expect(me.contact?.status).toBe('pending');
  });

  test('before any group is registered, a group CloudID proves nothing', async () => {
    const me = okData(
      await bind(ZHANG, { unitId: 'ssfj', name: '张三', phone: MOBILE, groupCloudId: t.cloud.issueGroupCloudId(ZHANG, GROUP) }),
    );
    expect(me.contact?.status).toBe('pending');
  });

  test.each([
    ['issued to another user', () => t.cloud.issueGroupCloudId(LI, GROUP)],
    ['made up', () => 'local_made-up-by-the-client-0000000000'],
    ['expired', () => t.cloud.issueGroupCloudId(ZHANG, GROUP, { ttlMs: 0 })],
  ])('a CloudID %s is refused and nothing is written', async (_what, cloudId) => {
    await registerGroup();
    const res = refused(await bind(ZHANG, { unitId: 'ssfj', name: '张三', phone: MOBILE, groupCloudId: cloudId() }));
    expect(res).toMatchObject({ code: 'INVALID_INPUT', field: 'groupCloudId', message: expect.stringContaining('工作群中的小程序卡片') });
    expect(t.cloud.db.find('contacts', { _id: ZHANG })).toEqual([]);
    expect(auditOf({ action: 'contact.bind' })).toEqual([]);
  });

  test('registering needs a valid CloudID of the admin', async () => {
    const res = refused(await t.as(ADMIN)('group.register', { groupCloudId: t.cloud.issueGroupCloudId(ZHANG, GROUP) }));
    expect(res).toMatchObject({ code: 'INVALID_INPUT', field: 'groupCloudId' });
    expect(t.cloud.db.find('settings', { _id: 'group' })).toEqual([]);
  });

  test('the decrypted item is read in both documented shapes, and nothing else', () => {
    expect(opengidOf({ cloudID: 'x', data: { opengid: 'G1', watermark: {} } })).toBe('G1');
    expect(opengidOf({ cloudID: 'x', data: { openGId: 'G2' } })).toBe('G2');
    expect(opengidOf({ cloudID: 'x', errCode: -1, errMsg: 'invalid' })).toBeUndefined();
    expect(opengidOf({ cloudID: 'x', data: { stepInfoList: [] } })).toBeUndefined();
    expect(opengidOf({ cloudID: 'x', data: { opengid: '' } })).toBeUndefined();
    expect(opengidOf(undefined)).toBeUndefined();
  });
});

describe('contact.list', () => {
  test('pending first, then by directory order and name; filters by status and unit', async () => {
    await activeContact('o-contact-town-1', 'xiangcheng-zhen', '赵六');
    await activeContact('o-contact-ssfj-b', 'ssfj', '王五');
    await activeContact('o-contact-ssfj-a', 'ssfj', '艾一');
    okData(await bind('o-contact-pend-1', { unitId: 'guoli-zhen', name: '钱七', phone: MOBILE }));
    const all = okData(await t.as(ADMIN)('contact.list', {}));
    expect(all.map((c) => c.name)).toEqual(['钱七', '艾一', '王五', '赵六', '测试管理员']);
    expect(all.at(-1)).toMatchObject({ openid: ADMIN, unitId: null, status: null, isAdmin: true, unitName: '' });
    expect(okData(await t.as(ADMIN)('contact.list', { status: 'pending' })).map((c) => c.openid)).toEqual(['o-contact-pend-1']);
    expect(okData(await t.as(ADMIN)('contact.list', { status: 'active', unitId: 'ssfj' })).map((c) => c.name)).toEqual(['艾一', '王五']);
  });
});

describe('permissions and input', () => {
  test.each([
    ['contact.list', {}],
    ['contact.approve', { openid: ZHANG }],
    ['contact.reject', { openid: ZHANG }],
    ['contact.remove', { openid: ZHANG }],
    ['group.register', { groupCloudId: 'local_whatever-000000000000' }],
  ] as const)('%s is for admins only', async (action, data) => {
    await activeContact(ZHANG, 'ssfj');
    expect(refused(await t.as(ZHANG)(action, data as never)).code).toBe('FORBIDDEN');
    expect(refused(await t.as('o-stranger-0001')(action, data as never)).code).toBe('FORBIDDEN');
  });

  const good = { unitId: 'ssfj', name: '张三', phone: MOBILE };
  test.each([
    ['unitId', { ...good, unitId: undefined }, 'INVALID_INPUT'],
    ['unitId', { ...good, unitId: 'no-such-unit' }, 'NOT_FOUND'],
    ['unitId', { ...good, unitId: 'ssfj; drop' }, 'INVALID_INPUT'],
    ['unitId', { ...good, unitId: { $ne: null } }, 'INVALID_INPUT'],
    ['name', { ...good, name: '  ' }, 'INVALID_INPUT'],
    ['name', { ...good, name: '一二三四五六七八九十一二三四五六七八九十一' }, 'INVALID_INPUT'],
    ['phone', { ...good, phone: '12345' }, 'INVALID_INPUT'],
    ['phone', { ...good, phone: 13812345678 }, 'INVALID_INPUT'],
    ['groupCloudId', { ...good, groupCloudId: 'has space' }, 'INVALID_INPUT'],
    ['groupCloudId', { ...good, groupCloudId: 'x'.repeat(1025) }, 'INVALID_INPUT'],
    ['openid', { ...good, openid: 'o-somebody-else' }, 'INVALID_INPUT'],
  ])('contact.bind refuses a bad %s (%j)', async (field, data, code) => {
    const res = refused(await t.as(ZHANG)('contact.bind', data as never));
    expect(res).toMatchObject({ code, field });
    expect(res.message).not.toBe('');
    expect(t.cloud.db.find('contacts', { _id: ZHANG })).toEqual([]);
  });

  test.each([
    ['contact.list', 'an unknown status', { status: 'gone' }, 'status'],
    ['contact.list', 'a numeric unitId', { unitId: 5 }, 'unitId'],
    ['contact.approve', 'no openid', {}, 'openid'],
    ['contact.approve', 'a malformed openid', { openid: 'bad id' }, 'openid'],
    ['contact.reject', 'a note over 200 characters', { openid: ZHANG, note: '理'.repeat(201) }, 'note'],
    ['contact.remove', 'an unknown field', { openid: ZHANG, why: 'x' }, 'why'],
    ['group.register', 'no CloudID', {}, 'groupCloudId'],
  ] as const)('%s with %s fails on its field', async (action, _what, data, field) => {
    expect(refused(await t.as(ADMIN)(action, data as never))).toMatchObject({ code: 'INVALID_INPUT', field });
  });

  test('audit entries never hold phone numbers', async () => {
    await activeContact(ZHANG, 'ssfj');
    okData(await bind(LI, { unitId: 'sfgj', name: '李四', phone: '0537-5212345' }));
    okData(await t.as(ADMIN)('contact.reject', { openid: LI }));
    okData(await t.as(ZHANG)('contact.leave', {}));
    const text = JSON.stringify(auditOf({}));
    expect(text).toContain('contact.bind');
    expect(text).not.toMatch(/1381234|5212345/);
  });
});
