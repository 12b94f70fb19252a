/**
 * 催办: which units of a round are late, and the message the office pastes
 * into the 政务公开 WeChat group. Late means: a task in scope whose latest
 * report was returned (退回) and not resubmitted, or a task past its due day
 * with nothing submitted or approved. Units keep directory order (no
 * ranking), and the message names contact persons but never phone numbers.
 */
import { formatDayCN, officeDay } from './dates';
import type { RoundGrid } from './overview';

export interface LateUnit {
  unitId: string;
  unitName: string;
  /** Past due, nothing submitted or approved, not returned. */
  missing: number[];
  /** The latest version was returned (whether or not the due day has passed). */
  returned: number[];
}

export function lateUnits(grid: RoundGrid): LateUnit[] {
  const out: LateUnit[] = [];
  grid.units.forEach((u, ui) => {
    const missing: number[] = [];
    const returned: number[] = [];
    (grid.cells[ui] ?? []).forEach((cell, ti) => {
      if (!cell) return;
      const no = grid.tasks[ti]?.no as number;
      if (cell.latest?.state === 'returned') returned.push(no);
      else if (cell.status === 'overdue') missing.push(no);
    });
    if (missing.length || returned.length) out.push({ unitId: u.id, unitName: u.name, missing, returned });
  });
  return out;
}

/** 第1、5、24项 */
export const taskList = (nos: readonly number[]) => `第${nos.join('、')}项`;

export interface UrgeMessageInput {
  roundName: string;
  /** The round's due day; tasks with another due day are named with theirs. */
  dueDate: string;
  /** Task number → its due day in the round, for the tasks listed. */
  taskDue: ReadonlyMap<number, string>;
  units: readonly (LateUnit & { contactNames: readonly string[] })[];
  now: Date;
}

/**
 * The group message, one line per unit. Plain text only: it is pasted into
 * WeChat. Empty when nobody is late (there is nothing to send).
 */
export function urgeMessage({ roundName, dueDate, taskDue, units, now }: UrgeMessageInput): string {
  if (units.length === 0) return '';
  const listed = new Set(units.flatMap((u) => [...u.missing, ...u.returned]));
  const own = [...listed]
    .sort((a, b) => a - b)
    .filter((no) => (taskDue.get(no) ?? dueDate) !== dueDate)
    .map((no) => `第${no}项为${formatDayCN(taskDue.get(no) as string, now)}`);
  const due = `本轮截止日期：${formatDayCN(dueDate, now)}${own.length ? `（${own.join('，')}）` : ''}。`;
  const lines = units.map((u, i) => {
    const who = u.contactNames.length ? `联络员：${u.contactNames.join('、')}` : '暂无联络员，请尽快指定';
    const parts: string[] = [];
    if (u.missing.length) parts.push(`${taskList(u.missing)}未报送`);
    if (u.returned.length) parts.push(`${taskList(u.returned)}被退回，请修改后重新报送`);
    return `${i + 1}. ${u.unitName}（${who}）：${parts.join('；')}。`;
  });
  return [
    `【催办】${roundName}政务公开工作报送`,
    `截至${formatDayCN(officeDay(now), now)}，以下${units.length}个单位仍有任务未完成报送，请联络员尽快在“政务公开任务台账”小程序中报送：`,
    ...lines,
    due,
    '已报送的单位请忽略。如有疑问请联系市政府办公室政务公开科。',
  ].join('\n');
}
