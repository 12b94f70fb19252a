/**
 * Ids and storage paths made on the phone. Pure: no `wx`.
 */
import { uploadPrefix } from '../shared/api';

/** A short random token; not a secret, only unique enough to avoid collisions. */
export function randomToken(length = 10): string {
  let out = '';
  while (out.length < length) out += Math.random().toString(36).slice(2);
  return out.slice(0, length);
}

/** One id per submit attempt; the server keys duplicates on it. */
export function newRequestId(now: number = Date.now()): string {
  return `r${now.toString(36)}${randomToken(12)}`;
}

/**
 * An ASCII-only file name for the storage path. CloudBase prefers
 * `[A-Za-z0-9-_.]`; Chinese names stay in EvidenceInput.name for people.
 */
export function safeFileName(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext =
    dot > 0
      ? name
          .slice(dot + 1)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '')
      : '';
  const base = (dot > 0 ? name.slice(0, dot) : name)
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  const stem = base || 'file';
  return ext ? `${stem}.${ext.slice(0, 8)}` : stem;
}

/** `units/<unitId>/<openid>/<year>/<roundId>/<random>-<safe name>`: the server refuses paths outside the caller's own prefix. */
export function evidenceCloudPath(unitId: string, openid: string, year: number, roundId: string, originalName: string): string {
  const round = roundId.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${uploadPrefix(unitId, openid)}${year}/${round}/${randomToken(10)}-${safeFileName(originalName)}`;
}
