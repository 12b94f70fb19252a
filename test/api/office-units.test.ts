import { db } from '../../cloudfunctions/common/cloud';
import { taskAssignmentDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import type { SubmitReportInput } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud, refused } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, expectedAssignments, inDays, reportInput } from '../helpers/journey';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng']);
});
afterEach(() => t.close());

const admin = () => t.as(ADMIN);
const tasksNaming = (name: string) =>
  TABLE_2021.tasks.filter((x) => [...x.lead, ...x.cooperate, ...x.responsible].includes(name)).map((x) => x.no);
describe('unit.create', () => {
  test('a new town gets a generated code and its 各镇街 assignments in the current plan, with the ids plan.seed would give', async () => {
    const res = okData(await admin()('unit.create', { name: '新设镇', kind: 'town' }));
    expect(res.created).toBe(true);
    expect(res.unit).toEqual({
      id: expect.stringMatching(/^unit-[0-9a-f]{8}$/),
      name: '新设镇',
      kind: 'town',
      named: false,
      active: true,
      order: DIRECTORY.units.length + 1,
      aliases: [],
      contacts: 0,
    });
    const id = res.unit.id;
    const towns = tasksNaming('各镇街');
    expect(res.assignmentsAdded).toBe(towns.length);
    // Exactly what expanding the stored tasks over the new directory gives.
    const stored = t.cloud.db.find('assignments', { unitId: id }).sort((a, b) => (a.taskNo as number) - (b.taskNo as number));
    const directory = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));
    directory.push({ id, name: '新设镇', kind: 'town', active: true });
    const expected = TABLE_2021.tasks
      .flatMap((task) => taskAssignmentDocs(2021, task, directory, DIRECTORY.groups).assignments)
      .filter((a) => a.unitId === id);
    expect(stored).toEqual(expected);
    expect(t.cloud.db.count('assignments', {})).toBe(805 + towns.length);
    // The bind page offers it; the audit has the unit and its assignments.
    expect(okData(await t.as('o-anyone-0001')('unit.list', {})).map((u) => u.name)).toContain('新设镇');
    expect(t.cloud.db.find('audit', { target: `unit:${id}` }).map((e) => [e.action, e.detail])).toEqual([
      ['unit.create', { name: '新设镇', kind: 'town' }],
      ['unit.assign', { planId: 'plan-2021', added: towns.length }],
    ]);
  });

  test('a department with a chosen code gets the 市政府各部门 cells; a retried create writes nothing and repairs what is missing', async () => {
    const res = okData(await admin()('unit.create', { name: '市统计局', kind: 'department', code: 'stjj' }));
    expect(res.unit.id).toBe('stjj');
    expect(res.assignmentsAdded).toBe(tasksNaming('市政府各部门').length);
    const again = okData(await admin()('unit.create', { name: '市统计局', kind: 'department' }));
    expect(again).toMatchObject({ created: false, assignmentsAdded: 0, unit: { id: 'stjj' } });
    expect(t.cloud.db.count('units', { name: '市统计局' })).toBe(1);

    // An interrupted first attempt (an assignment not written) is completed by the retry.
    await db.collection('assignments').doc(assignmentOf(24, 'stjj')).remove();
    const repaired = okData(await admin()('unit.create', { name: '市统计局', kind: 'department', code: 'stjj' }));
    expect(repaired.assignmentsAdded).toBe(1);
    expect(t.cloud.db.count('assignments', { unitId: 'stjj' })).toBe(tasksNaming('市政府各部门').length);
    expect(t.cloud.db.count('audit', { action: 'unit.create' })).toBe(1);
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ['an existing name of another kind', { name: '市司法局', kind: 'town' }, 'name', '已有名为「市司法局」的单位'],
    ['a group of the table', { name: '各镇街', kind: 'town' }, 'name', '单位分组'],
    ['a taken code', { name: '市统计局', kind: 'department', code: 'ssfj' }, 'code', '已被「市司法局」使用'],
    ['a code with capitals', { name: '市统计局', kind: 'department', code: 'STJJ' }, 'code', '小写字母'],
    ['a code in Chinese', { name: '市统计局', kind: 'department', code: '统计局' }, 'code', '小写字母'],
    ['an unknown kind', { name: '市统计局', kind: 'bureau' }, 'kind', '请重新选择单位类型'],
    ['an empty name', { name: '  ', kind: 'town' }, 'name', '请填写单位名称'],
    ['a name over 30 characters', { name: '局'.repeat(31), kind: 'town' }, 'name', '30'],
  ])('refuses %s, writing nothing', async (_what, input, field, message) => {
    const res = refused(await admin()('unit.create', input as never));
    expect(res).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(res.message).toContain(message);
    expect(t.cloud.db.count('units', {})).toBe(DIRECTORY.units.length);
    expect(t.cloud.db.count('assignments', {})).toBe(805);
  });
});

describe('unit.update', () => {
  test('a rename keeps the old name as an alias; cells printed with the old name still match', async () => {
    const named = tasksNaming('市司法局');
    const roles = expectedAssignments('ssfj')
      .filter((a) => named.includes(a.taskNo))
      .map((a) => [a.taskNo, a.role]);
    // As if those assignments had not been written yet: the rename's sync must find them through the alias.
    for (const no of named) await db.collection('assignments').doc(assignmentOf(no, 'ssfj')).remove();

    const res = okData(await admin()('unit.update', { id: 'ssfj', name: '市司法行政局' }));
    expect(res.unit).toMatchObject({ id: 'ssfj', name: '市司法行政局', aliases: ['市司法局'], contacts: 1 });
    expect(res.assignmentsAdded).toBe(named.length);
    const back = t.cloud.db.find('assignments', { unitId: 'ssfj', via: 'named' }).map((a) => [a.taskNo, a.role, a.unitName]);
    expect(back.sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(roles.map(([no, role]) => [no, role, '市司法行政局']));

    // The contact sees the new name; seeding again keeps every assignment.
    const detail = okData(await t.as(CONTACTS.ssfj.openid)('task.detail', { taskId: `plan-2021-t${String(named[0]).padStart(2, '0')}` }));
    expect(detail.assignment.unitName).toBe('市司法行政局');
    okData(await admin()('plan.seed', { year: 2021 }));
    expect(t.cloud.db.count('assignments', {})).toBe(805);
    expect(t.cloud.db.count('units', {})).toBe(DIRECTORY.units.length);
    expect(t.cloud.db.find('audit', { action: 'unit.update' })).toEqual([
      expect.objectContaining({
        target: 'unit:ssfj',
        detail: { name: { from: '市司法局', to: '市司法行政局' }, aliases: { from: [], to: ['市司法局'] } },
      }),
    ]);

    // The old name is taken by the alias: no other unit may use it.
    const clash = refused(await admin()('unit.create', { name: '市司法局', kind: 'department' }));
    expect(clash).toMatchObject({ code: 'INVALID_INPUT', field: 'name', message: expect.stringContaining('曾用名') });
  });

  test('order, aliases and kind; a kind change brings the new group’s cells', async () => {
    const made = okData(await admin()('unit.create', { name: '新设镇', kind: 'town', code: 'xinshe' }));
    const res = okData(await admin()('unit.update', { id: 'xinshe', kind: 'department', order: 3, aliases: ['新设街道'] }));
    expect(res.unit).toMatchObject({ kind: 'department', order: 3, aliases: ['新设街道'] });
    const both = new Set([...tasksNaming('各镇街'), ...tasksNaming('市政府各部门')]);
    expect(res.assignmentsAdded).toBe(both.size - made.assignmentsAdded);
    // Assignments already written stay (reports may hang off them).
    expect(t.cloud.db.count('assignments', { unitId: 'xinshe' })).toBe(both.size);
    // Saving the same again is not a change.
    const same = okData(await admin()('unit.update', { id: 'xinshe', kind: 'department', order: 3, aliases: ['新设街道'] }));
    expect(same.assignmentsAdded).toBe(0);
    expect(t.cloud.db.count('audit', { action: 'unit.update' })).toBe(1);
  });

  test.each<[string, Record<string, unknown>, string, string, string]>([
    ['another unit’s name', { id: 'ssfj', name: '香城镇' }, 'INVALID_INPUT', 'name', '已有名为'],
    ['a repeated alias', { id: 'ssfj', aliases: ['司法局', '司法局'] }, 'INVALID_INPUT', 'aliases[1]', '重复'],
    ['another unit’s name as alias', { id: 'ssfj', aliases: ['司法局', '香城镇'] }, 'INVALID_INPUT', 'aliases[1]', '已有名为'],
    ['a group as alias', { id: 'ssfj', aliases: ['市政府各部门'] }, 'INVALID_INPUT', 'aliases[0]', '单位分组'],
    ['order 0', { id: 'ssfj', order: 0 }, 'INVALID_INPUT', 'order', '1 到 9999'],
    ['an unknown unit', { id: 'no-such-unit', name: '某局' }, 'NOT_FOUND', 'id', '找不到'],
  ])('refuses %s', async (_what, input, code, field, message) => {
    const before = t.cloud.db.find('units', { _id: 'ssfj' });
    const res = refused(await admin()('unit.update', input as never));
    expect(res).toMatchObject({ code, field });
    expect(res.message).toContain(message);
    expect(t.cloud.db.find('units', { _id: 'ssfj' })).toEqual(before);
  });
});

describe('retire and restore', () => {
  let seq = 0;
  const submission = (roundId: string): SubmitReportInput => reportInput(assignmentOf(24, 'ssfj'), roundId, `req-units-${++seq}`);

  test('a retired unit’s contact loses access at once, the unit leaves the lists and the overview; restoring gives it back', async () => {
    const round = await createRound(t, { dueDate: inDays(5), scope: [24] });
    const contact = t.as(CONTACTS.ssfj.openid);
    okData(await contact('tasks.mine', {}));

    const retired = okData(await admin()('unit.retire', { id: 'ssfj' }));
    expect(retired.unit).toMatchObject({ active: false, contacts: 1 });
    expect(refused(await contact('tasks.mine', {})).code).toBe('FORBIDDEN');
    expect(refused(await contact('report.submit', submission(round.id))).code).toBe('FORBIDDEN');
    expect(okData(await t.as('o-anyone-0001')('unit.list', {})).map((u) => u.id)).not.toContain('ssfj');
    expect(okData(await admin()('unit.directory', {})).find((u) => u.id === 'ssfj')).toMatchObject({ active: false, contacts: 1 });
    const view = okData(await admin()('overview.round', { roundId: round.id }));
    expect(view.units.map((u) => u.id)).not.toContain('ssfj');
    // History stays: the assignments are still on file.
    expect(t.cloud.db.count('assignments', { unitId: 'ssfj' })).toBe(expectedAssignments('ssfj').length);
    // Retiring again is the same outcome, not another event.
    okData(await admin()('unit.retire', { id: 'ssfj' }));
    expect(t.cloud.db.count('audit', { action: 'unit.retire' })).toBe(1);

    // A new department added meanwhile does not give the retired unit anything.
    okData(await admin()('unit.create', { name: '市统计局', kind: 'department' }));
    expect(t.cloud.db.count('assignments', { unitId: 'ssfj' })).toBe(expectedAssignments('ssfj').length);

    const restored = okData(await admin()('unit.restore', { id: 'ssfj' }));
    expect(restored).toMatchObject({ unit: { active: true }, assignmentsAdded: 0 });
    expect(okData(await contact('report.submit', submission(round.id))).report.version).toBe(1);
  });

  test('a removed contact loses access at once', async () => {
    const contact = t.as(CONTACTS.xiangcheng.openid);
    okData(await contact('tasks.mine', {}));
    okData(await admin()('contact.remove', { openid: CONTACTS.xiangcheng.openid }));
    expect(refused(await contact('tasks.mine', {})).code).toBe('NOT_BOUND');
    expect(refused(await contact('round.list', {})).code).toBe('NOT_BOUND');
  });

  test('unknown units are NOT_FOUND', async () => {
    expect(refused(await admin()('unit.retire', { id: 'no-such-unit' }))).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    expect(refused(await admin()('unit.restore', { id: 'no-such-unit' }))).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });
});
