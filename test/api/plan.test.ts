import { db } from '../../cloudfunctions/common/cloud';
import { ADMIN, SETUP_CODE, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';

let t: TestCloud;
beforeEach(() => {
  t = startTestCloud();
});
afterEach(() => t.close());

describe('first administrator and seeding', () => {
  test('a fresh system needs setup; the setup code makes the first admin', async () => {
    const me = okData(await t.as('o-someone-new')('me.get'));
    expect(me).toMatchObject({ isAdmin: false, needsSetup: true, contact: null });

    const wrong = await t.as(ADMIN)('admin.bootstrap', { setupCode: 'guess-guess', name: '张三' });
    expect(wrong).toMatchObject({ ok: false, code: 'SETUP_CODE_INVALID', field: 'setupCode' });

    const admin = okData(await t.as(ADMIN)('admin.bootstrap', { setupCode: SETUP_CODE, name: '张三' }));
    expect(admin).toMatchObject({ isAdmin: true, needsSetup: false });
    expect(okData(await t.as('o-someone-new')('me.get')).needsSetup).toBe(false);

    // The code is one-time: nobody else can use it afterwards.
    const again = await t.as('o-late-comer')('admin.bootstrap', { setupCode: SETUP_CODE, name: '李四' });
    expect(again).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  test('of two simultaneous claims exactly one becomes admin', async () => {
    const [a, b] = await Promise.all([
      t.as('o-claimer-a')('admin.bootstrap', { setupCode: SETUP_CODE, name: '甲' }),
      t.as('o-claimer-b')('admin.bootstrap', { setupCode: SETUP_CODE, name: '乙' }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const admins = [okData(await t.as('o-claimer-a')('me.get')), okData(await t.as('o-claimer-b')('me.get'))].filter((m) => m.isAdmin);
    expect(admins).toHaveLength(1);
  });

  test('only an admin may seed; seeding twice writes nothing the second time', async () => {
    expect(await t.as('o-contact')('plan.seed', { year: 2021 })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await t.as(ADMIN)('admin.bootstrap', { setupCode: SETUP_CODE, name: '张三' });
    const first = okData(await t.as(ADMIN)('plan.seed', { year: 2021 }));
    expect(first).toMatchObject({ planId: 'plan-2021', tasks: 44, units: 35 });
    expect(first.assignments).toBe(t.cloud.db.count('assignments', {}));
    expect(first.written).toBeGreaterThan(first.assignments);
    const second = okData(await t.as(ADMIN)('plan.seed', { year: 2021 }));
    expect(second).toEqual({ ...first, written: 0 });
    expect(await t.as(ADMIN)('plan.seed', { year: 2020 })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  test('a re-seed repairs a damaged task and restores a deleted assignment, keeping office edits to units', async () => {
    await t.seed();
    const admin = t.as(ADMIN);
    await db
      .collection('tasks')
      .doc('plan-2021-t05')
      .update({ data: { requirement: '被改坏的文字' } });
    await db.collection('assignments').doc('plan-2021-t11-ssfj').remove();
    await db
      .collection('units')
      .doc('ssfj')
      .update({ data: { order: 99 } });
    const repaired = okData(await admin('plan.seed', { year: 2021 }));
    expect(repaired.written).toBe(2);
    const plan = okData(await admin('plan.get', { year: 2021 }));
    expect(plan.tasks.find((x) => x.no === 5)?.requirement).toMatch(/^做好培育新一代消费热点/);
    expect(t.cloud.db.find('units', { _id: 'ssfj' })[0]).toMatchObject({ name: '市司法局', order: 99 });
  });
});

describe('plan.get', () => {
  beforeEach(() => t.seed());

  test('returns the whole 2021 table to any caller', async () => {
    const plan = okData(await t.as('o-anyone')('plan.get', {}));
    expect(plan).toMatchObject({ id: 'plan-2021', year: 2021, docNo: '邹政办字〔2021〕29号', title: '邹城市2021年政务公开工作任务分解表' });
    expect(plan.sections).toHaveLength(5);
    expect(plan.categories).toHaveLength(20);
    expect(plan.tasks.map((x) => x.no)).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
    expect(plan.units).toHaveLength(35);
    const t32 = plan.tasks[31];
    expect(t32).toMatchObject({ no: 32, deadline: '2021-12-31', lead: ['市政府办公室'], cooperate: ['市政府各部门', '各镇街'] });
    expect(plan.assignmentCount).toBeGreaterThan(700);
  });

  test('takes a bounded number of database requests', async () => {
    t.cloud.db.resetStats();
    okData(await t.as('o-anyone')('plan.get', { year: 2021 }));
    const requests = Object.values(t.cloud.db.stats().requests).reduce((a, b) => a + b, 0);
    // contact lookup is not needed for a public read: plan, tasks, units, count.
    expect(requests).toBe(4);
  });

  test('unknown years, bad input and unknown actions get clear errors', async () => {
    const anyone = t.as('o-anyone');
    expect(await anyone('plan.get', { year: 2030 })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await anyone('plan.get', { year: '2021' as unknown as number })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
      field: 'year',
    });
    expect(await anyone('plan.get', { year: 2021, extra: 1 } as never)).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'extra' });
    // What a page of an older or newer version hears: in Chinese, without the machine name it sent.
    expect(await anyone('no.such' as never)).toMatchObject({
      ok: false,
      code: 'UNKNOWN_ACTION',
      message: '暂不支持这项操作，请更新小程序后重试',
    });
  });

  test('a call without an OPENID is refused', async () => {
    expect(await t.as(undefined)('plan.get', {})).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });
});
