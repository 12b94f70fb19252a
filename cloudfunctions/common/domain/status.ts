/**
 * The status of one assignment in one reporting round. The latest report
 * version decides, except that an assignment with nothing accepted yet
 * turns overdue once its due day has ended.
 */
import type { AssignmentStatus } from '../../../miniprogram/shared/api';
import { isPastDue } from './dates';

/** Review state of a report version. */
export type ReportState = 'submitted' | 'returned' | 'approved';

export interface StatusInput {
  /** State of the unit's latest report version in this round, if any. */
  latest?: ReportState;
  /** Effective due day (`YYYY-MM-DD`) of the assignment in this round. */
  due: string;
  now: Date;
}

export function assignmentStatus({ latest, due, now }: StatusInput): AssignmentStatus {
  if (latest === 'approved') return 'approved';
  // A report in before the deadline is the office's to review, never "late".
  if (latest === 'submitted') return 'submitted';
  if (isPastDue(due, now)) return 'overdue';
  return latest === 'returned' ? 'returned' : 'not_started';
}

/** Whether the unit still owes something this round (feeds "本轮待报"). */
export function needsAction(status: AssignmentStatus): boolean {
  return status === 'not_started' || status === 'returned' || status === 'overdue';
}
