/**
 * What an export covers: a plan (the year asked for, or the current one)
 * and its reporting rounds (all, in due-date order, or the one asked for),
 * with the names the files get.
 */
import type { LedgerScope } from '../../../miniprogram/shared/ledger-api';
import { db, fetchAll, first } from '../../common/cloud';
import type { PlanDoc } from '../../common/domain/plan-docs';
import { ApiFailure, notFound } from '../../common/envelope';
import { currentPlanQuery } from '../../common/plans';
import type { RoundDoc } from '../../common/records';
import { C } from '../../common/schema';
import { object, optional, planYearInput, roundIdInput } from '../../common/validate';
import { safeName } from './files';

export const scopeInput = object({ year: optional(planYearInput), roundId: optional(roundIdInput) });

export interface Scope {
  plan: PlanDoc;
  /** In the order the ledger lists them. */
  rounds: RoundDoc[];
  /** `全年` or the round's name, for titles and file names. */
  label: string;
}

export async function requirePlan(year: number | undefined): Promise<PlanDoc> {
  const plan = await first<PlanDoc>(year === undefined ? currentPlanQuery() : db.collection(C.plans).where({ year }).limit(1));
  if (!plan)
    throw year === undefined ? notFound('还没有导入任务分解表') : new ApiFailure('NOT_FOUND', `没有 ${year} 年的任务分解表`, 'year');
  return plan;
}

export async function resolveScope({ year, roundId }: LedgerScope): Promise<Scope> {
  if (roundId !== undefined) {
    const round = await first<RoundDoc>(db.collection(C.rounds).where({ _id: roundId }).limit(1));
    if (!round) throw new ApiFailure('NOT_FOUND', '找不到该报送轮次，请刷新后重试', 'roundId');
    const plan = await first<PlanDoc>(db.collection(C.plans).where({ _id: round.planId }).limit(1));
    if (!plan) throw new ApiFailure('NOT_FOUND', '找不到该轮次所属的任务分解表', 'roundId');
    if (year !== undefined && plan.year !== year) throw new ApiFailure('INVALID_INPUT', `该轮次不属于 ${year} 年的任务分解表`, 'roundId');
    return { plan, rounds: [round], label: round.name };
  }
  const plan = await requirePlan(year);
  const rounds = await fetchAll<RoundDoc>(db.collection(C.rounds).where({ planId: plan._id }), 'dueDate');
  rounds.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.name.localeCompare(b.name, 'zh-Hans-CN'));
  return { plan, rounds, label: '全年' };
}

/** `邹城市2021年政务公开工作台账（全年）` and the like; `what` is 工作台账, 佐证材料, … */
export function fileTitle(plan: Pick<PlanDoc, 'region' | 'year'>, what: string, label: string): string {
  return safeName(`${plan.region}${plan.year}年政务公开${what}（${label}）`, 120);
}

/** Where exports of a year are kept in cloud storage (a new export replaces the last one of the same name). */
export const storagePath = (year: number, fileName: string) => `ledger/${year}/${fileName}`;

/** The archive folder of one unit's evidence for a task in a round: `第02项/市司法局/第一季度`. */
export function evidenceFolder(taskNo: number, unitName: string, roundName: string): string {
  return `第${String(taskNo).padStart(2, '0')}项/${safeName(unitName, 40)}/${safeName(roundName, 40)}`;
}
