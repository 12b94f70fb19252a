import { expandAssignments, type DirectoryUnit } from '../../cloudfunctions/common/domain/assignments';
import { buildPlanDocs, taskAssignmentDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';

const units: DirectoryUnit[] = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));
const renamed = units.map((u) => (u.id === 'ssfj' ? { ...u, name: '市司法行政局', aliases: ['市司法局'] } : u));

describe('aliases in the group expansion', () => {
  test('a renamed unit still matches cells printed with its old name, under its new name', () => {
    const { assignments, unknown } = expandAssignments({ lead: ['市司法局'], cooperate: [], responsible: [] }, renamed, DIRECTORY.groups);
    expect(unknown).toEqual([]);
    expect(assignments).toEqual([{ unitId: 'ssfj', unitName: '市司法行政局', role: 'lead', via: 'named' }]);
  });

  test('without the alias the old name is unknown', () => {
    const bare = renamed.map((u) => ({ ...u, aliases: [] }));
    expect(expandAssignments({ lead: ['市司法局'], cooperate: [], responsible: [] }, bare, DIRECTORY.groups).unknown).toEqual(['市司法局']);
  });

  test('a current name beats another unit’s alias; an active unit’s alias beats a retired unit’s name', () => {
    const clash: DirectoryUnit[] = [
      { id: 'a', name: '甲局', kind: 'department', active: true },
      { id: 'b', name: '乙局', kind: 'department', active: true, aliases: ['甲局'] },
    ];
    expect(expandAssignments({ lead: ['甲局'], cooperate: [], responsible: [] }, clash, []).assignments.map((a) => a.unitId)).toEqual([
      'a',
    ]);
    // 甲局 merged into 乙局: the retired unit keeps its name, the merged unit takes the cells.
    const merged = clash.map((u) => (u.id === 'a' ? { ...u, active: false } : u));
    expect(expandAssignments({ lead: ['甲局'], cooperate: [], responsible: [] }, merged, []).assignments).toEqual([
      { unitId: 'b', unitName: '乙局', role: 'lead', via: 'named' },
    ]);
  });

  test('the role of a name reached through an alias still beats a group in the same cell', () => {
    const t24 = TABLE_2021.tasks.find((x) => x.no === 24)!;
    const office = units.map((u) => (u.id === 'szfbgs' ? { ...u, name: '市政府办公室（新）', aliases: ['市政府办公室'] } : u));
    const { assignments } = expandAssignments(t24, office, DIRECTORY.groups);
    expect(assignments.filter((a) => a.unitId === 'szfbgs')).toEqual([
      { unitId: 'szfbgs', unitName: '市政府办公室（新）', role: 'lead', via: 'named' },
    ]);
  });
});

describe('taskAssignmentDocs', () => {
  test('gives exactly the documents buildPlanDocs gives, task by task', () => {
    const whole = buildPlanDocs(TABLE_2021, units, DIRECTORY.groups).assignments;
    const perTask = TABLE_2021.tasks.flatMap((task) => taskAssignmentDocs(2021, task, units, DIRECTORY.groups).assignments);
    expect(perTask).toEqual(whole);
    expect(perTask).toHaveLength(805);
  });

  test('a town added to the directory gets new ids only for itself; the others are unchanged', () => {
    const before = buildPlanDocs(TABLE_2021, units, DIRECTORY.groups).assignments;
    const more = [...units, { id: 'new-town', name: '新设镇', kind: 'town' as const, active: true }];
    const after = TABLE_2021.tasks.flatMap((task) => taskAssignmentDocs(2021, task, more, DIRECTORY.groups).assignments);
    const added = after.filter((a) => !before.some((b) => b._id === a._id));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((a) => a.unitId === 'new-town' && a.via === '各镇街')).toBe(true);
    expect(after.filter((a) => a.unitId !== 'new-town')).toEqual(before);
  });
});
