import { addDays, daysLeft, endOfDay, formatDayCN, isPastDue, isValidDay, officeDay } from '../../cloudfunctions/common/domain/dates';

// 2021-09-29T16:30Z is 2021-09-30 00:30 in Zoucheng: already the next office day.
const lateNightUtc = new Date('2021-09-29T16:30:00Z');

describe('office-day arithmetic (Asia/Shanghai)', () => {
  test('the office day follows UTC+8, not the server clock', () => {
    expect(officeDay(lateNightUtc)).toBe('2021-09-30');
    expect(officeDay(new Date('2021-09-29T15:59:59Z'))).toBe('2021-09-29');
  });

  test('a due day ends at 23:59:59.999 in Zoucheng', () => {
    expect(endOfDay('2021-09-30').toISOString()).toBe('2021-09-30T15:59:59.999Z');
    expect(isPastDue('2021-09-30', new Date('2021-09-30T15:59:59Z'))).toBe(false);
    expect(isPastDue('2021-09-30', new Date('2021-09-30T16:00:00Z'))).toBe(true);
  });

  test('days left counts calendar days in the office zone', () => {
    expect(daysLeft('2021-09-30', lateNightUtc)).toBe(0);
    expect(daysLeft('2021-10-07', lateNightUtc)).toBe(7);
    expect(daysLeft('2021-09-27', lateNightUtc)).toBe(-3);
    expect(daysLeft('2022-01-01', new Date('2021-12-31T04:00:00Z'))).toBe(1);
  });

  test('adding days crosses months and years', () => {
    expect(addDays('2021-12-30', 3)).toBe('2022-01-02');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
  });

  test('only real YYYY-MM-DD days are accepted', () => {
    expect(isValidDay('2021-02-29')).toBe(false);
    expect(isValidDay('2021-2-3')).toBe(false);
    expect(isValidDay('2024-02-29')).toBe(true);
    expect(() => daysLeft('2021-13-01', lateNightUtc)).toThrow(RangeError);
  });

  test('Chinese date labels omit the current year', () => {
    expect(formatDayCN('2021-09-30', lateNightUtc)).toBe('9月30日');
    expect(formatDayCN('2022-01-05', lateNightUtc)).toBe('2022年1月5日');
  });
});
