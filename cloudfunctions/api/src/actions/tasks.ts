/**
 * What a unit owes: its assignments in the current plan with the current
 * round's status (tasks.mine), and one task in full (task.detail). The unit
 * is always the caller's own; nothing in the input names it. Both read a
 * fixed number of collections, whatever the number of tasks.
 */
import type {
  AssignmentStatus,
  CooperatingReport,
  MyTaskItem,
  MyTasksView,
  TaskDetailView,
  TaskUnitView,
} from '../../../../miniprogram/shared/api';
import { db, fetchAll, fetchIn, first } from '../../../common/cloud';
import { daysLeft, officeDay } from '../../../common/domain/dates';
import { compareMyTasks, compareTaskUnits, countMyTasks, latestByAssignment } from '../../../common/domain/my-tasks';
import type { AssignmentDoc, PlanDoc, TaskDoc } from '../../../common/domain/plan-docs';
import { currentRound, dueDateFor, roundCoversTask } from '../../../common/domain/rounds';
import { assignmentStatus } from '../../../common/domain/status';
import { notFound } from '../../../common/envelope';
import type { ReportDoc, RoundDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { empty, object, string } from '../../../common/validate';
import { currentPlan } from '../../../common/plans';
import { latestReviews } from '../../../common/reports';
import { iso, newestFirst, reportViews } from '../report-view';
import type { ActionDef } from '../router';
import { roundView } from './rounds';

async function requireCurrentPlan(): Promise<PlanDoc> {
  const plan = await currentPlan();
  if (!plan) throw notFound('还没有导入任务分解表，请联系政务公开科');
  return plan;
}

/** Where a task stands for one unit in `round` (null fields outside the round). */
function standing(round: RoundDoc | undefined, taskNo: number, latest: ReportDoc | undefined, now: Date) {
  if (!round || !roundCoversTask(round, taskNo)) {
    return { inRound: false, dueDate: null, daysLeft: null, status: null as AssignmentStatus | null };
  }
  const due = dueDateFor(round, taskNo);
  return { inRound: true, dueDate: due, daysLeft: daysLeft(due, now), status: assignmentStatus({ latest: latest?.state, due, now }) };
}

export const tasksMine: ActionDef<'tasks.mine'> = {
  access: 'anyone',
  input: empty,
  async run(_input, caller) {
    const { unit } = await caller.requireActiveContact();
    const plan = await requireCurrentPlan();
    const [assignments, tasks, rounds] = await Promise.all([
      fetchAll<AssignmentDoc>(db.collection(C.assignments).where({ planId: plan._id, unitId: unit._id }), 'taskNo'),
      fetchAll<TaskDoc>(db.collection(C.tasks).where({ planId: plan._id }), 'no'),
      fetchAll<RoundDoc>(db.collection(C.rounds).where({ planId: plan._id })),
    ]);
    const now = new Date();
    const round = currentRound(rounds, officeDay(now));
    // By assignment (index assignment_round): one request for a unit's few dozen assignments.
    const reports =
      round && assignments.length
        ? await fetchIn<ReportDoc>(
            C.reports,
            'assignmentId',
            assignments.map((a) => a._id),
            { roundId: round._id },
            // Only what the list shows: texts and evidence stay in the database.
            { _id: true, assignmentId: true, version: true, state: true, submittedAt: true },
          )
        : [];
    const latest = latestByAssignment(reports);
    const returnedIds = [...latest.values()].filter((r) => r.state === 'returned').map((r) => r._id);
    const reviews = await latestReviews(returnedIds);
    const requirement = new Map(tasks.map((t) => [t.no, t.requirement]));

    const items = assignments.map((a): MyTaskItem => {
      const mine = latest.get(a._id);
      const at = standing(round, a.taskNo, mine, now);
      const review = mine?.state === 'returned' ? reviews.get(mine._id) : undefined;
      return {
        assignmentId: a._id,
        taskId: a.taskId,
        taskNo: a.taskNo,
        requirement: requirement.get(a.taskNo) ?? '',
        role: a.role,
        ...at,
        returnNote: review ? review.note : null,
        lastSubmittedAt: mine ? iso(mine.submittedAt) : null,
      };
    });
    items.sort(compareMyTasks);
    const view: MyTasksView = {
      unit: { id: unit._id, name: unit.name },
      plan: { id: plan._id, year: plan.year, title: plan.title },
      round: round ? roundView(round) : null,
      counts: countMyTasks(items),
      items,
    };
    return view;
  },
};

export const taskDetail: ActionDef<'task.detail'> = {
  access: 'anyone',
  input: object({ taskId: string({ max: 100 }) }),
  async run({ taskId }, caller) {
    const { unit } = await caller.requireActiveContact();
    const task = await first<TaskDoc>(db.collection(C.tasks).where({ _id: taskId }).limit(1));
    if (!task) throw notFound('没有找到这项任务，请返回任务列表刷新');
    const [plan, onTask, rounds] = await Promise.all([
      first<PlanDoc>(db.collection(C.plans).where({ _id: task.planId }).limit(1)),
      fetchAll<AssignmentDoc>(db.collection(C.assignments).where({ planId: task.planId, taskNo: task.no })),
      fetchAll<RoundDoc>(db.collection(C.rounds).where({ planId: task.planId })),
    ]);
    const mine = onTask.find((a) => a.unitId === unit._id);
    // Detail is per assignment: a unit not on the task has nothing to see here.
    if (!plan || !mine) throw notFound('本单位没有承担这项任务');

    const now = new Date();
    const round = currentRound(rounds, officeDay(now));
    const isLead = mine.role === 'lead';
    const others = onTask.filter((a) => a.unitId !== unit._id);
    const [unitDocs, history, roundReports] = await Promise.all([
      fetchIn<UnitDoc>(
        C.units,
        '_id',
        onTask.map((a) => a.unitId),
      ),
      fetchAll<ReportDoc>(db.collection(C.reports).where({ assignmentId: mine._id })),
      // The lead reads the other units' answers of this round; mine come from history.
      isLead && round && roundCoversTask(round, task.no) && others.length
        ? fetchIn<ReportDoc>(
            C.reports,
            'assignmentId',
            others.map((a) => a._id),
            { roundId: round._id },
          )
        : ([] as ReportDoc[]),
    ]);
    const order = new Map(unitDocs.map((u) => [u._id, u.order]));
    // The directory has the current name should the office have renamed a unit.
    const unitNames = new Map(onTask.map((a) => [a.unitId, a.unitName]));
    for (const u of unitDocs) unitNames.set(u._id, u.name);
    const nameOf = (a: AssignmentDoc) => unitNames.get(a.unitId) ?? a.unitName;
    const roundNames = new Map(rounds.map((r) => [r._id, r.name]));
    const sorted = [...onTask].sort((a, b) =>
      compareTaskUnits(
        { role: a.role, order: order.get(a.unitId) ?? Number.MAX_SAFE_INTEGER, name: nameOf(a) },
        { role: b.role, order: order.get(b.unitId) ?? Number.MAX_SAFE_INTEGER, name: nameOf(b) },
      ),
    );

    history.sort(newestFirst);
    const otherLatest = latestByAssignment(roundReports);
    // One pass for reviews and names of everything shown.
    const shown = [...history, ...otherLatest.values()];
    const views = new Map((await reportViews(shown, { units: unitNames, rounds: roundNames })).map((v) => [v.id, v]));

    const myLatestInRound = round ? latestByAssignment(history.filter((r) => r.roundId === round._id)).get(mine._id) : undefined;
    const at = standing(round, task.no, myLatestInRound, now);

    let cooperating: CooperatingReport[] | null = null;
    if (isLead) {
      cooperating = sorted
        .filter((a) => a.unitId !== unit._id)
        .map((a) => {
          const latest = otherLatest.get(a._id);
          return {
            unitId: a.unitId,
            unitName: nameOf(a),
            role: a.role,
            status: standing(round, task.no, latest, now).status,
            latest: latest ? (views.get(latest._id) ?? null) : null,
          };
        });
    }

    const { _id, planId: _plan, ...fields } = task;
    const view: TaskDetailView = {
      task: {
        id: _id,
        ...fields,
        sectionTitle: plan.sections.find((s) => s.no === task.section)?.title ?? '',
        categoryTitle: plan.categories.find((c) => c.no === task.category)?.title ?? '',
      },
      assignment: { id: mine._id, role: mine.role, unitId: unit._id, unitName: unit.name },
      units: sorted.map((a): TaskUnitView => ({ unitId: a.unitId, unitName: nameOf(a), role: a.role })),
      round: round ? roundView(round) : null,
      dueDate: at.dueDate,
      daysLeft: at.daysLeft,
      status: at.status,
      history: history.map((r) => views.get(r._id)).filter((v) => v !== undefined),
      cooperating,
    };
    return view;
  },
};
