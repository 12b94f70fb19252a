/**
 * Reporting rounds (报送轮次): the office sets a due day for all tasks or
 * chosen ones, with per-task overrides (the table itself fixes task 32 at
 * 2021年年底前). A closed round takes no more reports and no more edits.
 */
import crypto from 'crypto';
import type { RoundInput, RoundView } from '../../../../miniprogram/shared/api';
import { db, fetchAll, first } from '../../../common/cloud';
import { isValidDay } from '../../../common/domain/dates';
import type { PlanDoc, TaskDoc } from '../../../common/domain/plan-docs';
import { ApiFailure, invalid, notFound } from '../../../common/envelope';
import type { RoundDoc } from '../../../common/records';
import { currentPlan, currentPlanQuery } from '../../../common/plans';
import { C } from '../../../common/schema';
import { array, integer, object, optional, record, roundIdInput, string, type Validator } from '../../../common/validate';
import type { ActionDef } from '../router';
import { inTransaction, txAudit, txGet, txPut } from '../../../common/transaction';

const MAX_TASK_NO = 999;

const day: Validator<string> = (value, path) => {
  const v = string({ max: 10 })(value, path);
  if (!isValidDay(v)) throw invalid(path, '日期格式不正确，请选择一个有效日期（如 2021-09-30）');
  return v;
};

/** `all`, or a non-empty list of distinct task numbers (checked against the plan later). */
const scope: Validator<'all' | number[]> = (value, path) => {
  if (value === 'all') return 'all';
  if (!Array.isArray(value)) throw invalid(path, '请填写任务范围：选择“全部任务”或至少一项任务');
  const nos = array(integer(1, MAX_TASK_NO), MAX_TASK_NO)(value, path);
  if (nos.length === 0) throw invalid(path, '请至少选择一项任务，或选择“全部任务”');
  const seen = new Set<number>();
  nos.forEach((no, i) => {
    if (seen.has(no)) throw invalid(`${path}[${i}]`, `任务 ${no} 选了两次，请去掉重复的一项`);
    seen.add(no);
  });
  return nos;
};

const overrides = record(day, { maxKeys: MAX_TASK_NO, key: /^[1-9]\d{0,2}$/, keyMessage: '单独截止日期应按任务序号填写' });

const roundFields = {
  name: string({ max: 30 }),
  dueDate: day,
  scope,
  overrides: optional(overrides),
};
const planIdInput = string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '任务分解表编号格式不正确，请刷新后重试' });

const roundClosed = () => new ApiFailure('ROUND_CLOSED', '该轮次已结束，不能再修改；如需调整，请新建一个轮次');

export function roundView(r: RoundDoc): RoundView {
  return { id: r._id, planId: r.planId, name: r.name, dueDate: r.dueDate, scope: r.scope, overrides: r.overrides ?? {}, status: r.status };
}

/** The given plan, or the current one. */
async function planFor(planId: string | undefined): Promise<PlanDoc> {
  const plan = await first<PlanDoc>(planId === undefined ? currentPlanQuery() : db.collection(C.plans).where({ _id: planId }).limit(1));
  if (!plan) {
    if (planId === undefined) throw notFound('还没有导入任务分解表，请先导入');
    throw new ApiFailure('NOT_FOUND', '找不到该年度的任务分解表，请刷新后重试', 'planId');
  }
  return plan;
}

/**
 * Checks scope and overrides against the plan's task numbers; returns the
 * stored shape. Overrides may only name tasks the round asks about.
 */
async function checkAgainstPlan(planId: string, input: RoundInput): Promise<Pick<RoundDoc, 'scope' | 'overrides'>> {
  const tasks = await fetchAll<TaskDoc>(db.collection(C.tasks).where({ planId }), 'no');
  const existing = new Set(tasks.map((t) => t.no));
  if (input.scope !== 'all') {
    input.scope.forEach((no, i) => {
      if (!existing.has(no)) throw invalid(`scope[${i}]`, `本年度任务分解表中没有第 ${no} 项任务`);
    });
  }
  const inScope = (no: number) => existing.has(no) && (input.scope === 'all' || input.scope.includes(no));
  const given = input.overrides ?? {};
  for (const key of Object.keys(given)) {
    const no = Number(key);
    if (!inScope(no)) {
      throw invalid(
        `overrides.${key}`,
        existing.has(no) ? `第 ${no} 项任务不在本轮范围内，不能单独设截止日期` : `本年度任务分解表中没有第 ${no} 项任务`,
      );
    }
  }
  const scopeOut = input.scope === 'all' ? 'all' : [...input.scope].sort((a, b) => a - b);
  return { scope: scopeOut, overrides: given };
}

export const roundList: ActionDef<'round.list'> = {
  access: 'anyone',
  input: object({ planId: optional(planIdInput) }),
  async run({ planId }, caller) {
    // Admins and active contacts; anyone else learns how to get access.
    if (!(await caller.isAdmin())) await caller.requireActiveContact();
    // No table imported yet simply means no rounds; a plan asked for by id must exist.
    const pid = planId !== undefined ? (await planFor(planId))._id : (await currentPlan())?._id;
    if (pid === undefined) return [];
    const rounds = await fetchAll<RoundDoc>(db.collection(C.rounds).where({ planId: pid }), 'dueDate');
    return rounds.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.name.localeCompare(b.name, 'zh-Hans-CN')).map(roundView);
  },
};

export const roundCreate: ActionDef<'round.create'> = {
  access: 'admin',
  input: object({ ...roundFields, planId: optional(planIdInput) }),
  async run(input, caller) {
    const plan = await planFor(input.planId);
    const checked = await checkAgainstPlan(plan._id, input);
    const now = new Date();
    const fields: Omit<RoundDoc, '_id'> = {
      planId: plan._id,
      name: input.name,
      dueDate: input.dueDate,
      ...checked,
      status: 'open',
      createdBy: caller.openid,
      createdAt: now,
      updatedAt: now,
    };
    // A generated id, fixed before the commit, so the round and its audit entry land together.
    const id = crypto.randomBytes(16).toString('hex');
    const doc: RoundDoc = { _id: id, ...fields };
    await inTransaction(async (tx) => {
      await tx.collection(C.rounds).add({ data: doc });
      await txAudit(tx, caller.openid, 'round.create', `round:${id}`, { planId: plan._id, name: doc.name, dueDate: doc.dueDate });
    });
    return roundView(doc);
  },
};

export const roundUpdate: ActionDef<'round.update'> = {
  access: 'admin',
  input: object({ ...roundFields, id: roundIdInput }),
  async run(input, caller) {
    const before = await first<RoundDoc>(db.collection(C.rounds).where({ _id: input.id }).limit(1));
    if (!before) throw new ApiFailure('NOT_FOUND', '找不到该报送轮次，请刷新后重试', 'id');
    if (before.status === 'closed') throw roundClosed();
    const checked = await checkAgainstPlan(before.planId, input);
    const now = new Date();
    const doc = await inTransaction(async (tx) => {
      const current = await txGet<RoundDoc>(tx, C.rounds, input.id);
      if (!current) throw new ApiFailure('NOT_FOUND', '找不到该报送轮次，请刷新后重试', 'id');
      if (current.status === 'closed') throw roundClosed();
      const next: RoundDoc = { ...current, name: input.name, dueDate: input.dueDate, ...checked, updatedAt: now };
      await txPut(tx, C.rounds, next);
      await txAudit(tx, caller.openid, 'round.update', `round:${current._id}`, {
        name: next.name,
        dueDate: next.dueDate,
        previousDueDate: current.dueDate,
      });
      return next;
    });
    return roundView(doc);
  },
};

export const roundClose: ActionDef<'round.close'> = {
  access: 'admin',
  input: object({ id: roundIdInput }),
  async run({ id }, caller) {
    const now = new Date();
    const doc = await inTransaction(async (tx) => {
      const current = await txGet<RoundDoc>(tx, C.rounds, id);
      if (!current) throw new ApiFailure('NOT_FOUND', '找不到该报送轮次，请刷新后重试', 'id');
      // Closing twice (a retried tap) is the same outcome, not an error.
      if (current.status === 'closed') return current;
      const next: RoundDoc = { ...current, status: 'closed', updatedAt: now };
      await txPut(tx, C.rounds, next);
      await txAudit(tx, caller.openid, 'round.close', `round:${id}`, { name: current.name });
      return next;
    });
    return roundView(doc);
  },
};
