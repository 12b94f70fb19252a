/**
 * The local HTTP bridge: lets the mini program (in WeChat DevTools, with
 * the local switch on), curl, the tests and a browser reach a LocalCloud.
 * It listens on 127.0.0.1 unless told otherwise.
 *
 *   POST /call/<function>   body: the event (JSON, ≤ 100 KB as on the platform)
 *                           header x-local-openid: who is calling (local only)
 *   /storage/...            uploads and downloads (see storage.ts)
 *   POST /local/group-cloudid  body {"opengid": "..."}, header x-local-openid → {"cloudID"}:
 *                           what wx.getGroupEnterInfo gives that user in that group (opendata.ts)
 *   GET /local/outbox?offset=0&limit=100[&touser=…]  the subscribe messages sent so far, oldest first,
 *                           paged: {total, offset, limit, next, items} (local only)
 *   GET /health             liveness
 *   GET /                   the local console (数据/存储/消息/函数/账号) in a browser, with its
 *                           JSON under /local/console/… (see console/routes.ts)
 */
import http from 'http';
import type { AddressInfo } from 'net';
import { consoleRoutes } from './console/routes';
import { pageOf, pagingOf, readBody, sendError as bridgeError, sendJson as send, type RouteHandler } from './http';
import { LocalCallError, type LocalCloud } from './runtime';

export type { RouteHandler };

/** callFunction's payload limit on the platform. */
export const MAX_EVENT_BYTES = 100 * 1024;
const OPENID_HEADER = 'x-local-openid';
const OPENID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;

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
  const paging = pagingOf(url, 100, OUTBOX_MAX_PAGE);
  if (typeof paging === 'string') return bridgeError(res, 400, -1, paging);
  const touser = url.searchParams.get('touser') ?? undefined;
  if (touser !== undefined && !OPENID_PATTERN.test(touser)) return bridgeError(res, 400, -1, `touser must match ${OPENID_PATTERN}`);
  const all = cloud.openapi.outbox({ offset: 0, limit: Number.MAX_SAFE_INTEGER, touser });
  send(res, 200, pageOf(all.slice(paging.offset, paging.offset + paging.limit), all.length, paging));
}

/** `consoleAssets`: where the built console lives (build/console by default). */
export function createBridge(cloud: LocalCloud, extraRoutes: RouteHandler[] = [], opts: { consoleAssets?: string } = {}): http.Server {
  const routes = [...extraRoutes, consoleRoutes(cloud, { assetsDir: opts.consoleAssets })];
  const server = http.createServer((req, res) => {
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
      for (const route of routes) if (await route(req, res, url)) return undefined;
      return bridgeError(res, 404, -1, `no route ${req.method} ${url.pathname}`);
    })();
    done.catch((err: unknown) => {
      if (!res.headersSent) bridgeError(res, 500, -1, `bridge error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  // Idle keep-alive sockets are closed by the client only. When the server closes them too, a request the client
  // writes just as the server's timer fires is reset (ECONNRESET) — seen on a busy machine, where the timer phase
  // can run before the request is read.
  server.keepAliveTimeout = 0;
  return server;
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
