import type { RoundView } from '../../miniprogram/shared/api';
import { ADMIN, TEMPLATES, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, expectedAssignments, inDays } from '../helpers/journey';

const SECOND_SSFJ = { openid: 'o-contact-ssfj-0002', name: '司法戊', phone: '13900000009' };
const PENDING_XC = { openid: 'o-contact-xc-pending', name: '香城己', phone: '13900000010' };

let t: TestCloud;
let round: RoundView;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng', 'swbb']);
  okData(await t.as(SECOND_SSFJ.openid)('contact.bind', { unitId: 'ssfj', name: SECOND_SSFJ.name, phone: SECOND_SSFJ.phone }));
  okData(await t.as(ADMIN)('contact.approve', { openid: SECOND_SSFJ.openid }));
  okData(await t.as(PENDING_XC.openid)('contact.bind', { unitId: 'xiangcheng-zhen', name: PENDING_XC.name, phone: PENDING_XC.phone }));
  // 司法甲 accepted the 催办 template once; the others did not.
  okData(
    await t.as(CONTACTS.ssfj.openid)('subscription.record', { results: { [TEMPLATES.urge]: 'accept', [TEMPLATES.deadline]: 'accept' } }),
  );
  okData(await t.as(CONTACTS.xiangcheng.openid)('subscription.record', { results: { [TEMPLATES.deadline]: 'accept' } }));
  // WeChat's own side of the same accepts (our ledger mirrors it).
  t.cloud.openapi.grant(CONTACTS.ssfj.openid, TEMPLATES.urge);
  t.cloud.openapi.grant(CONTACTS.ssfj.openid, TEMPLATES.deadline);
  t.cloud.openapi.grant(CONTACTS.xiangcheng.openid, TEMPLATES.deadline);
  // Task 25 names 市司法局; task 44 covers the towns and departments. 香城镇 is not on task 25.
  round = await createRound(t, { name: '第三季度', dueDate: inDays(-2), scope: [25, 44] });
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);
let seq = 0;
async function submit(key: 'ssfj' | 'xiangcheng', taskNo: number) {
  const c = CONTACTS[key];
  return okData(
    await t.as(c.openid)('report.submit', {
      assignmentId: assignmentOf(taskNo, c.unitId),
      roundId: round.id,
      text: '已完成',
      progress: 'done',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: `req-urge-${++seq}`,
    }),
  ).report;
}
const PHONES = [CONTACTS.ssfj.phone, SECOND_SSFJ.phone, CONTACTS.xiangcheng.phone, PENDING_XC.phone];
const ON_44 = () => expectedAssignments('ssfj').some((a) => a.taskNo === 44);

describe('urge.preview', () => {
  test('late units with their active contacts, who can be notified, and a message without phone numbers', async () => {
    expect(ON_44()).toBe(true);
    const xc44 = await submit('xiangcheng', 44);
    okData(await admin()('review.decide', { reportId: xc44.id, decision: 'return', note: '请补充' }));
    await submit('ssfj', 44);

    const preview = okData(await admin()('urge.preview', { roundId: round.id }));
    expect(preview.notifyConfigured).toBe(true);
    const ssfj = preview.units.find((u) => u.unitId === 'ssfj');
    expect(ssfj).toEqual({
      unitId: 'ssfj',
      unitName: '市司法局',
      missing: [25],
      returned: [],
      contacts: [
        { openid: CONTACTS.ssfj.openid, name: CONTACTS.ssfj.name, canNotify: true, subscription: 'one-time' },
        { openid: SECOND_SSFJ.openid, name: SECOND_SSFJ.name, canNotify: false, subscription: null },
      ],
    });
    // The pending request is nobody's contact yet; the returned task is named as such.
    expect(preview.units.find((u) => u.unitId === 'xiangcheng-zhen')).toEqual({
      unitId: 'xiangcheng-zhen',
      unitName: '香城镇',
      missing: [],
      returned: [44],
      contacts: [{ openid: CONTACTS.xiangcheng.openid, name: CONTACTS.xiangcheng.name, canNotify: false, subscription: null }],
    });
    expect(preview.text).toContain('市司法局（联络员：司法甲、司法戊）：第25项未报送。');
    expect(preview.text).toContain('香城镇（联络员：香城乙）：第44项被退回，请修改后重新报送。');
    const json = JSON.stringify(preview);
    for (const phone of PHONES) expect(json).not.toContain(phone);
    expect(preview.text).not.toMatch(/\d{11}/);
    // Units in directory order: no ranking by how late they are.
    const order = preview.units.map((u) => u.unitId);
    const directory = okData(await admin()('unit.directory', {})).map((u) => u.id);
    expect(order).toEqual(directory.filter((id) => order.includes(id)));
  });

  test('before the due day only returned work is late', async () => {
    const early = await createRound(t, { name: '年底回头看', dueDate: inDays(5), scope: [44] });
    expect(okData(await admin()('urge.preview', { roundId: early.id }))).toMatchObject({ units: [], text: '' });
  });
});

describe('urge.send', () => {
  test('records the 催办 with per-person targets, audited, and notifies at once whoever has quota', async () => {
    const sent = okData(
      await admin()('urge.send', { roundId: round.id, unitIds: ['ssfj', 'xiangcheng-zhen'], requestId: 'urge-req-0001' }),
    );
    expect(sent.units.map((u) => u.unitId)).toEqual(['ssfj', 'xiangcheng-zhen']);
    expect(sent.skipped).toEqual([]);
    expect(sent.duplicate).toBe(false);
    expect(sent.text.split('\n').filter((l) => /^\d+\. /.test(l))).toEqual([
      `1. 市司法局（联络员：司法甲、司法戊）：第25、44项未报送。`,
      `2. 香城镇（联络员：香城乙）：第44项未报送。`,
    ]);
    const [doc] = t.cloud.db.find('urges', {});
    expect(doc).toMatchObject({
      _id: sent.urgeId,
      planId: 'plan-2021',
      roundId: round.id,
      roundName: '第三季度',
      unitIds: ['ssfj', 'xiangcheng-zhen'],
      units: [
        { unitId: 'ssfj', unitName: '市司法局', missing: [25, 44], returned: [] },
        { unitId: 'xiangcheng-zhen', unitName: '香城镇', missing: [44], returned: [] },
      ],
      targets: [
        { openid: CONTACTS.ssfj.openid, name: '司法甲', unitId: 'ssfj', canNotify: true, subscription: 'one-time' },
        { openid: SECOND_SSFJ.openid, name: '司法戊', unitId: 'ssfj', canNotify: false, subscription: null },
        { openid: CONTACTS.xiangcheng.openid, name: '香城乙', unitId: 'xiangcheng-zhen', canNotify: false, subscription: null },
      ],
      text: sent.text,
      templateId: TEMPLATES.urge,
      by: ADMIN,
      byName: '测试管理员',
      at: expect.any(Date),
    });
    for (const phone of PHONES) expect(JSON.stringify(doc)).not.toContain(phone);
    expect(t.cloud.db.find('audit', { action: 'urge.send' })).toEqual([
      expect.objectContaining({
        target: `round:${round.id}`,
        detail: { urgeId: sent.urgeId, unitIds: ['ssfj', 'xiangcheng-zhen'], targets: 3, notifiable: 1 },
      }),
    ]);
    // Exactly the one person with urge quota got the 催办 now, and it used their quota.
    expect(t.cloud.openapi.outbox().map((m) => ({ touser: m.touser, templateId: m.templateId, errCode: m.result.errCode }))).toEqual([
      { touser: CONTACTS.ssfj.openid, templateId: TEMPLATES.urge, errCode: 0 },
    ]);
    expect(t.cloud.db.find('subscriptions', { _id: `${CONTACTS.ssfj.openid}:${TEMPLATES.urge}` })[0]?.quota).toBe(0);
  });

  test('a retried send returns the first 催办; simultaneous copies record one', async () => {
    const input = { roundId: round.id, requestId: 'urge-req-0002' };
    const results = (await Promise.all([admin()('urge.send', input), admin()('urge.send', input), admin()('urge.send', input)])).map(
      okData,
    );
    expect(new Set(results.map((r) => r.urgeId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const again = okData(await admin()('urge.send', input));
    expect(again).toMatchObject({ duplicate: true, urgeId: results[0]?.urgeId, text: results[0]?.text });
    expect(t.cloud.db.count('urges', {})).toBe(1);
    expect(t.cloud.db.count('audit', { action: 'urge.send' })).toBe(1);
    // Without a request id every send is its own 催办.
    okData(await admin()('urge.send', { roundId: round.id }));
    expect(t.cloud.db.count('urges', {})).toBe(2);
  });

  test('units that reported meanwhile are skipped; nobody late is a CONFLICT; unknown units are refused', async () => {
    await submit('ssfj', 25);
    await submit('ssfj', 44);
    const sent = okData(await admin()('urge.send', { roundId: round.id, unitIds: ['ssfj', 'xiangcheng-zhen'] }));
    expect(sent.units.map((u) => u.unitId)).toEqual(['xiangcheng-zhen']);
    expect(sent.skipped).toEqual(['ssfj']);
    expect(t.cloud.db.find('urges', {})[0]?.unitIds).toEqual(['xiangcheng-zhen']);

    const none = refused(await admin()('urge.send', { roundId: round.id, unitIds: ['ssfj'] }));
    expect(none).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('无需催办') });
    expect(refused(await admin()('urge.send', { roundId: round.id, unitIds: ['ssfj', 'no-such-unit'] }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'unitIds[1]',
    });
    expect(refused(await admin()('urge.send', { roundId: round.id, unitIds: [] }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'unitIds',
    });
    expect(refused(await admin()('urge.send', { roundId: round.id, unitIds: ['ssfj', 'ssfj'] }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'unitIds[1]',
    });
    expect(refused(await admin()('urge.send', { roundId: 'no-such-round' }))).toMatchObject({ code: 'NOT_FOUND', field: 'roundId' });
    expect(t.cloud.db.count('urges', {})).toBe(1);
  });

  test('a request id cannot be reused for another round', async () => {
    okData(await admin()('urge.send', { roundId: round.id, requestId: 'urge-req-0003' }));
    const other = await createRound(t, { name: '补报', dueDate: inDays(-1), scope: [44] });
    expect(refused(await admin()('urge.send', { roundId: other.id, requestId: 'urge-req-0003' }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'requestId',
    });
  });
});
