/**
 * When to remind, and whom: pure rules over due days and the round's state.
 *
 * A reminder "point" is a day relative to an assignment's due day (7, 3, 1
 * days before, the day itself, then every 2 days after, by default). A point
 * stays *active* from its day until the next point's day, so a run that was
 * missed or stopped by its time budget is caught up by the next run — with
 * the latest point only, never a backlog of stale ones.
 *
 * Deadline reminders are grouped per unit, round and due day: one message
 * tells a contact how many of the unit's tasks are due, instead of one
 * message per task. One-time subscriptions are scarce (one accept = one
 * message), so a contact with 23 tasks due the same day would otherwise
 * spend 23 subscriptions on one deadline, and the rest would go unsent.
 */
import type { AssignmentStatus } from '../../../miniprogram/shared/api';
import { addDays, isValidDay } from './dates';
import { dueDateFor, roundCoversTask, type RoundLike } from './rounds';
import { assignmentStatus, needsAction, type ReportState } from './status';

export interface ReminderSchedule {
  /** Days before the due day, e.g. [7, 3, 1]. */
  before: number[];
  /** Remind on the due day itself. */
  onDueDay: boolean;
  /** After the due day: every `afterEvery` days … */
  afterEvery: number;
  /** … at most this many times (0: never after the due day). */
  afterTimes: number;
  /** Move reminders off Saturdays and Sundays (public holidays are not known). */
  skipWeekends: boolean;
  /** How far back a run looks for 退回 and 催办 not yet delivered. */
  lookbackDays: number;
}

export const DEFAULT_SCHEDULE: ReminderSchedule = {
  before: [7, 3, 1],
  onDueDay: true,
  afterEvery: 2,
  afterTimes: 3,
  skipWeekends: false,
  lookbackDays: 7,
};

/**
 * Reads REMINDER_SCHEDULE (JSON, any subset of the fields). A bad field is
 * reported and replaced by its default; the rest of the value still applies.
 */
export function parseSchedule(raw: string | undefined): { schedule: ReminderSchedule; problems: string[] } {
  const schedule: ReminderSchedule = { ...DEFAULT_SCHEDULE, before: [...DEFAULT_SCHEDULE.before] };
  const problems: string[] = [];
  if (raw === undefined || raw.trim() === '') return { schedule, problems };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { schedule, problems: ['REMINDER_SCHEDULE is not valid JSON; using the defaults'] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { schedule, problems: ['REMINDER_SCHEDULE must be a JSON object; using the defaults'] };
  }
  const input = parsed as Record<string, unknown>;
  const int = (key: keyof ReminderSchedule, min: number, max: number): number | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    problems.push(`REMINDER_SCHEDULE.${key} must be an integer ${min}–${max}`);
    return undefined;
  };
  const bool = (key: keyof ReminderSchedule): boolean | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    problems.push(`REMINDER_SCHEDULE.${key} must be true or false`);
    return undefined;
  };
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_SCHEDULE)) problems.push(`REMINDER_SCHEDULE.${key} is not a known field`);
  }
  if (input.before !== undefined) {
    const b = input.before;
    if (Array.isArray(b) && b.length <= 10 && b.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 60)) {
      schedule.before = [...new Set(b as number[])].sort((x, y) => y - x);
    } else {
      problems.push('REMINDER_SCHEDULE.before must be a list of at most 10 integers 1–60');
    }
  }
  schedule.onDueDay = bool('onDueDay') ?? schedule.onDueDay;
  schedule.skipWeekends = bool('skipWeekends') ?? schedule.skipWeekends;
  schedule.afterEvery = int('afterEvery', 1, 30) ?? schedule.afterEvery;
  schedule.afterTimes = int('afterTimes', 0, 10) ?? schedule.afterTimes;
  schedule.lookbackDays = int('lookbackDays', 1, 30) ?? schedule.lookbackDays;
  return { schedule, problems };
}

export interface ReminderPoint {
  /** The reminder's day relative to the due day: -7 … 0 … +6. */
  offset: number;
  /** The office day it is sent on (moved off a weekend when configured). */
  day: string;
  /** Stable name used in the reminder's key: b7, b3, b1, d0, a2, a4, a6. */
  label: string;
}

const pointLabel = (offset: number) => (offset < 0 ? `b${-offset}` : offset === 0 ? 'd0' : `a${offset}`);

/** 0 = Sunday … 6 = Saturday, for a `YYYY-MM-DD` day (a calendar day has no zone). */
function weekday(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay();
}

/** A weekend day moves to the Friday before (up to the due day) or the Monday after (once late). */
function offWeekend(day: string, late: boolean): string {
  const wd = weekday(day);
  if (wd === 6) return addDays(day, late ? 2 : -1);
  if (wd === 0) return addDays(day, late ? 1 : -2);
  return day;
}

/** Every reminder point of a due day, in day order; points moved onto the same day collapse into the later one. */
export function reminderPoints(due: string, schedule: ReminderSchedule): ReminderPoint[] {
  if (!isValidDay(due)) throw new RangeError(`not a YYYY-MM-DD date: ${due}`);
  const offsets = [...schedule.before.map((n) => -n)];
  if (schedule.onDueDay) offsets.push(0);
  for (let i = 1; i <= schedule.afterTimes; i++) offsets.push(i * schedule.afterEvery);
  const byDay = new Map<string, ReminderPoint>();
  for (const offset of [...new Set(offsets)].sort((a, b) => a - b)) {
    let day = addDays(due, offset);
    if (schedule.skipWeekends) day = offWeekend(day, offset > 0);
    // Sorted by offset, so a later point on the same day replaces an earlier one.
    byDay.set(day, { offset, day, label: pointLabel(offset) });
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * The point whose reminder is due on `today`: the latest point on or before
 * today, while the next point has not come. The last point stays active for
 * `afterEvery` days (one day when nothing follows the due day).
 */
export function activePoint(due: string, today: string, schedule: ReminderSchedule): ReminderPoint | undefined {
  const points = reminderPoints(due, schedule);
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i] as ReminderPoint;
    if (p.day > today) continue;
    const next = points[i + 1];
    const until = next ? next.day : addDays(p.day, schedule.afterTimes > 0 ? schedule.afterEvery : 1);
    return today < until ? p : undefined;
  }
  return undefined;
}

// ---- deadline groups ------------------------------------------------------------------

export interface PendingItem {
  assignmentId: string;
  taskId: string;
  taskNo: number;
  status: Extract<AssignmentStatus, 'not_started' | 'returned' | 'overdue'>;
}

/** One unit's tasks of one round that share a due day and are due for a reminder today. */
export interface DeadlineGroup {
  roundId: string;
  unitId: string;
  due: string;
  point: ReminderPoint;
  items: PendingItem[];
}

export interface PlanRound extends RoundLike {
  _id: string;
}
export interface PlanAssignment {
  _id: string;
  taskId: string;
  taskNo: number;
  unitId: string;
}

/** `<roundId>|<assignmentId>` → state of the latest version in that round. */
export const latestKey = (roundId: string, assignmentId: string) => `${roundId}|${assignmentId}`;

/**
 * The deadline reminders due today: for every open round, every assignment
 * in its scope that still needs action (not started, returned, overdue)
 * whose due day has a point active today, grouped by unit and due day.
 * `units` limits it to units that are active.
 */
export function deadlineGroups(input: {
  rounds: readonly PlanRound[];
  assignments: readonly PlanAssignment[];
  latest: ReadonlyMap<string, ReportState>;
  activeUnits: ReadonlySet<string>;
  today: string;
  now: Date;
  schedule: ReminderSchedule;
}): DeadlineGroup[] {
  const { today, now, schedule } = input;
  const points = new Map<string, ReminderPoint | undefined>();
  const status = statusMemo(now);
  const groups = new Map<string, DeadlineGroup>();
  for (const round of input.rounds) {
    if (round.status !== 'open') continue;
    for (const a of input.assignments) {
      if (!input.activeUnits.has(a.unitId) || !roundCoversTask(round, a.taskNo)) continue;
      const due = dueDateFor(round, a.taskNo);
      // Thousands of assignments share a handful of due days: compute each day's rules once.
      if (!points.has(due)) points.set(due, activePoint(due, today, schedule));
      const point = points.get(due);
      if (!point) continue;
      const st = status(input.latest.get(latestKey(round._id, a._id)), due);
      if (!needsAction(st)) continue;
      const key = `${round._id}|${due}|${a.unitId}`;
      let group = groups.get(key);
      if (!group) {
        group = { roundId: round._id, unitId: a.unitId, due, point, items: [] };
        groups.set(key, group);
      }
      group.items.push({ assignmentId: a._id, taskId: a.taskId, taskNo: a.taskNo, status: st as PendingItem['status'] });
    }
  }
  for (const g of groups.values()) g.items.sort((x, y) => x.taskNo - y.taskNo);
  return [...groups.values()];
}

/**
 * assignmentStatus, memoised per (latest state, due day): it depends on nothing else at a given
 * `now`, and its time-zone arithmetic is too slow to repeat for every assignment at scale.
 */
function statusMemo(now: Date): (latest: ReportState | undefined, due: string) => AssignmentStatus {
  const memo = new Map<string, AssignmentStatus>();
  return (latest, due) => {
    const key = `${latest ?? ''}|${due}`;
    let st = memo.get(key);
    if (st === undefined) {
      st = assignmentStatus({ latest, due, now });
      memo.set(key, st);
    }
    return st;
  };
}

/** A unit's items that still need action in a round, whatever today's point (for 催办). */
export function pendingItems(input: {
  round: PlanRound;
  assignments: readonly PlanAssignment[];
  latest: ReadonlyMap<string, ReportState>;
  now: Date;
  taskNos?: ReadonlySet<number>;
}): (PendingItem & { due: string })[] {
  const out: (PendingItem & { due: string })[] = [];
  const status = statusMemo(input.now);
  for (const a of input.assignments) {
    if (!roundCoversTask(input.round, a.taskNo)) continue;
    if (input.taskNos && !input.taskNos.has(a.taskNo)) continue;
    const due = dueDateFor(input.round, a.taskNo);
    const st = status(input.latest.get(latestKey(input.round._id, a._id)), due);
    if (!needsAction(st)) continue;
    out.push({ assignmentId: a._id, taskId: a.taskId, taskNo: a.taskNo, status: st as PendingItem['status'], due });
  }
  return out.sort((x, y) => x.taskNo - y.taskNo);
}

// ---- keys ----------------------------------------------------------------------------

/** Stands for "nobody" where a unit has no active contact: the key still records that the unit was due. */
export const NOBODY = '-';

/**
 * One key per reminder and recipient; the reminder's document `_id`. The
 * same reminder planned twice (a rerun, the timer racing the api) gets the
 * same key, and the unique `_id` lets only one of them send.
 */
export const reminderKey = {
  deadline: (g: { roundId: string; due: string; point: { label: string }; unitId: string }, target: string) =>
    `dl:${g.roundId}:${g.due}:${g.point.label}:${g.unitId}:${target}`,
  returned: (reviewId: string, unitId: string, target: string) => `rt:${reviewId}:${unitId}:${target}`,
  urge: (urgeId: string, unitId: string, target: string) => `ur:${urgeId}:${unitId}:${target}`,
  digest: (day: string, openid: string) => `dg:${day}:${openid}`,
};

// Digest groups are field names inside the day's digest document: no dots, no `$`.
const fieldSafe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The digest line a reminder belongs to: every recipient of one unit's reminder shares it. */
export const digestGroup = {
  deadline: (g: { roundId: string; due: string; point: { label: string }; unitId: string }) =>
    fieldSafe(`dl_${g.roundId}_${g.due}_${g.point.label}_${g.unitId}`),
  returned: (reviewId: string, unitId: string) => fieldSafe(`rt_${reviewId}_${unitId}`),
  urge: (urgeId: string, unitId: string) => fieldSafe(`ur_${urgeId}_${unitId}`),
};
