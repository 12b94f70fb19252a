/**
 * A reporting round as the office sees it: every (task in scope × active
 * unit) cell with its status, counted per task, per unit and in total.
 * Units stay in directory order: these are completion statistics, never a
 * ranking (the 减负 rules forbid public rankings).
 */
import {
  OVERVIEW_CODE,
  type AssignmentStatus,
  type OverviewTask,
  type OverviewUnit,
  type ReportState,
  type StatusCounts,
  type UnitKind,
} from '../../../miniprogram/shared/api';
import { dueDateFor, roundCoversTask, type RoundLike } from './rounds';
import { assignmentStatus } from './status';

export interface GridTask {
  id: string;
  no: number;
}
export interface GridUnit {
  id: string;
  name: string;
  kind: UnitKind;
  active: boolean;
  order: number;
}
export interface GridAssignment {
  _id: string;
  taskNo: number;
  unitId: string;
}
/** The highest version of an assignment in the round. */
export interface LatestReport {
  reportId: string;
  version: number;
  state: ReportState;
}

export interface Cell {
  assignmentId: string;
  status: AssignmentStatus;
  latest?: LatestReport;
}
export interface RoundGrid {
  tasks: (GridTask & { dueDate: string })[];
  units: GridUnit[];
  /** cells[u][t]: unit `units[u]` on task `tasks[t]`; null where it has no assignment. */
  cells: (Cell | null)[][];
}

/**
 * The grid of a round: tasks in scope by number, active units with at
 * least one assignment in scope in directory order. Retired units are left
 * out: they are no longer asked for anything (their reports stay on file).
 */
export function roundGrid(input: {
  round: RoundLike;
  tasks: readonly GridTask[];
  units: readonly GridUnit[];
  assignments: readonly GridAssignment[];
  latest: ReadonlyMap<string, LatestReport>;
  now: Date;
}): RoundGrid {
  const { round, latest, now } = input;
  const tasks = input.tasks
    .filter((t) => roundCoversTask(round, t.no))
    .sort((a, b) => a.no - b.no)
    .map((t) => ({ ...t, dueDate: dueDateFor(round, t.no) }));
  const taskIndex = new Map(tasks.map((t, i) => [t.no, i]));
  const active = new Map(input.units.filter((u) => u.active).map((u) => [u.id, u]));
  const byUnit = new Map<string, GridAssignment[]>();
  for (const a of input.assignments) {
    if (!taskIndex.has(a.taskNo) || !active.has(a.unitId)) continue;
    const list = byUnit.get(a.unitId) ?? [];
    list.push(a);
    byUnit.set(a.unitId, list);
  }
  const units = [...active.values()]
    .filter((u) => byUnit.has(u.id))
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name, 'zh-Hans-CN'));
  const cells = units.map((u) => {
    const row: (Cell | null)[] = tasks.map(() => null);
    for (const a of byUnit.get(u.id) ?? []) {
      const t = taskIndex.get(a.taskNo) as number;
      const last = latest.get(a._id);
      const status = assignmentStatus({ latest: last?.state, due: tasks[t]?.dueDate ?? round.dueDate, now });
      row[t] = last ? { assignmentId: a._id, status, latest: last } : { assignmentId: a._id, status };
    }
    return row;
  });
  return { tasks, units, cells };
}

export const emptyCounts = (): StatusCounts => ({ assigned: 0, not_started: 0, submitted: 0, returned: 0, approved: 0, overdue: 0 });

function add(counts: StatusCounts, status: AssignmentStatus): void {
  counts.assigned++;
  counts[status]++;
}

/** The compact overview the office's phone receives (cells as one character each). */
export function overviewOf(grid: RoundGrid): {
  tasks: OverviewTask[];
  units: OverviewUnit[];
  totals: StatusCounts;
  overdue: { unitId: string; taskNos: number[] }[];
  neverSubmitted: string[];
} {
  const taskCounts = grid.tasks.map(emptyCounts);
  const totals = emptyCounts();
  const overdue: { unitId: string; taskNos: number[] }[] = [];
  const neverSubmitted: string[] = [];
  const units = grid.units.map((u, ui): OverviewUnit => {
    const row = grid.cells[ui] ?? [];
    const counts = emptyCounts();
    const late: number[] = [];
    let anyReport = false;
    row.forEach((cell, ti) => {
      if (!cell) return;
      add(counts, cell.status);
      add(taskCounts[ti] as StatusCounts, cell.status);
      add(totals, cell.status);
      if (cell.status === 'overdue') late.push(grid.tasks[ti]?.no as number);
      if (cell.latest) anyReport = true;
    });
    if (late.length) overdue.push({ unitId: u.id, taskNos: late });
    if (!anyReport) neverSubmitted.push(u.id);
    return {
      id: u.id,
      name: u.name,
      kind: u.kind,
      cells: row.map((c) => (c ? OVERVIEW_CODE[c.status] : '-')).join(''),
      reports: row.map((c) => c?.latest?.reportId ?? null),
      counts,
    };
  });
  const tasks = grid.tasks.map((t, i): OverviewTask => ({ id: t.id, no: t.no, dueDate: t.dueDate, counts: taskCounts[i] as StatusCounts }));
  return { tasks, units, totals, overdue, neverSubmitted };
}

/**
 * The latest reports of the overview whose links did not open at their last
 * check (`broken`: one entry per such link, from the link states), in the
 * overview's unit and task order. A link of an older version is not listed:
 * the unit has already sent a newer report.
 */
export function brokenLinksOf(
  view: { tasks: readonly { no: number }[]; units: readonly { id: string; reports: readonly (string | null)[] }[] },
  broken: readonly { reportId: string }[],
): { unitId: string; taskNo: number; reportId: string; links: number }[] {
  const perReport = new Map<string, number>();
  for (const b of broken) perReport.set(b.reportId, (perReport.get(b.reportId) ?? 0) + 1);
  const out: { unitId: string; taskNo: number; reportId: string; links: number }[] = [];
  for (const unit of view.units) {
    unit.reports.forEach((reportId, i) => {
      const links = reportId ? perReport.get(reportId) : undefined;
      const task = view.tasks[i];
      if (links && task) out.push({ unitId: unit.id, taskNo: task.no, reportId: reportId as string, links });
    });
  }
  return out;
}
