/**
 * How a unit's task list is ordered and counted, and which report version
 * speaks for an assignment. Pure, so the list page and the rules agree.
 */
import type { AssignmentStatus, Role } from '../../../miniprogram/shared/api';
import { needsAction } from './status';

/** What the contact must act on comes first; items outside the round last. */
const STATUS_RANK: Record<AssignmentStatus, number> = {
  overdue: 0,
  returned: 1,
  not_started: 2,
  submitted: 3,
  approved: 4,
};

export function compareMyTasks(
  a: { status: AssignmentStatus | null; taskNo: number },
  b: { status: AssignmentStatus | null; taskNo: number },
) {
  const ra = a.status === null ? 5 : STATUS_RANK[a.status];
  const rb = b.status === null ? 5 : STATUS_RANK[b.status];
  return ra - rb || a.taskNo - b.taskNo;
}

export interface MyTaskCounts {
  total: number;
  pending: number;
  returned: number;
  overdue: number;
  submitted: number;
  approved: number;
}

/** `total` is every assignment; the rest count only items in the current round. */
export function countMyTasks(items: readonly { inRound: boolean; status: AssignmentStatus | null }[]): MyTaskCounts {
  const counts: MyTaskCounts = { total: items.length, pending: 0, returned: 0, overdue: 0, submitted: 0, approved: 0 };
  for (const { inRound, status } of items) {
    if (!inRound || status === null) continue;
    if (needsAction(status)) counts.pending++;
    if (status !== 'not_started') counts[status]++;
  }
  return counts;
}

/** The highest version per assignment (versions only grow within a round). */
export function latestByAssignment<R extends { assignmentId: string; version: number }>(reports: readonly R[]): Map<string, R> {
  const out = new Map<string, R>();
  for (const r of reports) {
    const seen = out.get(r.assignmentId);
    if (!seen || r.version > seen.version) out.set(r.assignmentId, r);
  }
  return out;
}

const ROLE_RANK: Record<Role, number> = { lead: 0, responsible: 1, cooperate: 2 };

/** Units on a task: leads first, then jointly responsible, then cooperating; by directory order within a role. */
export function compareTaskUnits(a: { role: Role; order: number; name: string }, b: { role: Role; order: number; name: string }) {
  return ROLE_RANK[a.role] - ROLE_RANK[b.role] || a.order - b.order || a.name.localeCompare(b.name, 'zh');
}
