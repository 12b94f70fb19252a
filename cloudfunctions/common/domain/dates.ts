/**
 * Calendar arithmetic in the office's time zone. Due dates are plain
 * `YYYY-MM-DD` strings meaning "by the end of that day in Zoucheng";
 * China has no daylight saving, but we still go through the zone database
 * rather than hard-coding +08:00 so the rule is written down once.
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import customParseFormat from 'dayjs/plugin/customParseFormat';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(customParseFormat);

export const OFFICE_TZ = 'Asia/Shanghai';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isValidDay(day: string): boolean {
  return DAY.test(day) && dayjs(day, 'YYYY-MM-DD', true).isValid();
}

function assertDay(day: string): void {
  if (!isValidDay(day)) throw new RangeError(`not a YYYY-MM-DD date: ${day}`);
}

/** The office's calendar day at `now`. */
export function officeDay(now: Date): string {
  return dayjs(now).tz(OFFICE_TZ).format('YYYY-MM-DD');
}

/** The last instant of `day` in the office's zone: a report at 23:59 is on time. */
export function endOfDay(day: string): Date {
  assertDay(day);
  return dayjs.tz(`${day} 23:59:59.999`, OFFICE_TZ).toDate();
}

/** Whole calendar days from today to `due` (0 on the day, negative when late). */
export function daysLeft(due: string, now: Date): number {
  assertDay(due);
  const today = dayjs.tz(officeDay(now), OFFICE_TZ);
  return dayjs.tz(due, OFFICE_TZ).diff(today, 'day');
}

export function isPastDue(due: string, now: Date): boolean {
  return now.getTime() > endOfDay(due).getTime();
}

/** `day` shifted by `n` calendar days. */
export function addDays(day: string, n: number): string {
  assertDay(day);
  return dayjs(day, 'YYYY-MM-DD', true).add(n, 'day').format('YYYY-MM-DD');
}

/** `2021-09-30 14:05`, in the office's zone. */
export function formatOfficeTime(at: Date | string): string {
  return dayjs(at).tz(OFFICE_TZ).format('YYYY-MM-DD HH:mm');
}

/** "9月30日" for this year's dates, "2022年1月5日" otherwise. */
export function formatDayCN(day: string, now: Date): string {
  assertDay(day);
  const d = dayjs(day, 'YYYY-MM-DD', true);
  const sameYear = d.year() === dayjs(now).tz(OFFICE_TZ).year();
  return sameYear ? d.format('M月D日') : d.format('YYYY年M月D日');
}
