import { assignmentStatus, needsAction } from '../../cloudfunctions/common/domain/status';
import { currentRound, dueDateFor, roundCoversTask, type RoundLike } from '../../cloudfunctions/common/domain/rounds';

const before = new Date('2021-09-30T10:00:00Z'); // on the due day, 18:00 in Zoucheng
const after = new Date('2021-09-30T16:00:01Z'); // the next day in Zoucheng

describe('assignmentStatus', () => {
  test.each([
    [undefined, before, 'not_started'],
    [undefined, after, 'overdue'],
    ['submitted', after, 'submitted'],
    ['returned', before, 'returned'],
    ['returned', after, 'overdue'],
    ['approved', after, 'approved'],
  ] as const)('latest=%s at %s → %s', (latest, now, expected) => {
    expect(assignmentStatus({ latest, due: '2021-09-30', now })).toBe(expected);
  });

  test('needsAction is true exactly for what the unit still owes', () => {
    expect(['not_started', 'returned', 'overdue'].every((s) => needsAction(s as never))).toBe(true);
    expect(['submitted', 'approved'].some((s) => needsAction(s as never))).toBe(false);
  });
});

describe('rounds', () => {
  const q3: RoundLike = { dueDate: '2021-09-30', scope: 'all', overrides: { '32': '2021-12-31' }, status: 'open' };
  const chosen: RoundLike = { dueDate: '2021-12-20', scope: [44], status: 'open' };

  test('a per-task override moves that task only', () => {
    expect(dueDateFor(q3, 32)).toBe('2021-12-31');
    expect(dueDateFor(q3, 31)).toBe('2021-09-30');
  });

  test('a round covers all tasks or the chosen ones', () => {
    expect(roundCoversTask(q3, 7)).toBe(true);
    expect(roundCoversTask(chosen, 44)).toBe(true);
    expect(roundCoversTask(chosen, 43)).toBe(false);
  });

  test('the current round is the next open one, else the last open one', () => {
    const closed: RoundLike = { dueDate: '2021-10-15', scope: 'all', status: 'closed' };
    const rounds = [chosen, closed, q3];
    expect(currentRound(rounds, '2021-09-01')).toBe(q3);
    expect(currentRound(rounds, '2021-10-01')).toBe(chosen);
    expect(currentRound(rounds, '2022-01-10')).toBe(chosen);
    expect(currentRound([closed], '2021-10-01')).toBeUndefined();
  });
});
