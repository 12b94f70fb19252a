import type { AssignmentStatus } from '../../miniprogram/shared/api';
import { compareMyTasks, compareTaskUnits, countMyTasks, latestByAssignment } from '../../cloudfunctions/common/domain/my-tasks';

describe('compareMyTasks', () => {
  test('what needs action first, then by task number; items outside the round last', () => {
    const items: { status: AssignmentStatus | null; taskNo: number }[] = [
      { status: 'approved', taskNo: 1 },
      { status: null, taskNo: 2 },
      { status: 'submitted', taskNo: 3 },
      { status: 'not_started', taskNo: 9 },
      { status: 'not_started', taskNo: 4 },
      { status: 'returned', taskNo: 5 },
      { status: 'overdue', taskNo: 6 },
    ];
    expect([...items].sort(compareMyTasks).map((i) => i.taskNo)).toEqual([6, 5, 4, 9, 3, 1, 2]);
  });
});

describe('countMyTasks', () => {
  test('total counts every assignment; the rest only the round’s', () => {
    const counts = countMyTasks([
      { inRound: true, status: 'not_started' },
      { inRound: true, status: 'returned' },
      { inRound: true, status: 'overdue' },
      { inRound: true, status: 'overdue' },
      { inRound: true, status: 'submitted' },
      { inRound: true, status: 'approved' },
      { inRound: false, status: null },
    ]);
    expect(counts).toEqual({ total: 7, pending: 4, returned: 1, overdue: 2, submitted: 1, approved: 1 });
  });
});

test('latestByAssignment keeps the highest version of each assignment', () => {
  const latest = latestByAssignment([
    { assignmentId: 'a', version: 2, tag: 'a2' },
    { assignmentId: 'b', version: 1, tag: 'b1' },
    { assignmentId: 'a', version: 3, tag: 'a3' },
    { assignmentId: 'a', version: 1, tag: 'a1' },
  ]);
  expect([...latest.entries()].map(([k, v]) => `${k}:${v.tag}`).sort()).toEqual(['a:a3', 'b:b1']);
});

test('compareTaskUnits: leads, then responsible, then cooperating; directory order within a role', () => {
  const units = [
    { role: 'cooperate' as const, order: 1, name: '甲' },
    { role: 'responsible' as const, order: 9, name: '乙' },
    { role: 'lead' as const, order: 5, name: '丙' },
    { role: 'cooperate' as const, order: 0, name: '丁' },
    { role: 'lead' as const, order: 2, name: '戊' },
  ];
  expect([...units].sort(compareTaskUnits).map((u) => u.name)).toEqual(['戊', '丙', '乙', '丁', '甲']);
});
