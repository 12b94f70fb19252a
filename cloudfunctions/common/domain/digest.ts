/**
 * The office's daily digest: units a reminder could not reach (nobody
 * bound, no subscription left, refused, failed, result unknown) and a
 * ready-to-paste message for the 政务公开 WeChat group naming those units
 * and what they still owe. Pure: the reminder run stores it, digest.get
 * shows it.
 */
import type { ReminderKind, SubscriptionKind, UnreachableReason } from '../../../miniprogram/shared/api';
import { endOfDay, formatDayCN } from './dates';

/** What a digest line says about one unit's reminder, known when the reminder is planned. */
export interface DigestDraft {
  group: string;
  kind: ReminderKind;
  unitId: string;
  unitName: string;
  /** Directory order, so the group message lists units as the office knows them. */
  unitOrder: number;
  roundId: string | null;
  roundName: string;
  dueDate: string | null;
  taskNos: number[];
  pending: number;
  overdue: number;
}

export interface DigestPerson {
  name: string;
  reason: UnreachableReason;
  /** The kind of template the reminder needed: 'no_quota' on a long-term one means the person has not turned it on. */
  subscription?: SubscriptionKind | null;
}

export interface DigestEntry extends DigestDraft {
  reason: UnreachableReason;
  people: DigestPerson[];
  at: Date;
}

const REASON_RANK: Record<UnreachableReason, number> = { no_contact: 0, no_quota: 1, refused: 2, failed: 3, unconfirmed: 4 };

/** The reason a unit as a whole was not reached: nobody bound, else its people's most common kind of failure. */
export function unitReason(people: readonly DigestPerson[]): UnreachableReason {
  if (people.length === 0) return 'no_contact';
  const counts = new Map<UnreachableReason, number>();
  for (const p of people) counts.set(p.reason, (counts.get(p.reason) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || REASON_RANK[a[0]] - REASON_RANK[b[0]])[0]?.[0] ?? 'no_contact';
}

const KIND_RANK: Record<ReminderKind, number> = { returned: 0, urge: 1, deadline: 2 };

export function compareEntries(a: DigestDraft, b: DigestDraft): number {
  return (
    a.unitOrder - b.unitOrder ||
    a.unitName.localeCompare(b.unitName, 'zh') ||
    KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
    (a.dueDate ?? '').localeCompare(b.dueDate ?? '')
  );
}

/** "第5、12、20项" for a few tasks, "8项" for many: the group message stays readable. */
function tasksText(nos: readonly number[], pending: number): string {
  if (nos.length > 0 && nos.length <= 8) return `第${nos.join('、')}项`;
  return `${pending}项任务`;
}

function line(e: DigestDraft, now: Date): string {
  const tasks = tasksText(e.taskNos, e.pending);
  const round = e.roundName ? `${e.roundName} ` : '';
  const due = e.dueDate ? formatDayCN(e.dueDate, now) : '';
  switch (e.kind) {
    case 'returned':
      return `${e.unitName}：${round}${tasks}报送被退回，请按退回意见修改后重新报送`;
    case 'urge':
      return `${e.unitName}：收到催办，${round}${tasks}待报送${due ? `，${due}截止` : ''}`;
    case 'deadline':
      if (e.overdue > 0) return `${e.unitName}：${round}${tasks}已逾期${due ? `（截止日${due}）` : ''}，请尽快报送`;
      return `${e.unitName}：${round}${tasks}待报送${due ? `，${due}截止` : ''}`;
  }
}

/** The message the office pastes into the group; empty when every reminder reached someone. Dates read relative to `day`. */
export function groupMessage(day: string, entries: readonly DigestEntry[]): string {
  if (entries.length === 0) return '';
  const now = endOfDay(day);
  const sorted = [...entries].sort(compareEntries);
  const lines = [
    `【政务公开任务提醒】${formatDayCN(day, now)}`,
    '以下单位有任务需要处理，请联络员打开「政务公开任务台账」小程序查看并报送：',
    ...sorted.map((e, i) => `${i + 1}. ${line(e, now)}`),
  ];
  if (sorted.some((e) => e.reason === 'no_contact')) lines.push('尚未绑定联络员的单位，请尽快在小程序中完成绑定，以便及时收到提醒。');
  lines.push('已报送的单位请忽略本消息。');
  return lines.join('\n');
}

/** Where a task of a unit in a round stands now: the state of the unit's latest report version, if any. */
export type LatestState = (roundId: string, unitId: string, taskNo: number) => 'submitted' | 'returned' | 'approved' | undefined;

/**
 * The digest as it reads now: a line was written when its reminder reached
 * nobody, but the unit may have reported since (resubmitted after a 退回,
 * or had it approved). Those tasks are left out, and a line left with none
 * is dropped, so neither the page nor the group message asks a unit to
 * redo what it already did. A task whose latest version was returned is
 * still owed, whatever kind the line is.
 */
export function stillOwed(entries: readonly DigestEntry[], latest: LatestState): DigestEntry[] {
  const out: DigestEntry[] = [];
  for (const e of entries) {
    if (e.roundId === null) {
      out.push(e);
      continue;
    }
    const roundId = e.roundId;
    const owed = e.taskNos.filter((no) => {
      const state = latest(roundId, e.unitId, no);
      return state !== 'submitted' && state !== 'approved';
    });
    if (owed.length === e.taskNos.length) out.push(e);
    else if (owed.length > 0) {
      const pending = Math.max(owed.length, e.pending - (e.taskNos.length - owed.length));
      out.push({ ...e, taskNos: owed, pending, overdue: Math.min(e.overdue, pending) });
    }
  }
  return out;
}
