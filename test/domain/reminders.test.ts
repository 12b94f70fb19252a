import {
  activePoint,
  deadlineGroups,
  DEFAULT_SCHEDULE,
  latestKey,
  parseSchedule,
  pendingItems,
  reminderKey,
  reminderPoints,
  type PlanAssignment,
  type PlanRound,
  type ReminderSchedule,
} from '../../cloudfunctions/common/domain/reminders';
import { addDays } from '../../cloudfunctions/common/domain/dates';

const at = (day: string, time = '09:00') => new Date(`${day}T${time}:00+08:00`);
const S = DEFAULT_SCHEDULE;

describe('reminder points', () => {
  test('the default schedule: 7, 3, 1 days before, the day, then every 2 days, 3 times', () => {
    expect(reminderPoints('2021-09-30', S).map((p) => [p.label, p.day])).toEqual([
      ['b7', '2021-09-23'],
      ['b3', '2021-09-27'],
      ['b1', '2021-09-29'],
      ['d0', '2021-09-30'],
      ['a2', '2021-10-02'],
      ['a4', '2021-10-04'],
      ['a6', '2021-10-06'],
    ]);
  });

  test('weekends are kept by default and moved when configured: to the Friday before, or the Monday after once late', () => {
    // 2021-10-10 is a Sunday (a working day in China that year, but the rule knows no holidays).
    const skip: ReminderSchedule = { ...S, skipWeekends: true };
    expect(reminderPoints('2021-10-10', S).map((p) => p.day)).toContain('2021-10-09');
    expect(reminderPoints('2021-10-10', skip).map((p) => [p.label, p.day])).toEqual([
      ['b7', '2021-10-01'], // Friday
      ['b3', '2021-10-07'], // Thursday
      ['d0', '2021-10-08'], // b1 (Saturday) and the day (Sunday) both move to Friday: the later one stays
      ['a2', '2021-10-12'], // Tuesday
      ['a4', '2021-10-14'],
      ['a6', '2021-10-18'], // Saturday → Monday
    ]);
  });

  test('a point stays active until the next one, so a missed day is caught up with the latest point only', () => {
    const due = '2021-09-30';
    const days: Record<string, string | undefined> = {};
    for (let d = '2021-09-20'; d <= '2021-10-10'; d = addDays(d, 1)) days[d] = activePoint(due, d, S)?.label;
    expect(days).toEqual({
      '2021-09-20': undefined,
      '2021-09-21': undefined,
      '2021-09-22': undefined,
      '2021-09-23': 'b7',
      '2021-09-24': 'b7',
      '2021-09-25': 'b7',
      '2021-09-26': 'b7',
      '2021-09-27': 'b3',
      '2021-09-28': 'b3',
      '2021-09-29': 'b1',
      '2021-09-30': 'd0',
      '2021-10-01': 'd0',
      '2021-10-02': 'a2',
      '2021-10-03': 'a2',
      '2021-10-04': 'a4',
      '2021-10-05': 'a4',
      '2021-10-06': 'a6',
      '2021-10-07': 'a6',
      '2021-10-08': undefined,
      '2021-10-09': undefined,
      '2021-10-10': undefined,
    });
  });

  test('without reminders after the due day, the last point is active on its day only', () => {
    const s: ReminderSchedule = { ...S, before: [2], onDueDay: false, afterTimes: 0 };
    expect(reminderPoints('2021-09-30', s).map((p) => p.label)).toEqual(['b2']);
    expect(activePoint('2021-09-30', '2021-09-28', s)?.label).toBe('b2');
    expect(activePoint('2021-09-30', '2021-09-29', s)).toBeUndefined();
  });
});

describe('REMINDER_SCHEDULE', () => {
  test('defaults when unset; any subset overrides; bad fields are reported and keep their default', () => {
    expect(parseSchedule(undefined)).toEqual({ schedule: S, problems: [] });
    expect(parseSchedule('{"before":[1,5,5],"afterTimes":0,"skipWeekends":true}').schedule).toEqual({
      ...S,
      before: [5, 1],
      afterTimes: 0,
      skipWeekends: true,
    });
    const bad = parseSchedule('{"before":[0],"afterEvery":"2","nope":1}');
    expect(bad.schedule).toEqual(S);
    expect(bad.problems).toHaveLength(3);
    expect(parseSchedule('not json').problems).toEqual(['REMINDER_SCHEDULE is not valid JSON; using the defaults']);
  });
});

describe('deadline groups', () => {
  const round: PlanRound = { _id: 'r1', dueDate: '2021-09-30', scope: [8, 20, 25], overrides: { '25': '2021-10-08' }, status: 'open' };
  const a = (taskNo: number, unitId: string): PlanAssignment => ({
    _id: `plan-2021-t${String(taskNo).padStart(2, '0')}-${unitId}`,
    taskId: `plan-2021-t${String(taskNo).padStart(2, '0')}`,
    taskNo,
    unitId,
  });
  const assignments = [a(8, 'ssfj'), a(20, 'ssfj'), a(25, 'ssfj'), a(8, 'xc'), a(20, 'xc'), a(1, 'xc'), a(8, 'old')];
  const base = { rounds: [round], assignments, activeUnits: new Set(['ssfj', 'xc']), schedule: S };

  test('one group per unit and due day, only for assignments still owing something, only on an active point', () => {
    const latest = new Map([[latestKey('r1', a(20, 'ssfj')._id), 'submitted' as const]]);
    const groups = deadlineGroups({ ...base, latest, today: '2021-09-27', now: at('2021-09-27') });
    expect(groups.map((g) => [g.unitId, g.due, g.point.label, g.items.map((i) => i.taskNo)])).toEqual([
      ['ssfj', '2021-09-30', 'b3', [8]],
      ['xc', '2021-09-30', 'b3', [8, 20]],
    ]);
    // Task 25's own day (8 October) has its 7-day point on 1 October.
    const oct1 = deadlineGroups({ ...base, latest, today: '2021-10-01', now: at('2021-10-01') });
    expect(oct1.find((g) => g.due === '2021-10-08')).toMatchObject({ unitId: 'ssfj', point: { label: 'b7' }, items: [{ taskNo: 25 }] });
  });

  test('returned counts as owing; approved does not; past the due day it is overdue', () => {
    const latest = new Map([
      [latestKey('r1', a(8, 'xc')._id), 'returned' as const],
      [latestKey('r1', a(20, 'xc')._id), 'approved' as const],
    ]);
    const before = deadlineGroups({ ...base, latest, today: '2021-09-29', now: at('2021-09-29') }).find((g) => g.unitId === 'xc');
    expect(before?.items).toEqual([{ assignmentId: a(8, 'xc')._id, taskId: 'plan-2021-t08', taskNo: 8, status: 'returned' }]);
    const after = deadlineGroups({ ...base, latest, today: '2021-10-02', now: at('2021-10-02') }).find((g) => g.unitId === 'xc');
    expect(after?.items.map((i) => i.status)).toEqual(['overdue']);
  });

  test('closed rounds and retired units get no reminders', () => {
    const closed = deadlineGroups({
      ...base,
      rounds: [{ ...round, status: 'closed' }],
      latest: new Map(),
      today: '2021-09-27',
      now: at('2021-09-27'),
    });
    expect(closed).toEqual([]);
    const all = deadlineGroups({ ...base, latest: new Map(), today: '2021-09-27', now: at('2021-09-27') });
    expect(all.some((g) => g.unitId === 'old')).toBe(false);
  });

  test('pending items for 催办, limited to the urged tasks', () => {
    const items = pendingItems({
      round,
      assignments: assignments.filter((x) => x.unitId === 'ssfj'),
      latest: new Map(),
      now: at('2021-10-01'),
    });
    expect(items.map((i) => [i.taskNo, i.status, i.due])).toEqual([
      [8, 'overdue', '2021-09-30'],
      [20, 'overdue', '2021-09-30'],
      [25, 'not_started', '2021-10-08'],
    ]);
    const only = pendingItems({ round, assignments, latest: new Map(), now: at('2021-10-01'), taskNos: new Set([25]) });
    expect(only.map((i) => i.taskNo)).toEqual([25]);
  });

  test('keys name the reminder and the person, so a rerun finds them', () => {
    const g = { roundId: 'r1', due: '2021-09-30', point: { label: 'b3' }, unitId: 'xc' };
    expect(reminderKey.deadline(g, 'o-person')).toBe('dl:r1:2021-09-30:b3:xc:o-person');
    expect(reminderKey.returned('rev1', 'xc', '-')).toBe('rt:rev1:xc:-');
    expect(reminderKey.urge('urge-1', 'xc', 'o-p')).toBe('ur:urge-1:xc:o-p');
    expect(reminderKey.digest('2021-09-30', 'o-admin')).toBe('dg:2021-09-30:o-admin');
  });
});
