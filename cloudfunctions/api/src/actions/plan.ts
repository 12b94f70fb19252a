import type { PlanSummary, PlanView, UnitView } from '../../../../miniprogram/shared/api';
import { db, fetchAll, first, isDuplicateKey, total } from '../../../common/cloud';
import type { PlanDoc, TaskDoc } from '../../../common/domain/plan-docs';
import { notFound } from '../../../common/envelope';
import type { UnitDoc } from '../../../common/records';
import { currentOf, currentPlanQuery } from '../../../common/plans';
import { C } from '../../../common/schema';
import { empty, object, optional, planYearInput } from '../../../common/validate';
import { audit } from '../../../common/audit';
import { office } from '../lazy';
import type { ActionDef } from '../router';

const year = planYearInput;

/** The current plan when no year is given; old years stay readable. */
async function findPlan(y: number | undefined): Promise<PlanDoc> {
  const plan = await first<PlanDoc>(y === undefined ? currentPlanQuery() : db.collection(C.plans).where({ year: y }).limit(1));
  if (!plan) throw notFound(y === undefined ? '还没有导入任务分解表' : `没有 ${y} 年的任务分解表`);
  return plan;
}

export const unitView = (u: UnitDoc): UnitView => ({ id: u._id, name: u.name, kind: u.kind, named: u.named, active: u.active });

export const planList: ActionDef<'plan.list'> = {
  access: 'anyone',
  input: empty,
  async run() {
    const plans = await fetchAll<PlanDoc>(db.collection(C.plans), 'year');
    const current = currentOf(plans);
    return plans
      .sort((a, b) => b.year - a.year)
      .map((p): PlanSummary => ({ id: p._id, year: p.year, title: p.title, current: p === current }));
  },
};

export const planGet: ActionDef<'plan.get'> = {
  access: 'anyone',
  input: object({ year: optional(year) }),
  async run({ year: y }) {
    const plan = await findPlan(y);
    const [tasks, units, count] = await Promise.all([
      fetchAll<TaskDoc>(db.collection(C.tasks).where({ planId: plan._id }), 'no'),
      fetchAll<UnitDoc>(db.collection(C.units), 'order'),
      total(db.collection(C.assignments).where({ planId: plan._id })),
    ]);
    const view: PlanView = {
      id: plan._id,
      year: plan.year,
      docNo: plan.docNo,
      title: plan.title,
      noticeTitle: plan.noticeTitle,
      issuer: plan.issuer,
      issuedOn: plan.issuedOn,
      sections: plan.sections,
      categories: plan.categories,
      tasks: tasks.map((t) => {
        const { _id, planId: _plan, ...rest } = t;
        return { id: _id, ...rest };
      }),
      units: units.map(unitView),
      assignmentCount: count,
    };
    return view;
  },
};

/** Passes of a seed that keeps meeting another seed's writes (each pass gets further). */
const SEED_PASSES = 8;

/**
 * Two seeds at once insert the same deterministic ids: the one that loses a
 * race reads again, finds those written, and goes on from there.
 */
async function seedOnce(year: number, now: Date): ReturnType<ReturnType<typeof office>['seedBundledTable']> {
  for (let pass = 1; ; pass++) {
    try {
      // The bundled table and the seeding code are in the office's part, loaded here on first use.
      return await office().seedBundledTable(year, now);
    } catch (err) {
      if (pass >= SEED_PASSES || !isDuplicateKey(err)) throw err;
    }
  }
}

export const planSeed: ActionDef<'plan.seed'> = {
  access: 'admin',
  input: object({ year }),
  async run({ year: y }, caller) {
    const result = await seedOnce(y, new Date());
    await audit(caller.openid, 'plan.seed', result.planId, { written: result.written });
    return result;
  },
};
