/**
 * Pure display helpers: dates in the office's time zone, days left, sizes.
 * No `wx` here, so they are easy to test and safe to call from any page.
 */

/** The office works on China Standard Time; the phone's own zone must not shift a due day. */
const OFFICE_OFFSET_MS = 8 * 60 * 60 * 1000;

interface OfficeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function officeParts(at: Date): OfficeParts {
  const d = new Date(at.getTime() + OFFICE_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The office's calendar year at `now`. */
export function officeYear(now: Date = new Date()): number {
  return officeParts(now).year;
}

/** `2021-09-30` → "9月30日" this year, "2022年1月5日" otherwise. */
export function formatDay(day: string, now: Date = new Date()): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const [, y, mo, d] = m;
  const md = `${Number(mo)}月${Number(d)}日`;
  return Number(y) === officeYear(now) ? md : `${y}年${md}`;
}

/** ISO time → "6月26日 14:05" this year, "2020年6月26日 14:05" otherwise. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const p = officeParts(at);
  const md = `${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`;
  return p.year === officeYear(now) ? md : `${p.year}年${md}`;
}

export interface DaysLeft {
  text: string;
  /** Late or due today: the page shows it in red. */
  urgent: boolean;
}

/** "还剩 3 天" / "今天截止" / "已逾期 2 天"; null when there is no due day. */
export function daysLeftText(daysLeft: number | null): DaysLeft | null {
  if (daysLeft === null) return null;
  if (daysLeft > 0) return { text: `还剩 ${daysLeft} 天`, urgent: false };
  if (daysLeft === 0) return { text: '今天截止', urgent: true };
  return { text: `已逾期 ${-daysLeft} 天`, urgent: true };
}

/** "1.2 MB", "350 KB": rough sizes a person can judge an upload by. */
export function fileSizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * A list row only shows two lines; sending the whole requirement would
 * only grow setData. Cuts on code points so an emoji is never split.
 */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}
