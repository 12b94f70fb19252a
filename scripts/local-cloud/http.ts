/**
 * Small HTTP pieces shared by the bridge (server.ts) and the local console:
 * JSON answers, bounded bodies and `offset`/`limit` paging.
 */
import type http from 'http';
import type { Page } from './console/types';

export type { Page };

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The bridge's error shape, as callFunction reports platform errors. */
export const sendError = (res: http.ServerResponse, status: number, errCode: number, errMsg: string): void =>
  sendJson(res, status, { errCode, errMsg });

export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      // Keep draining without storing, so the client still gets our answer.
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `offset` and `limit` from the query string, or the message naming what is wrong. */
export function pagingOf(url: URL, defaultLimit: number, maxLimit: number): { offset: number; limit: number } | string {
  const int = (name: string, fallback: number) => {
    const raw = url.searchParams.get(name);
    return raw === null || raw === '' ? fallback : Number(raw);
  };
  const offset = int('offset', 0);
  const limit = int('limit', defaultLimit);
  if (!Number.isInteger(offset) || offset < 0) return 'offset must be a non-negative integer';
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return `limit must be an integer 1–${maxLimit}`;
  return { offset, limit };
}

/** One page of `all`, or of a collection whose `total` is known and whose page was read already. */
export function pageOf<T>(items: T[], total: number, paging: { offset: number; limit: number }): Page<T> {
  const end = paging.offset + items.length;
  return { total, offset: paging.offset, limit: paging.limit, next: end < total ? end : null, items };
}

/** An extra route of the bridge: answers and returns true, or returns false to let the next one try. */
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean | Promise<boolean>;
