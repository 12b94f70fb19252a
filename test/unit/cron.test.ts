import { matches, nextFire, parseCron } from '../../scripts/local-cloud/cron';

describe('7-field timer cron (UTC+8)', () => {
  test('daily 09:00 in Zoucheng is 01:00 UTC', () => {
    const cron = parseCron('0 0 9 * * * *');
    expect(nextFire(cron, new Date('2021-09-27T00:00:00Z'))?.toISOString()).toBe('2021-09-27T01:00:00.000Z');
    expect(nextFire(cron, new Date('2021-09-27T01:00:00Z'))?.toISOString()).toBe('2021-09-28T01:00:00.000Z');
  });

  test('weekday 0 is Sunday; ranges, lists and steps', () => {
    const mondays = parseCron('0 30 8 * * 1 *');
    // 2021-09-26 is a Sunday.
    expect(nextFire(mondays, new Date('2021-09-26T00:00:00Z'))?.toISOString()).toBe('2021-09-27T00:30:00.000Z');
    const every15 = parseCron('0 */15 9-10 * * * *');
    expect(matches(every15, new Date('2021-09-27T01:45:00Z'))).toBe(true);
    expect(matches(every15, new Date('2021-09-27T01:50:00Z'))).toBe(false);
    expect(matches(parseCron('0 0 9 1,15 * * *'), new Date('2021-10-15T01:00:00Z'))).toBe(true);
  });

  test('bad expressions are refused with the field named', () => {
    expect(() => parseCron('0 0 9 * * *')).toThrow('7 fields');
    expect(() => parseCron('0 0 25 * * * *')).toThrow('hour');
    expect(() => parseCron('0 0 9 * * 7 *')).toThrow('weekday');
    expect(() => parseCron('0 */0 9 * * * *')).toThrow('step');
  });

  test('an expression that never fires within a year has no next time', () => {
    expect(nextFire(parseCron('0 0 9 31 2 * *'), new Date('2021-01-01T00:00:00Z'))).toBeUndefined();
  });
});
