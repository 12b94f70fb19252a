/**
 * Seeds (or re-seeds) a bundled task table. Idempotent: documents that are
 * already as they should be are not written again, so a re-run after an
 * interrupted seed completes it, and a re-run on complete data writes
 * nothing. Units the office has edited are never overwritten.
 */
import type { SeedResult } from '../../../miniprogram/shared/api';
import { addMissing, db, fetchAll, rows } from '../../common/cloud';
import type { DirectoryUnit } from '../../common/domain/assignments';
import { buildPlanDocs, planId, type AssignmentDoc, type PlanDoc, type TaskDoc } from '../../common/domain/plan-docs';
import { notFound } from '../../common/envelope';
import type { UnitDoc } from '../../common/records';
import { sameDoc } from '../../common/same';
import { C } from '../../common/schema';
import { directoryUnit } from '../../common/plans';
import { BUNDLED_TABLES, DIRECTORY } from '../../common/table';

async function setChanged<T extends { _id: string }>(collection: string, docs: T[], existing: Map<string, unknown>): Promise<number> {
  let n = 0;
  for (const doc of docs) {
    const old = existing.get(doc._id);
    if (old === undefined || sameDoc(old, doc)) continue;
    const { _id, ...fields } = doc;
    await db.collection(collection).doc(_id).set({ data: fields });
    n++;
  }
  return n;
}

const byId = <T extends { _id: string }>(docs: T[]) => new Map<string, unknown>(docs.map((d) => [d._id, d]));

export async function seedBundledTable(year: number, now: Date): Promise<SeedResult> {
  const table = BUNDLED_TABLES[year];
  if (!table) throw notFound(`没有内置的 ${year} 年任务分解表`);
  let written = 0;

  const units = await fetchAll<UnitDoc>(db.collection(C.units));
  const unitIds = byId(units);
  const newUnits: UnitDoc[] = DIRECTORY.units.map((u, i) => ({
    _id: u.code,
    name: u.name,
    kind: u.kind,
    named: u.named,
    active: true,
    order: i + 1,
    createdAt: now,
    updatedAt: now,
  }));
  const takenNames = new Set(units.flatMap((u) => [u.name, ...(u.aliases ?? [])]));
  // A unit the office re-created under another id keeps its place: match by name too.
  const toAdd = newUnits.filter((u) => !unitIds.has(u._id) && !takenNames.has(u.name));
  written += await addMissing(C.units, toAdd, unitIds);
  const directory: DirectoryUnit[] = [...units, ...toAdd].map(directoryUnit);

  const docs = buildPlanDocs(table, directory, DIRECTORY.groups);
  const pid = planId(year);
  const stored = await rows<PlanDoc>(db.collection(C.plans).where({ _id: pid }).limit(1));
  // Which plan is current is the office's choice, not part of the table: a re-seed keeps it.
  const mark = stored[0]?.current;
  if (mark !== undefined) docs.plan.current = mark;
  const plans = byId(stored);
  written += await addMissing(C.plans, [docs.plan], plans);
  written += await setChanged(C.plans, [docs.plan], plans);

  const tasks = byId(await fetchAll<TaskDoc>(db.collection(C.tasks).where({ planId: pid })));
  written += await addMissing(C.tasks, docs.tasks, tasks);
  written += await setChanged(C.tasks, docs.tasks, tasks);

  const assignments = byId(await fetchAll<AssignmentDoc>(db.collection(C.assignments).where({ planId: pid })));
  written += await addMissing(C.assignments, docs.assignments, assignments);
  written += await setChanged(C.assignments, docs.assignments, assignments);

  return {
    planId: pid,
    tasks: docs.tasks.length,
    units: directory.length,
    assignments: docs.assignments.length,
    written,
  };
}
