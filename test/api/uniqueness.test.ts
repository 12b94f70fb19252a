/**
 * Every uniqueness the logic relies on holds on a new 云开发 environment
 * too — no collection created by hand, no index but `_id` — because each is
 * carried by a deterministic `_id` (docs/data-model.md, "Uniqueness"). The
 * same checks run on the environment with the speed indexes of schema.ts.
 */
import { requestGuardId } from '../../cloudfunctions/api/src/actions/reports';
import { db } from '../../cloudfunctions/common/cloud';
import { INDEXES } from '../../cloudfunctions/common/schema';
import { ADMIN, SETUP_CODE, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, inDays, reportInput } from '../helpers/journey';
import { delivered, remind, subscribe } from '../reminder/helpers';

describe.each([
  ['a new environment (no collection, no index but _id)', 'bare' as const],
  ['an environment with the speed indexes', 'schema' as const],
])('on %s', (_label, setup) => {
  let t: TestCloud;
  beforeEach(() => {
    t = startTestCloud({ setup });
  });
  afterEach(() => t.close());

  const present = () => t.cloud.db.listCollections().map((c) => c.name);
  const secondaryIndexes = () => present().flatMap((c) => t.cloud.db.indexNames(c));

  test('the functions create every collection; the indexes are only those of the setup', async () => {
    if (setup === 'bare') expect(present()).toEqual([]);
    await t.seed();
    expect(Object.keys(INDEXES).filter((c) => !present().includes(c))).toEqual([]);
    expect(secondaryIndexes().length).toBe(setup === 'bare' ? 0 : Object.values(INDEXES).flat().length);
  });

  test('one first administrator and one plan per year, however many ask at once', async () => {
    const boots = await Promise.all(
      ['o-claim-a', 'o-claim-b', 'o-claim-c'].map((o) => t.as(o)('admin.bootstrap', { setupCode: SETUP_CODE, name: '甲' })),
    );
    expect(boots.filter((b) => b.ok)).toHaveLength(1);
    await t.as(ADMIN)('admin.bootstrap', { setupCode: SETUP_CODE, name: '乙' });
    const admin = boots.findIndex((b) => b.ok);
    const who = t.as(['o-claim-a', 'o-claim-b', 'o-claim-c'][admin] as string);
    const seeds = await Promise.all([who('plan.seed', { year: 2021 }), who('plan.seed', { year: 2021 })]);
    expect(seeds.map((s) => (s.ok ? 'ok' : s.message))).toEqual(['ok', 'ok']);
    expect(t.cloud.db.count('plans', { year: 2021 })).toBe(1);
    expect(t.cloud.db.count('tasks', { planId: 'plan-2021', no: 32 })).toBe(1);
    expect(t.cloud.db.count('tasks', { planId: 'plan-2021' })).toBe(44);
  });

  describe('with the 2021 table', () => {
    beforeEach(async () => {
      await t.seed();
      await approveContacts(t, ['ssfj']);
    });

    test('copies of one submit racing with other submits make one version of it', async () => {
      const round = await createRound(t, { dueDate: inDays(30) });
      const submit = t.as(CONTACTS.ssfj.openid);
      const aid = assignmentOf(24, 'ssfj');
      const input = reportInput(aid, round.id, 'req-unique-copy-1');
      // The copies and the other submits interleave, so a late copy may read a newer version number.
      const calls = [0, 1, 2, 3, 4, 5].map((i) =>
        submit('report.submit', i % 2 === 0 ? input : reportInput(aid, round.id, `req-unique-other-${i}`)),
      );
      const results = (await Promise.all(calls)).map(okData);
      const copies = results.filter((_, i) => i % 2 === 0);
      expect(new Set(copies.map((r) => r.report.id)).size).toBe(1);
      expect(copies.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(t.cloud.db.count('reports', { requestKey: `${CONTACTS.ssfj.openid}:req-unique-copy-1` })).toBe(1);
      expect(t.cloud.db.count('reports', { assignmentId: aid })).toBe(4);
      const versions = t.cloud.db.find('reports', { assignmentId: aid }).map((r) => r.version as number);
      expect(versions.sort()).toEqual([1, 2, 3, 4]);
    });

    test('a request key already claimed is never carried out a second time, whatever version it would get', async () => {
      // As a copy that committed first leaves it (its report is what a retry then returns).
      const round = await createRound(t, { dueDate: inDays(30) });
      const key = `${CONTACTS.ssfj.openid}:req-claimed-elsewhere`;
      await db.collection('requests').add({ data: { _id: requestGuardId(key), kind: 'report.submit', ref: 'elsewhere', at: new Date() } });
      const res = await t.as(CONTACTS.ssfj.openid)(
        'report.submit',
        reportInput(assignmentOf(24, 'ssfj'), round.id, 'req-claimed-elsewhere'),
      );
      expect(res).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect(t.cloud.db.count('reports', {})).toBe(0);
    });

    test('two admins adding units of one name at once: one unit, the other told why', async () => {
      const admin = t.as(ADMIN);
      const [a, b] = await Promise.all([
        admin('unit.create', { name: '市数据局', kind: 'department', code: 'ssjj' }),
        admin('unit.create', { name: '市数据局', kind: 'department', code: 'sdsj' }),
      ]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      expect(t.cloud.db.count('units', { name: '市数据局' })).toBe(1);
      const loser = a.ok ? b : a;
      expect(loser).toMatchObject({ ok: false, field: 'name' });
    });

    test('a new name racing an alias of the same name: only one of them is kept', async () => {
      const admin = t.as(ADMIN);
      const [alias, created] = await Promise.all([
        admin('unit.update', { id: 'ssfj', aliases: ['市法治局'] }),
        admin('unit.create', { name: '市法治局', kind: 'department' }),
      ]);
      expect([alias.ok, created.ok].filter(Boolean)).toHaveLength(1);
      const holders = t.cloud.db
        .find('units', {})
        .filter((u) => u.name === '市法治局' || ((u.aliases as string[] | undefined) ?? []).includes('市法治局'));
      expect(holders).toHaveLength(1);
    });

    test('two timer runs at once send each reminder once', async () => {
      await approveContacts(t, ['xiangcheng', 'szfbgs']);
      for (const c of [CONTACTS.ssfj, CONTACTS.xiangcheng, CONTACTS.szfbgs]) await subscribe(t, c.openid, 'deadline', 5);
      await createRound(t, { name: '第三季度', dueDate: '2021-09-30', scope: [8, 20, 25] });
      await Promise.all([remind(t, '2021-09-27'), remind(t, '2021-09-27'), remind(t, '2021-09-27')]);
      const sent = delivered(t).map((e) => e.touser);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.length).toBe(new Set(sent).size);
      expect(t.cloud.db.count('reminders', { state: 'sent' })).toBe(sent.length);
    });

    test('one person binding twice at once has one contact record', async () => {
      const me = t.as('o-twice-binding');
      const res = await Promise.all([
        me('contact.bind', { unitId: 'sfgj', name: '王五', phone: '13812345678' }),
        me('contact.bind', { unitId: 'sfgj', name: '王五', phone: '13812345678' }),
      ]);
      expect(res.map((r) => (r.ok ? 'ok' : r.message))).toContain('ok');
      expect(t.cloud.db.count('contacts', { _id: 'o-twice-binding' })).toBe(1);
      expect(t.cloud.db.count('audit', { action: 'contact.bind', target: 'contact:o-twice-binding' })).toBe(1);
    });
  });
});
