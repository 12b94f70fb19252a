import { dueDateFor, roundCoversTask } from '../../cloudfunctions/common/domain/rounds';
import type { RoundInput } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';

const CONTACT = 'o-round-contact-01';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);
const Q3: RoundInput = { name: '第三季度', dueDate: '2021-09-30', scope: 'all', overrides: { '32': '2021-12-31' } };

describe('creating and listing', () => {
  test('a round for all tasks, with task 32 on its own table deadline', async () => {
    const round = okData(await admin()('round.create', Q3));
    expect(round).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      planId: 'plan-2021',
      name: '第三季度',
      dueDate: '2021-09-30',
      scope: 'all',
      overrides: { '32': '2021-12-31' },
      status: 'open',
    });
    // The domain rules read the stored round as intended.
    expect(dueDateFor(round, 32)).toBe('2021-12-31');
    expect(dueDateFor(round, 31)).toBe('2021-09-30');
    expect(roundCoversTask(round, 44)).toBe(true);

    expect(t.cloud.db.find('rounds', { _id: round.id })).toEqual([
      expect.objectContaining({ planId: 'plan-2021', status: 'open', createdBy: ADMIN, createdAt: expect.any(Date) }),
    ]);
    expect(t.cloud.db.find('audit', { action: 'round.create' })).toEqual([
      expect.objectContaining({
        actor: ADMIN,
        target: `round:${round.id}`,
        detail: { planId: 'plan-2021', name: '第三季度', dueDate: '2021-09-30' },
      }),
    ]);
  });

  test('a round for chosen tasks keeps them in order; overrides default to none', async () => {
    const round = okData(
      await admin()('round.create', { name: '年底回头看', dueDate: '2021-12-20', scope: [44, 32, 1], planId: 'plan-2021' }),
    );
    expect(round).toMatchObject({ scope: [1, 32, 44], overrides: {} });
    expect(roundCoversTask(round, 2)).toBe(false);
  });

  test('list is sorted by due day, for admins and active contacts only', async () => {
    okData(await admin()('round.create', Q3));
    okData(await admin()('round.create', { name: '年底回头看', dueDate: '2021-12-20', scope: [44] }));
    okData(await admin()('round.create', { name: '第二季度', dueDate: '2021-06-30', scope: 'all' }));
    const expected = ['第二季度', '第三季度', '年底回头看'];
    expect(okData(await admin()('round.list', {})).map((r) => r.name)).toEqual(expected);
    expect(okData(await admin()('round.list', { planId: 'plan-2021' })).map((r) => r.name)).toEqual(expected);

    expect(refused(await t.as('o-stranger-0001')('round.list', {})).code).toBe('NOT_BOUND');
    okData(await t.as(CONTACT)('contact.bind', { unitId: 'ssfj', name: '张三', phone: '13812345678' }));
    expect(refused(await t.as(CONTACT)('round.list', {})).code).toBe('NOT_BOUND');
    okData(await admin()('contact.approve', { openid: CONTACT }));
    expect(okData(await t.as(CONTACT)('round.list', {})).map((r) => r.name)).toEqual(expected);

    expect(refused(await admin()('round.list', { planId: 'plan-2030' }))).toMatchObject({ code: 'NOT_FOUND', field: 'planId' });
  });
});

describe('updating and closing', () => {
  test('update replaces the settings of an open round', async () => {
    const round = okData(await admin()('round.create', Q3));
    const updated = okData(await admin()('round.update', { id: round.id, name: '第三季度（延期）', dueDate: '2021-10-15', scope: [5, 6] }));
    expect(updated).toEqual({ ...round, name: '第三季度（延期）', dueDate: '2021-10-15', scope: [5, 6], overrides: {} });
    expect(okData(await admin()('round.list', {}))).toEqual([updated]);
    expect(t.cloud.db.find('audit', { action: 'round.update' })).toEqual([
      expect.objectContaining({
        target: `round:${round.id}`,
        detail: { name: '第三季度（延期）', dueDate: '2021-10-15', previousDueDate: '2021-09-30' },
      }),
    ]);
  });

  test('closing is final: a closed round cannot be edited; closing again changes nothing', async () => {
    const round = okData(await admin()('round.create', Q3));
    const closed = okData(await admin()('round.close', { id: round.id }));
    expect(closed).toEqual({ ...round, status: 'closed' });
    expect(okData(await admin()('round.close', { id: round.id }))).toEqual(closed);
    expect(t.cloud.db.find('audit', { action: 'round.close' })).toHaveLength(1);

    const edit = refused(await admin()('round.update', { id: round.id, ...Q3, dueDate: '2021-10-31' }));
    expect(edit).toMatchObject({ code: 'ROUND_CLOSED', message: expect.stringContaining('新建') });
    expect(t.cloud.db.find('rounds', { _id: round.id })[0]).toMatchObject({ dueDate: '2021-09-30', status: 'closed' });
  });

  test('unknown rounds are NOT_FOUND', async () => {
    expect(refused(await admin()('round.update', { id: 'no-such-round', ...Q3 }))).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    expect(refused(await admin()('round.close', { id: 'no-such-round' }))).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });

  test('only admins create, update and close', async () => {
    const round = okData(await admin()('round.create', Q3));
    okData(await t.as(CONTACT)('contact.bind', { unitId: 'ssfj', name: '张三', phone: '13812345678' }));
    okData(await admin()('contact.approve', { openid: CONTACT }));
    for (const who of [CONTACT, 'o-stranger-0001']) {
      expect(refused(await t.as(who)('round.create', Q3)).code).toBe('FORBIDDEN');
      expect(refused(await t.as(who)('round.update', { id: round.id, ...Q3 })).code).toBe('FORBIDDEN');
      expect(refused(await t.as(who)('round.close', { id: round.id })).code).toBe('FORBIDDEN');
    }
    expect(t.cloud.db.count('rounds', {})).toBe(1);
  });
});

describe('validation', () => {
  test.each<[string, string, Record<string, unknown>, string]>([
    ['an empty name', 'name', { name: '  ' }, '请填写轮次名称'],
    ['a name over 30 characters', 'name', { name: '轮'.repeat(31) }, '轮次名称不能超过 30 个字'],
    ['no due day', 'dueDate', { dueDate: undefined }, '请填写截止日期'],
    ['an impossible due day', 'dueDate', { dueDate: '2021-02-30' }, '有效日期'],
    ['a due day in another format', 'dueDate', { dueDate: '2021/09/30' }, '有效日期'],
    ['a numeric due day', 'dueDate', { dueDate: 20210930 }, '截止日期的格式不正确'],
    ['scope neither all nor a list', 'scope', { scope: 'some' }, '全部任务'],
    ['an empty scope', 'scope', { scope: [] }, '至少选择一项'],
    ['a repeated task', 'scope[2]', { scope: [3, 7, 3] }, '重复'],
    ['task 0', 'scope[0]', { scope: [0] }, '1 到 999'],
    ['a fractional task', 'scope[0]', { scope: [1.5] }, '整数'],
    ['a task the table does not have', 'scope[1]', { scope: [1, 45], overrides: {} }, '没有第 45 项'],
    ['an impossible override day', 'overrides.32', { overrides: { '32': '2021-13-01' } }, '有效日期'],
    ['an override key that is no task number', 'overrides.abc', { overrides: { abc: '2021-12-31' } }, '任务序号'],
    ['an override with a leading zero', 'overrides.032', { overrides: { '032': '2021-12-31' } }, '任务序号'],
    ['an override of a task the table does not have', 'overrides.45', { overrides: { '45': '2021-12-31' } }, '没有第 45 项'],
    ['an override of a task outside the scope', 'overrides.32', { scope: [1, 2], overrides: { '32': '2021-12-31' } }, '不在本轮范围'],
    ['overrides as a list', 'overrides', { overrides: ['2021-12-31'] }, '单独截止日期的格式不正确'],
    ['an operator key', 'overrides.$set', { overrides: { $set: '2021-12-31' } }, '不允许'],
    ['an unknown field', 'status', { status: 'closed' }, '本系统不认识的内容'],
  ])('create with %s fails on %s', async (_what, field, change, message) => {
    const input = { ...Q3, ...change };
    for (const [k, v] of Object.entries(input)) if (v === undefined) delete (input as Record<string, unknown>)[k];
    const res = refused(await admin()('round.create', input as never));
    expect(res).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(res.message).toContain(message);
    // Nothing is written when anything is wrong.
    expect(t.cloud.db.count('rounds', {})).toBe(0);
    expect(t.cloud.db.count('audit', { action: 'round.create' })).toBe(0);
  });

  test('create for a plan that does not exist is NOT_FOUND on planId', async () => {
    expect(refused(await admin()('round.create', { ...Q3, planId: 'plan-2030' }))).toMatchObject({ code: 'NOT_FOUND', field: 'planId' });
    expect(refused(await admin()('round.create', { ...Q3, planId: 'plan 2021' }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'planId',
    });
  });

  test('update validates like create and checks the round id', async () => {
    const round = okData(await admin()('round.create', Q3));
    expect(refused(await admin()('round.update', { ...Q3, id: round.id, scope: [99] }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'scope[0]',
    });
    expect(refused(await admin()('round.update', { ...Q3, id: round.id, overrides: { '7': 'soon' } }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'overrides.7',
    });
    expect(refused(await admin()('round.update', { ...Q3, id: '' }))).toMatchObject({ code: 'INVALID_INPUT', field: 'id' });
    expect(refused(await admin()('round.update', { ...Q3 } as never))).toMatchObject({ code: 'INVALID_INPUT', field: 'id' });
    expect(okData(await admin()('round.list', {}))).toEqual([round]);
  });
});
