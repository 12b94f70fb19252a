import { latestKey, ledgerTable, type LedgerRound } from '../../cloudfunctions/common/domain/ledger';
import { buildPlanDocs } from '../../cloudfunctions/common/domain/plan-docs';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import type { ReportState } from '../../miniprogram/shared/api';

const units = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));
const docs = buildPlanDocs(TABLE_2021, units, DIRECTORY.groups);
const directory = new Map(DIRECTORY.units.map((u, i) => [u.code, { name: u.name, active: true, order: i + 1 }]));
const now = new Date('2021-10-08T10:00:00+08:00');
const q3: LedgerRound = {
  _id: 'r-q3',
  name: '第三季度',
  dueDate: '2021-09-30',
  scope: 'all',
  overrides: { '32': '2021-12-31' },
  status: 'open',
};
const q4: LedgerRound = { _id: 'r-q4', name: '第四季度', dueDate: '2021-12-31', scope: [24, 25], status: 'open' };

function table(opts: { latest?: Map<string, { state: ReportState }>; retired?: string[]; rounds?: LedgerRound[] } = {}) {
  const u = new Map(directory);
  for (const id of opts.retired ?? []) u.set(id, { ...(u.get(id) as { name: string; active: boolean; order: number }), active: false });
  return ledgerTable({
    sections: TABLE_2021.sections,
    categories: TABLE_2021.categories,
    tasks: docs.tasks,
    assignments: docs.assignments,
    units: u,
    rounds: opts.rounds ?? [q3, q4],
    latest: opts.latest ?? new Map(),
    now,
  });
}

test('one row per assignment per round that asks about its task, the table in task order', () => {
  const t = table();
  const onQ4 = docs.assignments.filter((a) => a.taskNo === 24 || a.taskNo === 25).length;
  expect(t.blocks.map((b) => b.task.no)).toEqual(TABLE_2021.tasks.map((x) => x.no));
  expect(t.totals.assigned).toBe(docs.assignments.length + onQ4);
  expect(t.blocks.reduce((n, b) => n + b.rows.length, 0)).toBe(t.totals.assigned);
  const t24 = t.blocks.find((b) => b.task.no === 24)!;
  // A unit's rounds side by side; the lead first.
  expect(t24.rows.slice(0, 2).map((r) => [r.unitName, r.role, r.roundName])).toEqual([
    ['市政府办公室', 'lead', '第三季度'],
    ['市政府办公室', 'lead', '第四季度'],
  ]);
  expect(t24.section?.label).toBe('二');
  expect(t24.category?.label).toBe('(九)');
});

test('statuses follow the overview’s rules: past due without a report is overdue, an override moves the day', () => {
  const latest = new Map([
    [latestKey('r-q3', 'plan-2021-t25-ssfj'), { state: 'approved' as const }],
    [latestKey('r-q3', 'plan-2021-t11-ssfj'), { state: 'returned' as const }],
    [latestKey('r-q4', 'plan-2021-t25-ssfj'), { state: 'submitted' as const }],
  ]);
  const t = table({ latest });
  const row = (no: number, unit: string, round: string) =>
    t.blocks.find((b) => b.task.no === no)!.rows.find((r) => r.unitId === unit && r.roundId === round);
  expect(row(25, 'ssfj', 'r-q3')?.status).toBe('approved');
  expect(row(11, 'ssfj', 'r-q3')?.status).toBe('overdue');
  expect(row(25, 'ssfj', 'r-q4')?.status).toBe('submitted');
  expect(row(4, 'szfbgs', 'r-q3')?.status).toBe('overdue');
  expect(row(32, 'szfbgs', 'r-q3')).toMatchObject({ status: 'not_started', due: '2021-12-31' });
  expect(t.taskCounts.get(25)).toMatchObject({ assigned: 2, approved: 1, submitted: 1 });
  const ssfj = t.unitCounts.find((u) => u.unitId === 'ssfj');
  expect(ssfj?.counts).toMatchObject({ approved: 1, submitted: 1 });
  // Directory order, never sorted by results.
  expect(t.unitCounts.map((u) => u.unitId)).toEqual(DIRECTORY.units.map((u) => u.code));
});

test('a retired unit keeps the rows it reported on and owes nothing more', () => {
  const latest = new Map([[latestKey('r-q3', 'plan-2021-t25-ssfj'), { state: 'approved' as const }]]);
  const t = table({ latest, retired: ['ssfj'] });
  const rows = t.blocks.flatMap((b) => b.rows).filter((r) => r.unitId === 'ssfj');
  expect(rows.map((r) => [r.assignmentId, r.roundId, r.unitActive])).toEqual([['plan-2021-t25-ssfj', 'r-q3', false]]);
});

test('with no rounds every task is still listed, with no rows', () => {
  const t = table({ rounds: [] });
  expect(t.blocks).toHaveLength(44);
  expect(t.blocks.every((b) => b.rows.length === 0)).toBe(true);
  expect(t.totals.assigned).toBe(0);
});
