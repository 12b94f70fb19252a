/**
 * Turns a task table and the unit directory into the documents a plan is
 * stored as. Ids are derived from the year, task number and unit code, so
 * building twice gives the same ids and seeding can be idempotent.
 */
import type { PlanTaskView, Role } from '../../../miniprogram/shared/api';
import type { TaskTable } from '../table';
import { expandAssignments, type DirectoryUnit, type UnitGroup } from './assignments';

export const planId = (year: number) => `plan-${year}`;
export const taskId = (year: number, no: number) => `plan-${year}-t${String(no).padStart(2, '0')}`;
export const assignmentId = (year: number, no: number, unitId: string) => `${taskId(year, no)}-${unitId}`;

export interface PlanDoc {
  _id: string;
  year: number;
  docNo: string;
  title: string;
  noticeTitle: string;
  issuer: string;
  issuedOn: string;
  region: string;
  sections: TaskTable['sections'];
  categories: TaskTable['categories'];
  taskCount: number;
  /**
   * Absent on seeded plans. `false`: imported ahead of time and not current
   * yet (common/plans.ts says which plan is current).
   */
  current?: boolean;
  /** How an imported plan came in (import.commit), for its idempotent retry. */
  import?: PlanImport;
}
export interface PlanImport {
  /** `<openid>:<client request id>` of the import.commit that wrote the plan. */
  requestKey: string;
  fileID: string;
  by: string;
  at: Date;
}
/** A task as stored: the view the app reads, keyed for the database. */
export interface TaskDoc extends Omit<PlanTaskView, 'id'> {
  _id: string;
  planId: string;
}
export interface AssignmentDoc {
  _id: string;
  planId: string;
  taskId: string;
  taskNo: number;
  unitId: string;
  unitName: string;
  role: Role;
  via: string;
}

export interface PlanDocs {
  plan: PlanDoc;
  tasks: TaskDoc[];
  assignments: AssignmentDoc[];
  /** Unit names in the table that the directory lacks, per task number. */
  unknown: { taskNo: number; names: string[] }[];
}

export function buildPlanDocs(table: TaskTable, units: readonly DirectoryUnit[], groups: readonly UnitGroup[]): PlanDocs {
  const { year } = table.document;
  const sectionOf = new Map(table.categories.map((c) => [c.no, c.section]));
  const pid = planId(year);
  const plan: PlanDoc = {
    _id: pid,
    ...table.document,
    sections: table.sections,
    categories: table.categories,
    taskCount: table.tasks.length,
  };
  const tasks: TaskDoc[] = [];
  const assignments: AssignmentDoc[] = [];
  const unknown: PlanDocs['unknown'] = [];
  for (const t of table.tasks) {
    const section = sectionOf.get(t.category);
    if (section === undefined) throw new Error(`task ${t.no} names unknown category ${t.category}`);
    const doc: TaskDoc = {
      _id: taskId(year, t.no),
      planId: pid,
      no: t.no,
      section,
      category: t.category,
      requirement: t.requirement,
      unitsText: t.unitsText,
      lead: t.lead,
      cooperate: t.cooperate,
      responsible: t.responsible,
    };
    if (t.deadline) doc.deadline = t.deadline;
    if (t.deadlineText) doc.deadlineText = t.deadlineText;
    tasks.push(doc);
    const expansion = taskAssignmentDocs(year, t, units, groups);
    if (expansion.unknown.length) unknown.push({ taskNo: t.no, names: expansion.unknown });
    assignments.push(...expansion.assignments);
  }
  return { plan, tasks, assignments, unknown };
}

/** A task's 责任单位 cell as parsed (a table row or a stored task). */
export type TaskCell = Pick<TaskDoc, 'no' | 'lead' | 'cooperate' | 'responsible'>;

/**
 * The assignment documents of one task of `year`'s plan over the directory,
 * with the ids buildPlanDocs gives them: expanding again after the directory
 * changed (a unit added, renamed, restored) yields the same ids for what was
 * there and new ones only for what is new.
 */
export function taskAssignmentDocs(
  year: number,
  task: TaskCell,
  units: readonly DirectoryUnit[],
  groups: readonly UnitGroup[],
): { assignments: AssignmentDoc[]; unknown: string[] } {
  const expansion = expandAssignments(task, units, groups);
  const assignments = expansion.assignments.map((a): AssignmentDoc => ({
    _id: assignmentId(year, task.no, a.unitId),
    planId: planId(year),
    taskId: taskId(year, task.no),
    taskNo: task.no,
    unitId: a.unitId,
    unitName: a.unitName,
    role: a.role,
    via: a.via,
  }));
  return { assignments, unknown: expansion.unknown };
}
