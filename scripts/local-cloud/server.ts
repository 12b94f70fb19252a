/**
 * The local HTTP bridge: lets the mini program (in WeChat DevTools, with
 * the local switch on), curl and the tests call the cloud functions of a
 * LocalCloud. It listens on 127.0.0.1 unless told otherwise.
 *
 *   POST /call/<function>   body: the event (JSON, ≤ 100 KB as on the platform)
 *                           header x-local-openid: who is calling (local only)
 *   /storage/...            uploads and downloads (see storage.ts)
 *   POST /local/group-cloudid  body {"opengid": "..."}, header x-local-openid → {"cloudID"}:
 *                           what wx.getGroupEnterInfo gives that user in that group (opendata.ts)
 *   GET /local/outbox?offset=0&limit=100[&touser=…]  the subscribe messages sent so far, oldest first,
 *                           paged: {total, offset, limit, next, items} (local only)
 *   GET /health             liveness
 */
import http from 'http';
import type { AddressInfo } from 'net';
import { LocalCallError, type LocalCloud } from './runtime';

/** callFunction's payload limit on the platform. */
export const MAX_EVENT_BYTES = 100 * 1024;
const OPENID_HEADER = 'x-local-openid';
const OPENID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const bridgeError = (res: http.ServerResponse, status: number, errCode: number, errMsg: string) => send(res, status, { errCode, errMsg });

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
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

async function handleCall(cloud: LocalCloud, name: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (!cloud.functions.has(name)) return bridgeError(res, 404, -501000, `FunctionName parameter could not be found: ${name}`);
  const openid = req.headers[OPENID_HEADER];
  if (openid !== undefined && (typeof openid !== 'string' || !OPENID_PATTERN.test(openid))) {
    return bridgeError(res, 400, -1, `${OPENID_HEADER} must match ${OPENID_PATTERN}`);
  }
  const body = await readBody(req, MAX_EVENT_BYTES);
  if (body === 'too-large')
    return bridgeError(res, 413, -501003, `event exceeds 100 KB (${MAX_EVENT_BYTES} bytes); send files through storage and pass fileIDs`);
  let event: unknown;
  try {
    event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    return bridgeError(res, 400, -501004, 'request body is not valid JSON');
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return bridgeError(res, 400, -501004, 'the event must be a JSON object');
  }
  try {
    const result = await cloud.invoke(name, event, { openid: openid as string | undefined });
    send(res, 200, { result });
  } catch (err) {
    const e = err instanceof LocalCallError ? err : new LocalCallError(-504002, String(err));
    bridgeError(res, 500, e.errCode, e.message);
  }
}

/** Lets a developer simulate opening the mini program from a group card (local only). */
async function handleGroupCloudId(cloud: LocalCloud, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const openid = req.headers[OPENID_HEADER];
  if (typeof openid !== 'string' || !OPENID_PATTERN.test(openid)) {
    return bridgeError(res, 400, -1, `${OPENID_HEADER} is required and must match ${OPENID_PATTERN}: a CloudID belongs to one user`);
  }
  const body = await readBody(req, 4096);
  if (body === 'too-large') return bridgeError(res, 413, -1, 'body too large; send {"opengid": "..."}');
  let opengid: unknown;
  try {
    opengid = (JSON.parse(body.toString('utf8')) as { opengid?: unknown } | null)?.opengid;
  } catch {
    return bridgeError(res, 400, -501004, 'request body is not valid JSON');
  }
  if (typeof opengid !== 'string' || !OPENID_PATTERN.test(opengid)) {
    return bridgeError(res, 400, -1, `body must be {"opengid": "..."} with opengid matching ${OPENID_PATTERN}`);
  }
  send(res, 200, { cloudID: cloud.issueGroupCloudId(openid, opengid) });
}

const OUTBOX_MAX_PAGE = 1000;

/** The outbox as JSON pages: what the functions sent, with WeChat's answer to each. */
function handleOutbox(cloud: LocalCloud, url: URL, res: http.ServerResponse): void {
  const int = (name: string, fallback: number) => {
    const raw = url.searchParams.get(name);
    return raw === null || raw === '' ? fallback : Number(raw);
  };
  const offset = int('offset', 0);
  const limit = int('limit', 100);
  if (!Number.isInteger(offset) || offset < 0) return bridgeError(res, 400, -1, 'offset must be a non-negative integer');
  if (!Number.isInteger(limit) || limit < 1 || limit > OUTBOX_MAX_PAGE) {
    return bridgeError(res, 400, -1, `limit must be an integer 1–${OUTBOX_MAX_PAGE}`);
  }
  const touser = url.searchParams.get('touser') ?? undefined;
  if (touser !== undefined && !OPENID_PATTERN.test(touser)) return bridgeError(res, 400, -1, `touser must match ${OPENID_PATTERN}`);
  const all = cloud.openapi.outbox({ offset: 0, limit: Number.MAX_SAFE_INTEGER, touser });
  const items = all.slice(offset, offset + limit);
  const end = offset + items.length;
  send(res, 200, { total: all.length, offset, limit, next: end < all.length ? end : null, items });
}

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean | Promise<boolean>;

export function createBridge(cloud: LocalCloud, extraRoutes: RouteHandler[] = []): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const done = (async () => {
      const call = /^\/call\/([^/]+)$/.exec(url.pathname);
      if (call) {
        if (req.method !== 'POST') return bridgeError(res, 405, -1, 'use POST');
        return handleCall(cloud, decodeURIComponent(call[1] ?? ''), req, res);
      }
      if (url.pathname === '/local/group-cloudid') {
        if (req.method !== 'POST') return bridgeError(res, 405, -1, 'use POST');
        return handleGroupCloudId(cloud, req, res);
      }
      if (url.pathname === '/local/outbox') {
        if (req.method !== 'GET') return bridgeError(res, 405, -1, 'use GET');
        return handleOutbox(cloud, url, res);
      }
      if (url.pathname === '/health') return send(res, 200, { ok: true, env: cloud.envId });
      if (await cloud.storage.httpHandler(req, res)) return undefined;
      for (const route of extraRoutes) if (await route(req, res, url)) return undefined;
      return bridgeError(res, 404, -1, `no route ${req.method} ${url.pathname}`);
    })();
    done.catch((err: unknown) => {
      if (!res.headersSent) bridgeError(res, 500, -1, `bridge error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
}

export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve(`http://${host}:${actual}`);
    });
  });
}
