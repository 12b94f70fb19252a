/**
 * The 工作台账 as rows: the plan's tasks in table order, and under each
 * task one row per assignment per reporting round in scope, with the
 * assignment's status by the same rules as the office's overview
 * (status.ts, rounds.ts). Counts per task and per unit feed the summary.
 *
 * Which rows: a round asks about the tasks in its scope; an active unit
 * owes each of its assignments there. A retired unit is no longer asked
 * for anything (the overview leaves it out), but what it did report stays
 * on the ledger.
 */
import type { AssignmentStatus, ReportState, Role, StatusCounts } from '../../../miniprogram/shared/api';
import type { TableCategory, TableSection } from '../table';
import { emptyCounts } from './overview';
import { dueDateFor, roundCoversTask, type RoundLike } from './rounds';
import { assignmentStatus } from './status';

export interface LedgerTask {
  no: number;
  section: number;
  category: number;
  requirement: string;
  unitsText: string;
}
export interface LedgerAssignment {
  _id: string;
  taskNo: number;
  unitId: string;
  unitName: string;
  role: Role;
}
export interface LedgerUnit {
  name: string;
  active: boolean;
  order: number;
}
export interface LedgerRound extends RoundLike {
  _id: string;
  name: string;
}

export interface LedgerRow<R> {
  assignmentId: string;
  unitId: string;
  /** The directory's current name. */
  unitName: string;
  unitActive: boolean;
  role: Role;
  roundId: string;
  roundName: string;
  due: string;
  status: AssignmentStatus;
  /** The latest version in the round, if any. */
  report?: R;
}
export interface LedgerBlock<R> {
  task: LedgerTask;
  section: TableSection | undefined;
  category: TableCategory | undefined;
  /** A unit's rounds are consecutive, in due-date order. */
  rows: LedgerRow<R>[];
}
export interface LedgerTable<R> {
  blocks: LedgerBlock<R>[];
  /** Per task number, over every row of the task. */
  taskCounts: Map<number, StatusCounts>;
  /** Units with at least one row, in directory order. */
  unitCounts: { unitId: string; unitName: string; counts: StatusCounts }[];
  totals: StatusCounts;
}

/** Key of `latest`: a round and an assignment. */
export const latestKey = (roundId: string, assignmentId: string) => `${roundId}/${assignmentId}`;

const ROLE_ORDER: Record<Role, number> = { lead: 0, responsible: 1, cooperate: 2 };

export function ledgerTable<R extends { state: ReportState }>(input: {
  sections: readonly TableSection[];
  categories: readonly TableCategory[];
  tasks: readonly LedgerTask[];
  assignments: readonly LedgerAssignment[];
  units: ReadonlyMap<string, LedgerUnit>;
  /** The rounds in scope, in the order the ledger lists them. */
  rounds: readonly LedgerRound[];
  latest: ReadonlyMap<string, R>;
  now: Date;
}): LedgerTable<R> {
  const { units, rounds, latest, now } = input;
  const sectionOf = new Map(input.sections.map((s) => [s.no, s]));
  const categoryOf = new Map(input.categories.map((c) => [c.no, c]));
  const unitOf = (a: LedgerAssignment): LedgerUnit =>
    units.get(a.unitId) ?? { name: a.unitName, active: false, order: Number.MAX_SAFE_INTEGER };
  const byTask = new Map<number, LedgerAssignment[]>();
  for (const a of input.assignments) {
    const list = byTask.get(a.taskNo);
    if (list) list.push(a);
    else byTask.set(a.taskNo, [a]);
  }

  const taskCounts = new Map<number, StatusCounts>();
  const unitCounts = new Map<string, { unitId: string; unitName: string; order: number; counts: StatusCounts }>();
  const totals = emptyCounts();
  const count = (counts: StatusCounts, status: AssignmentStatus) => {
    counts.assigned++;
    counts[status]++;
  };

  const blocks = [...input.tasks]
    .sort((a, b) => a.no - b.no)
    .map((task): LedgerBlock<R> => {
      const assignments = [...(byTask.get(task.no) ?? [])].sort(
        (a, b) =>
          ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
          unitOf(a).order - unitOf(b).order ||
          unitOf(a).name.localeCompare(unitOf(b).name, 'zh-Hans-CN'),
      );
      const counts = emptyCounts();
      const rows: LedgerRow<R>[] = [];
      for (const a of assignments) {
        const unit = unitOf(a);
        for (const round of rounds) {
          if (!roundCoversTask(round, task.no)) continue;
          const report = latest.get(latestKey(round._id, a._id));
          if (!unit.active && !report) continue;
          const due = dueDateFor(round, task.no);
          const status = assignmentStatus({ latest: report?.state, due, now });
          const row: LedgerRow<R> = {
            assignmentId: a._id,
            unitId: a.unitId,
            unitName: unit.name,
            unitActive: unit.active,
            role: a.role,
            roundId: round._id,
            roundName: round.name,
            due,
            status,
          };
          if (report) row.report = report;
          rows.push(row);
          count(counts, status);
          count(totals, status);
          const perUnit = unitCounts.get(a.unitId) ?? { unitId: a.unitId, unitName: unit.name, order: unit.order, counts: emptyCounts() };
          count(perUnit.counts, status);
          unitCounts.set(a.unitId, perUnit);
        }
      }
      taskCounts.set(task.no, counts);
      return { task, section: sectionOf.get(task.section), category: categoryOf.get(task.category), rows };
    });
  return {
    blocks,
    taskCounts,
    unitCounts: [...unitCounts.values()]
      .sort((a, b) => a.order - b.order || a.unitName.localeCompare(b.unitName, 'zh-Hans-CN'))
      .map(({ unitId, unitName, counts }) => ({ unitId, unitName, counts })),
    totals,
  };
}
