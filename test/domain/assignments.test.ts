import { expandAssignments, type DirectoryUnit } from '../../cloudfunctions/common/domain/assignments';
import { buildPlanDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';

const units: DirectoryUnit[] = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));
const DEPARTMENTS = units.filter((u) => u.kind === 'department').length; // 18 named departments
const TOWNS = units.filter((u) => u.kind === 'town').length; // 16

describe('expandAssignments', () => {
  test('a named unit keeps its named role where a group also covers it (task 24)', () => {
    const t24 = TABLE_2021.tasks[23]!;
    const { assignments } = expandAssignments(t24, units, DIRECTORY.groups);
    const office = assignments.filter((a) => a.unitName === '市政府办公室');
    expect(office).toEqual([{ unitId: 'szfbgs', unitName: '市政府办公室', role: 'lead', via: 'named' }]);
    expect(assignments).toHaveLength(DEPARTMENTS + TOWNS);
    expect(assignments.filter((a) => a.role === 'cooperate')).toHaveLength(DEPARTMENTS + TOWNS - 1);
  });

  test('groups expand only to active units of their kind; 市委编办 is not a 市政府部门', () => {
    const retired = units.map((u) => (u.name === '香城镇' ? { ...u, active: false } : u));
    const { assignments } = expandAssignments(
      { lead: [], cooperate: [], responsible: ['市政府各部门', '各镇街'] },
      retired,
      DIRECTORY.groups,
    );
    const names = assignments.map((a) => a.unitName);
    expect(names).not.toContain('市委编办');
    expect(names).not.toContain('香城镇');
    expect(assignments).toHaveLength(DEPARTMENTS + TOWNS - 1);
    expect(new Set(assignments.map((a) => a.via))).toEqual(new Set(['市政府各部门', '各镇街']));
  });

  test('names that are neither units nor groups are reported, not assigned', () => {
    const { assignments, unknown } = expandAssignments(
      { lead: ['市大数据局'], cooperate: ['市司法局'], responsible: [] },
      units,
      DIRECTORY.groups,
    );
    expect(unknown).toEqual(['市大数据局']);
    expect(assignments).toEqual([{ unitId: 'ssfj', unitName: '市司法局', role: 'cooperate', via: 'named' }]);
  });
});

describe('buildPlanDocs for 2021', () => {
  const docs = buildPlanDocs(TABLE_2021, units, DIRECTORY.groups);

  test('one task document per task and no unknown names', () => {
    expect(docs.tasks).toHaveLength(44);
    expect(docs.unknown).toEqual([]);
    expect(docs.plan).toMatchObject({ _id: 'plan-2021', year: 2021, taskCount: 44 });
  });

  test('every (task, unit) pair appears once', () => {
    const keys = docs.assignments.map((a) => `${a.taskNo}/${a.unitId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(docs.assignments.map((a) => a._id)).size).toBe(keys.length);
  });

  const tasksOf = (unit: string) =>
    docs.assignments
      .filter((a) => a.unitName === unit)
      .map((a) => `${a.taskNo}:${a.role}`)
      .join(' ');

  test('市司法局 owes exactly what the table says', () => {
    // Named in 11, 25, 35; a department in every 市政府各部门 cell.
    expect(tasksOf('市司法局')).toBe(
      '1:cooperate 2:responsible 3:responsible 6:cooperate 8:cooperate 9:cooperate 11:responsible 16:cooperate 17:responsible ' +
        '18:responsible 19:responsible 20:responsible 21:responsible 22:responsible 24:cooperate 25:responsible 26:cooperate ' +
        '28:responsible 30:responsible 32:cooperate 33:responsible 34:cooperate 35:responsible 37:cooperate 39:responsible 41:responsible 44:responsible',
    );
  });

  test('香城镇 (a town) owes exactly what the table says', () => {
    expect(tasksOf('香城镇')).toBe(
      '1:cooperate 2:responsible 3:responsible 6:cooperate 7:responsible 8:cooperate 18:responsible 19:responsible 20:responsible ' +
        '21:responsible 22:responsible 24:cooperate 30:responsible 32:cooperate 34:cooperate 37:cooperate 39:responsible 40:cooperate 41:responsible 44:responsible',
    );
  });

  test('市委编办 leads task 8 only', () => {
    expect(tasksOf('市委编办')).toBe('8:lead');
  });

  test('市政府办公室 leads or owes its named tasks and never doubles up', () => {
    const office = docs.assignments.filter((a) => a.unitName === '市政府办公室');
    expect(office.filter((a) => a.role === 'lead').map((a) => a.taskNo)).toEqual([24, 26, 32, 34, 37, 40]);
    expect(office.filter((a) => a.via === 'named' && a.role === 'responsible').map((a) => a.taskNo)).toEqual([4, 27, 29, 36, 38, 42, 43]);
  });
});
