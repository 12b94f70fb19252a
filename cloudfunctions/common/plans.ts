/**
 * Which plan is current, and the unit directory as plans are built from it.
 *
 * The current plan is the newest one not marked `current: false`. Seeded
 * plans carry no mark, so the newest year is current as before; a table
 * imported ahead of time is stored with `current: false` until the office
 * switches to it, and switching back to an older year marks the newer ones.
 */
import { _, db, first } from './cloud';
import type { DirectoryUnit } from './domain/assignments';
import type { PlanDoc } from './domain/plan-docs';
import type { UnitDoc } from './records';
import { C } from './schema';

/** The current plan in one request (`neq false` also matches plans without the mark). */
export function currentPlanQuery() {
  return db
    .collection(C.plans)
    .where({ current: _.neq(false) })
    .orderBy('year', 'desc')
    .limit(1);
}

export async function currentPlan(): Promise<PlanDoc | undefined> {
  return first<PlanDoc>(currentPlanQuery());
}

/** The current plan among `plans`, by the same rule as the query. */
export function currentOf<P extends Pick<PlanDoc, 'year' | 'current'>>(plans: readonly P[]): P | undefined {
  let best: P | undefined;
  for (const p of plans) if (p.current !== false && (!best || p.year > best.year)) best = p;
  return best;
}

/** A stored unit as the group expansion reads it (aliases included: renamed units keep their cells). */
export const directoryUnit = (u: UnitDoc): DirectoryUnit => ({
  id: u._id,
  name: u.name,
  kind: u.kind,
  active: u.active,
  aliases: u.aliases ?? [],
});
