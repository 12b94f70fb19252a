/**
 * What to send: loads the current state of a plan in a fixed number of
 * paged requests (never one per assignment) and turns it into planned
 * notifications — deadline reminders per the schedule, 退回 and 催办 not yet
 * delivered, and the office's digest notice. Sending is notify.ts's job.
 */
import type { ReportState } from '../../miniprogram/shared/api';
import { _, db, fetchAll, fetchIn, first } from './cloud';
import { officeDay } from './domain/dates';
import type { DigestDraft } from './domain/digest';
import {
  deadlineFields,
  digestFields,
  returnedFields,
  urgeFields,
  type Fields,
  type NotifyKind,
  type TaskRef,
} from './domain/message-fields';
import type { PlanDoc, TaskDoc } from './domain/plan-docs';
import {
  deadlineGroups,
  digestGroup,
  latestKey,
  NOBODY,
  pendingItems,
  reminderKey,
  type PlanAssignment,
  type ReminderSchedule,
} from './domain/reminders';
import { dueDateFor, roundCoversTask } from './domain/rounds';
import type { ContactDoc, ReviewDoc, RoundDoc, UnitDoc, UrgeDoc } from './records';
import { currentPlanQuery } from './plans';
import { C } from './schema';

/** One message to one person (or, with `openid: null`, a unit nobody can be sent to). */
export interface Planned {
  /** The reminder's key and document `_id`. */
  key: string;
  kind: NotifyKind;
  openid: string | null;
  personName: string;
  unitId: string;
  unitName: string;
  roundId: string | null;
  /** The digest line this reminder belongs to (null: the office's own digest notice). */
  group: string | null;
  draft: DigestDraft | null;
  page: string;
  fields: Fields;
  refs: Record<string, string | string[]>;
  /** Lower goes first when a person's quota cannot cover everything: 退回, 催办, overdue, approaching. */
  priority: number;
}

type UnitRow = Pick<UnitDoc, '_id' | 'name' | 'active' | 'order'>;
type ContactRow = Pick<ContactDoc, '_id' | 'name' | 'unitId' | 'isAdmin'>;
interface LatestRow {
  reportId: string;
  version: number;
  state: ReportState;
}

/** The slice of the database a run plans from. */
export interface World {
  now: Date;
  today: string;
  plan: PlanDoc | undefined;
  /** Open rounds of the plan. */
  rounds: RoundDoc[];
  tasks: Map<number, Pick<TaskDoc, '_id' | 'no' | 'requirement'>>;
  assignments: PlanAssignment[];
  units: Map<string, UnitRow>;
  /** Active contacts by unit. */
  contacts: Map<string, ContactRow[]>;
  admins: ContactRow[];
  /** `latestKey(round, assignment)` → the latest version in that round. */
  latest: Map<string, LatestRow>;
}

export interface WorldScope {
  /** Default: the current plan. */
  planId?: string;
  roundIds?: readonly string[];
  unitIds?: readonly string[];
  admins?: boolean;
}

/**
 * The latest version per assignment in a round: the versions' states only (a projection), the
 * highest version picked here. A plain indexed read pages cheaply; an aggregation would re-run
 * its whole pipeline for every page.
 */
async function latestInRound(roundId: string, assignmentIds?: readonly string[]): Promise<Map<string, LatestRow>> {
  const fields: Record<string, true> = { _id: true, assignmentId: true, version: true, state: true };
  const rows = assignmentIds
    ? await fetchIn<LatestRow & { _id: string; assignmentId: string }>(C.reports, 'assignmentId', assignmentIds, { roundId }, fields)
    : await fetchAll<LatestRow & { _id: string; assignmentId: string }>(db.collection(C.reports).where({ roundId }).field(fields));
  const out = new Map<string, LatestRow>();
  for (const r of rows) {
    const key = latestKey(roundId, r.assignmentId);
    const seen = out.get(key);
    if (!seen || r.version > seen.version) out.set(key, { reportId: r._id, version: r.version, state: r.state });
  }
  return out;
}

/** Units per page of the grouped assignment read (≤ 44 short items each: a page stays within a few MB). */
const UNITS_PER_PAGE = 1000;

/**
 * A plan's assignments (id, task, unit), grouped by unit in the database: a page carries 1,000
 * units' assignments instead of 1,000 assignments, so a province-sized plan (80,000
 * assignments, 3,500 units) is 4 requests, not 81.
 */
async function planAssignments(planId: string): Promise<PlanAssignment[]> {
  const $ = _.aggregate;
  const out: PlanAssignment[] = [];
  for (let skip = 0; ; skip += UNITS_PER_PAGE) {
    const res = (await db
      .collection(C.assignments)
      .aggregate()
      .match({ planId })
      .group({ _id: '$unitId', items: $.push({ id: '$_id', taskId: '$taskId', no: '$taskNo' }) })
      .sort({ _id: 1 })
      .skip(skip)
      .limit(UNITS_PER_PAGE)
      .end()) as { list: { _id: string; items: { id: string; taskId: string; no: number }[] }[] };
    for (const row of res.list) for (const a of row.items) out.push({ _id: a.id, taskId: a.taskId, taskNo: a.no, unitId: row._id });
    if (res.list.length < UNITS_PER_PAGE) return out;
  }
}

export async function loadWorld(scope: WorldScope, now: Date): Promise<World> {
  const plan = await first<PlanDoc>(
    scope.planId === undefined ? currentPlanQuery() : db.collection(C.plans).where({ _id: scope.planId }).limit(1),
  );
  const world: World = {
    now,
    today: officeDay(now),
    plan,
    rounds: [],
    tasks: new Map(),
    assignments: [],
    units: new Map(),
    contacts: new Map(),
    admins: [],
    latest: new Map(),
  };
  if (!plan) return world;
  const unitScoped = scope.unitIds !== undefined;
  const unitIds = scope.unitIds ?? [];
  const [rounds, tasks, assignments, units, contacts, admins] = await Promise.all([
    fetchAll<RoundDoc>(db.collection(C.rounds).where({ planId: plan._id, status: 'open' })),
    fetchAll<Pick<TaskDoc, '_id' | 'no' | 'requirement'>>(
      db.collection(C.tasks).where({ planId: plan._id }).field({ _id: true, no: true, requirement: true }),
      'no',
    ),
    unitScoped
      ? fetchIn<PlanAssignment>(
          C.assignments,
          'unitId',
          unitIds,
          { planId: plan._id },
          { _id: true, taskId: true, taskNo: true, unitId: true },
        )
      : planAssignments(plan._id),
    unitScoped
      ? fetchIn<UnitRow>(C.units, '_id', unitIds, {}, { _id: true, name: true, active: true, order: true })
      : fetchAll<UnitRow>(db.collection(C.units).field({ _id: true, name: true, active: true, order: true })),
    unitScoped
      ? fetchIn<ContactRow>(C.contacts, 'unitId', unitIds, { status: 'active' }, { _id: true, name: true, unitId: true, isAdmin: true })
      : fetchAll<ContactRow>(
          db.collection(C.contacts).where({ status: 'active' }).field({ _id: true, name: true, unitId: true, isAdmin: true }),
        ),
    scope.admins
      ? fetchAll<ContactRow>(
          db.collection(C.contacts).where({ isAdmin: true }).field({ _id: true, name: true, unitId: true, isAdmin: true }),
        )
      : Promise.resolve([] as ContactRow[]),
  ]);
  world.rounds = scope.roundIds ? rounds.filter((r) => scope.roundIds?.includes(r._id)) : rounds;
  world.tasks = new Map(tasks.map((t) => [t.no, t]));
  world.assignments = assignments;
  world.units = new Map(units.map((u) => [u._id, u]));
  for (const c of contacts) {
    if (!c.unitId) continue;
    const list = world.contacts.get(c.unitId) ?? [];
    list.push(c);
    world.contacts.set(c.unitId, list);
  }
  world.admins = admins;
  const scopedIds = unitScoped ? assignments.map((a) => a._id) : undefined;
  for (const part of await Promise.all(world.rounds.map((r) => latestInRound(r._id, scopedIds)))) {
    for (const [k, v] of part) world.latest.set(k, v);
  }
  return world;
}

const states = (world: World) => new Map([...world.latest].map(([k, v]) => [k, v.state]));
const activeUnits = (world: World) => new Set([...world.units.values()].filter((u) => u.active).map((u) => u._id));

/** One planned reminder per active contact of the unit, or one "nobody" entry when it has none. */
function perPerson(world: World, unitId: string, build: (target: string) => Omit<Planned, 'openid' | 'personName'>): Planned[] {
  const people = world.contacts.get(unitId) ?? [];
  if (people.length === 0) return [{ ...build(NOBODY), openid: null, personName: '' }];
  return people.map((c) => ({ ...build(c._id), openid: c._id, personName: c.name }));
}

function taskRef(world: World, taskNo: number, status?: TaskRef['status']): TaskRef {
  const ref: TaskRef = { taskNo, requirement: world.tasks.get(taskNo)?.requirement ?? '' };
  if (status) ref.status = status;
  return ref;
}

export function planDeadlines(world: World, schedule: ReminderSchedule): Planned[] {
  const groups = deadlineGroups({
    rounds: world.rounds,
    assignments: world.assignments,
    latest: states(world),
    activeUnits: activeUnits(world),
    today: world.today,
    now: world.now,
    schedule,
  });
  const rounds = new Map(world.rounds.map((r) => [r._id, r]));
  return groups.flatMap((g) => {
    const round = rounds.get(g.roundId) as RoundDoc;
    const unit = world.units.get(g.unitId) as UnitRow;
    const tasks = g.items.map((i) => taskRef(world, i.taskNo, i.status));
    const overdue = g.items.filter((i) => i.status === 'overdue').length;
    const group = digestGroup.deadline(g);
    const draft: DigestDraft = {
      group,
      kind: 'deadline',
      unitId: unit._id,
      unitName: unit.name,
      unitOrder: unit.order,
      roundId: round._id,
      roundName: round.name,
      dueDate: g.due,
      taskNos: g.items.map((i) => i.taskNo),
      pending: g.items.length,
      overdue,
    };
    const fields = deadlineFields({ tasks, due: g.due, roundName: round.name, unitName: unit.name, now: world.now });
    return perPerson(world, unit._id, (target) => ({
      key: reminderKey.deadline(g, target),
      kind: 'deadline' as const,
      unitId: unit._id,
      unitName: unit.name,
      roundId: round._id,
      group,
      draft,
      page: 'pages/home/index',
      fields,
      refs: { point: g.point.label, assignmentIds: g.items.map((i) => i.assignmentId) },
      priority: overdue > 0 ? 2 : 3,
    }));
  });
}

/** Recent 退回 decisions (decision 'return'), newest first. */
export async function recentReturns(since: Date): Promise<ReviewDoc[]> {
  return fetchAll<ReviewDoc>(db.collection(C.reviews).where({ decision: 'return', at: _.gte(since) }), 'at');
}

/** Recent 催办 records; an environment without the collection yet has none. */
export async function recentUrges(since: Date, roundIds?: readonly string[]): Promise<UrgeDoc[]> {
  try {
    const where = roundIds ? { roundId: _.in([...roundIds]), at: _.gte(since) } : { at: _.gte(since) };
    return await fetchAll<UrgeDoc>(db.collection(C.urges).where(where), 'at');
  } catch (err) {
    if ((err as { errCode?: number }).errCode === -502005) return [];
    throw err;
  }
}

type ReviewWithIds = ReviewDoc & { _id: string; unitId: string; roundId: string; assignmentId: string; taskNo: number };

/** Reviews written before reviews carried their report's ids get them from the report. */
async function withReportIds(reviews: readonly ReviewDoc[]): Promise<ReviewWithIds[]> {
  const missing = reviews.filter((r) => !r.unitId || !r.roundId || !r.assignmentId || r.taskNo === undefined).map((r) => r.reportId);
  const reports = new Map(
    (
      await fetchIn<{ _id: string; unitId: string; roundId: string; assignmentId: string; taskNo: number }>(
        C.reports,
        '_id',
        missing,
        {},
        {
          _id: true,
          unitId: true,
          roundId: true,
          assignmentId: true,
          taskNo: true,
        },
      )
    ).map((r) => [r._id, r]),
  );
  const out: ReviewWithIds[] = [];
  for (const r of reviews) {
    const rep = reports.get(r.reportId);
    const unitId = r.unitId ?? rep?.unitId;
    const roundId = r.roundId ?? rep?.roundId;
    const assignmentId = r.assignmentId ?? rep?.assignmentId;
    const taskNo = r.taskNo ?? rep?.taskNo;
    if (!r._id || !unitId || !roundId || !assignmentId || taskNo === undefined) continue;
    out.push({ ...r, _id: r._id, unitId, roundId, assignmentId, taskNo });
  }
  return out;
}

/**
 * 退回 notifications for reviews whose report is still the latest version,
 * still returned, in an open round: a unit that already resubmitted needs
 * no message.
 */
export async function planReturned(world: World, reviews: readonly ReviewDoc[]): Promise<Planned[]> {
  const rounds = new Map(world.rounds.map((r) => [r._id, r]));
  const out: Planned[] = [];
  for (const r of await withReportIds(reviews)) {
    const round = rounds.get(r.roundId);
    const unit = world.units.get(r.unitId);
    const latest = world.latest.get(latestKey(r.roundId, r.assignmentId));
    if (!round || !unit?.active || latest?.reportId !== r.reportId || latest.state !== 'returned') continue;
    const task = world.tasks.get(r.taskNo);
    const due = roundCoversTask(round, r.taskNo) ? dueDateFor(round, r.taskNo) : null;
    const group = digestGroup.returned(r._id, unit._id);
    const draft: DigestDraft = {
      group,
      kind: 'returned',
      unitId: unit._id,
      unitName: unit.name,
      unitOrder: unit.order,
      roundId: round._id,
      roundName: round.name,
      dueDate: due,
      taskNos: [r.taskNo],
      pending: 1,
      overdue: 0,
    };
    const fields = returnedFields({
      task: taskRef(world, r.taskNo),
      note: r.note,
      at: new Date(r.at),
      due,
      roundName: round.name,
      unitName: unit.name,
      now: world.now,
    });
    out.push(
      ...perPerson(world, unit._id, (target) => ({
        key: reminderKey.returned(r._id, unit._id, target),
        kind: 'returned' as const,
        unitId: unit._id,
        unitName: unit.name,
        roundId: round._id,
        group,
        draft,
        page: task ? `pages/task/index?id=${task._id}` : 'pages/home/index',
        fields,
        refs: { reviewId: r._id, reportId: r.reportId },
        priority: 0,
      })),
    );
  }
  return out;
}

/**
 * 催办 notifications: every active contact of each urged unit, about what
 * the unit still owes of the tasks the office urged (a task submitted since
 * is left out; a unit with nothing left gets no message).
 */
export function planUrges(world: World, urges: readonly UrgeDoc[]): Planned[] {
  const rounds = new Map(world.rounds.map((r) => [r._id, r]));
  const byUnit = new Map<string, PlanAssignment[]>();
  for (const a of world.assignments) {
    const list = byUnit.get(a.unitId) ?? [];
    list.push(a);
    byUnit.set(a.unitId, list);
  }
  const latest = states(world);
  const out: Planned[] = [];
  for (const u of urges) {
    const round = rounds.get(u.roundId);
    if (!round) continue;
    const urged = Array.isArray(u.units) ? u.units : (u.unitIds ?? []).map((unitId) => ({ unitId, missing: [], returned: [] }));
    for (const entry of urged) {
      const unit = world.units.get(entry.unitId);
      if (!unit?.active) continue;
      const named = [...(entry.missing ?? []), ...(entry.returned ?? [])];
      const items = pendingItems({
        round,
        assignments: byUnit.get(unit._id) ?? [],
        latest,
        now: world.now,
        ...(named.length ? { taskNos: new Set(named) } : {}),
      });
      if (items.length === 0) continue;
      const group = digestGroup.urge(u._id, unit._id);
      const dueDates = items.map((i) => i.due).sort();
      const draft: DigestDraft = {
        group,
        kind: 'urge',
        unitId: unit._id,
        unitName: unit.name,
        unitOrder: unit.order,
        roundId: round._id,
        roundName: round.name,
        dueDate: dueDates[0] ?? null,
        taskNos: items.map((i) => i.taskNo),
        pending: items.length,
        overdue: items.filter((i) => i.status === 'overdue').length,
      };
      const fields = urgeFields({
        tasks: items.map((i) => ({ ...taskRef(world, i.taskNo, i.status), due: i.due })),
        roundName: u.roundName || round.name,
        unitName: unit.name,
        at: new Date(u.at),
        now: world.now,
      });
      out.push(
        ...perPerson(world, unit._id, (target) => ({
          key: reminderKey.urge(u._id, unit._id, target),
          kind: 'urge' as const,
          unitId: unit._id,
          unitName: unit.name,
          roundId: round._id,
          group,
          draft,
          page: 'pages/home/index',
          fields,
          refs: { urgeId: u._id },
          priority: 1,
        })),
      );
    }
  }
  return out;
}

/** The office's notice that today's digest has units in it: one per administrator per day. */
export function planDigestNotices(admins: readonly ContactRow[], day: string, units: readonly string[], now: Date): Planned[] {
  if (units.length === 0) return [];
  const fields = digestFields({ units: units.length, firstUnit: units[0] ?? '', now });
  return admins.map((a) => ({
    key: reminderKey.digest(day, a._id),
    kind: 'digest' as const,
    openid: a._id,
    personName: a.name,
    unitId: a.unitId ?? '',
    unitName: '',
    roundId: null,
    group: null,
    draft: null,
    page: 'pages/home/index',
    fields,
    refs: { day },
    priority: 4,
  }));
}
