/**
 * Loads a round's grid (tasks × units with statuses) for the overview and
 * 催办, in a fixed number of requests at 2021 scale whatever the number of
 * reports: the round, then tasks, units, assignments and — through an
 * aggregation that keeps one row per assignment — the latest versions.
 */
import { db, fetchAll, first } from '../../common/cloud';
import type { AssignmentDoc, TaskDoc } from '../../common/domain/plan-docs';
import { roundGrid, type RoundGrid } from '../../common/domain/overview';
import { ApiFailure } from '../../common/envelope';
import type { RoundDoc, UnitDoc } from '../../common/records';
import { latestInRound } from '../../common/reports';
import { C } from '../../common/schema';

export async function requireRound(roundId: string): Promise<RoundDoc> {
  const round = await first<RoundDoc>(db.collection(C.rounds).where({ _id: roundId }).limit(1));
  if (!round) throw new ApiFailure('NOT_FOUND', '找不到该报送轮次，请刷新后重试', 'roundId');
  return round;
}

export interface LoadedGrid {
  round: RoundDoc;
  grid: RoundGrid;
  units: UnitDoc[];
  now: Date;
}

export async function loadRoundGrid(roundId: string): Promise<LoadedGrid> {
  const round = await requireRound(roundId);
  const [tasks, units, assignments, latest] = await Promise.all([
    fetchAll<Pick<TaskDoc, '_id' | 'no'>>(db.collection(C.tasks).where({ planId: round.planId }).field({ _id: true, no: true }), 'no'),
    fetchAll<UnitDoc>(db.collection(C.units), 'order'),
    fetchAll<Pick<AssignmentDoc, '_id' | 'taskNo' | 'unitId'>>(
      db.collection(C.assignments).where({ planId: round.planId }).field({ _id: true, taskNo: true, unitId: true }),
    ),
    latestInRound(round._id),
  ]);
  const now = new Date();
  const grid = roundGrid({
    round,
    tasks: tasks.map((t) => ({ id: t._id, no: t.no })),
    units: units.map((u) => ({ id: u._id, name: u.name, kind: u.kind, active: u.active, order: u.order })),
    assignments,
    latest,
    now,
  });
  return { round, grid, units, now };
}
