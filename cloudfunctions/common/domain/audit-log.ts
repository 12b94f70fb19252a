/**
 * Reading the audit log: a paging cursor that stays stable when entries
 * share a timestamp, and a last guard that keeps phone numbers out of
 * what the office's screen shows even if an entry's detail held one.
 */
import { maskPhone } from '../mask';

/** `<epoch ms>_<entry id>`: entries older than this one, in (at, _id) order. */
export function auditCursor(at: Date, id: string): string {
  return `${at.getTime()}_${id}`;
}

export const CURSOR = /^(\d{1,15})_([A-Za-z0-9_-]{1,64})$/;

export function parseAuditCursor(cursor: string): { at: Date; id: string } | undefined {
  const m = CURSOR.exec(cursor);
  if (!m) return undefined;
  const at = new Date(Number(m[1]));
  return Number.isNaN(at.getTime()) ? undefined : { at, id: m[2] as string };
}

const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;
const LANDLINE = /(?<!\d)0\d{2,3}-\d{7,8}(?!\d)/g;
const PHONE_KEYS = /^(phone|mobile|tel|telephone)$/i;

/** A copy of `detail` without phone fields and with any number-like text masked. */
export function scrubDetail(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(MOBILE, (m) => maskPhone(m)).replace(LANDLINE, (m) => maskPhone(m));
  if (Array.isArray(value)) return value.map(scrubDetail);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (PHONE_KEYS.test(k)) continue;
      out[k] = scrubDetail(v);
    }
    return out;
  }
  return value;
}
