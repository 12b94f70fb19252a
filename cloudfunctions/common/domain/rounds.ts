/**
 * Reporting rounds (报送轮次): each has a due day and applies to all tasks
 * or to chosen ones; a per-task override moves one task's due day (the
 * table itself names one: task 32, 2021年年底前).
 */
export interface RoundLike {
  dueDate: string;
  /** `all`, or the task numbers the round asks about. */
  scope: 'all' | number[];
  /** Task number (as a string key) → due day. */
  overrides?: Record<string, string>;
  status: 'open' | 'closed';
}

export function roundCoversTask(round: RoundLike, taskNo: number): boolean {
  return round.scope === 'all' || round.scope.includes(taskNo);
}

export function dueDateFor(round: RoundLike, taskNo: number): string {
  return round.overrides?.[String(taskNo)] ?? round.dueDate;
}

/**
 * The round a contact is asked about now: the open round with the earliest
 * due day that is not yet past, else the latest open one (late work still
 * belongs to it), else none.
 */
export function currentRound<R extends RoundLike>(rounds: readonly R[], today: string): R | undefined {
  const open = rounds.filter((r) => r.status === 'open').sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  return open.find((r) => r.dueDate >= today) ?? open[open.length - 1];
}
