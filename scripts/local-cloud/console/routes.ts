/**
 * The local console's HTTP face, mounted on the bridge (server.ts):
 *
 *   GET  /                          the console page (built by scripts/build.mjs into build/console/)
 *   GET  /console/console.{js,css}  its script and styles
 *   GET  /local/console/<view>      JSON: overview, collections, docs, plans, plan, files, outbox,
 *                                   reminders, subscriptions, calls, timers, clock, users (see views.ts)
 *   POST /local/console/run-timer   {"function","trigger","date"?,"time"?}: fires a timer trigger now
 *   POST /local/console/clock       {"today": "2021-09-20[T10:30]"} or {"real": true}: sets the clock every
 *                                   function, the database, storage and the timers see, or returns it to real time
 *   POST /local/console/fail-next   {"errCode","times"?}: the next subscribe-message sends fail so
 *
 * Only the local runtime has it. It answers only requests addressed to an IP
 * literal or `localhost` (a DNS-rebinding page cannot reach it by name), and
 * its POSTs refuse cross-origin browser requests, so a web page the developer
 * visits cannot fire timers.
 */
import fs from 'fs';
import type http from 'http';
import net from 'net';
import path from 'path';
import { pagingOf, readBody, sendError, sendJson, type RouteHandler } from '../http';
import { REPO_ROOT, type LocalCloud } from '../runtime';
import * as views from './views';

/** Where scripts/build.mjs puts the console's page, script and styles. */
export const CONSOLE_ASSETS = path.join(REPO_ROOT, 'build', 'console');
export const CONSOLE_API = '/local/console/';
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const MAX_PAGE = 200;

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>本地云控制台尚未构建</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.6">
<h1>本地云控制台尚未构建</h1>
<p>请在项目目录运行 <code>npm run build</code> 后刷新本页（<code>npm start</code> 会先自动构建）。</p>
<p>本地云的其他接口（<code>/call/…</code>、<code>/storage/…</code>、<code>/health</code>）不受影响。</p>
</body></html>`;

/** Requests by name could come from a rebinding attack; the console answers only IP literals and localhost. */
export function hostAllowed(host: string | undefined): boolean {
  // Only what a browser sends for an address it was given: name or IP literal, optional port.
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  return hostname === 'localhost' || net.isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
}

/** Why a POST is refused as cross-origin, or null. Browsers always send Origin on cross-origin POSTs. */
export function crossOriginProblem(req: http.IncomingMessage): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return `cross-origin request refused (Origin ${origin})`;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request refused (Sec-Fetch-Site ${String(site)})`;
  // Only JSON: a form on another site cannot send it without a preflight we never grant.
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return 'content-type must be application/json';
  return null;
}

function serveAsset(res: http.ServerResponse, dir: string, asset: { file: string; type: string }): void {
  let body: Buffer;
  try {
    if (!fs.existsSync(path.join(dir, 'console.js'))) throw new Error('not built');
    body = fs.readFileSync(path.join(dir, asset.file));
  } catch {
    res.writeHead(503, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' });
    res.end(NOT_BUILT);
    return;
  }
  res.writeHead(200, { ...PAGE_HEADERS, 'content-type': asset.type, 'content-length': body.length });
  res.end(body);
}

async function jsonBody(req: http.IncomingMessage): Promise<unknown> {
  const body = await readBody(req, 16 * 1024);
  if (body === 'too-large') throw new views.ConsoleInputError('请求体过大');
  try {
    return body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown);
  } catch {
    throw new views.ConsoleInputError('请求体不是合法的 JSON');
  }
}

function getView(cloud: LocalCloud, view: string, url: URL): unknown {
  const q = (name: string) => url.searchParams.get(name) ?? undefined;
  const paged = () => {
    const paging = pagingOf(url, 20, MAX_PAGE);
    if (typeof paging === 'string') throw new views.ConsoleInputError(paging);
    return paging;
  };
  switch (view) {
    case 'overview':
      return views.overview(cloud);
    case 'collections':
      return views.collections(cloud);
    case 'docs':
      return views.documents(cloud, q('collection') ?? '', paged(), q('field'), q('value'));
    case 'plans':
      return views.plans(cloud);
    case 'plan': {
      const year = Number(q('year'));
      if (!Number.isInteger(year)) throw new views.ConsoleInputError('year 应为年份，例如 2021');
      return views.planTable(cloud, year);
    }
    case 'files':
      return views.files(cloud, paged(), q('prefix'));
    case 'outbox':
      return views.outbox(cloud, paged());
    case 'reminders':
      return views.reminders(cloud, paged());
    case 'subscriptions':
      return views.subscriptions(cloud, paged());
    case 'calls':
      return views.calls(cloud, paged());
    case 'timers':
      return views.timers(cloud);
    case 'clock':
      return cloud.clock.state();
    case 'users':
      return views.users(cloud);
    default:
      return undefined;
  }
}

const POSTS: Partial<Record<string, (cloud: LocalCloud, body: unknown) => unknown>> = {
  'run-timer': views.runTimer,
  'fail-next': views.failNextSends,
  clock: views.setClock,
};

export function consoleRoutes(cloud: LocalCloud, opts: { assetsDir?: string } = {}): RouteHandler {
  const dir = opts.assetsDir ?? CONSOLE_ASSETS;
  return async (req, res, url) => {
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204, PAGE_HEADERS);
      res.end();
      return true;
    }
    const asset = ASSETS[url.pathname];
    const api = url.pathname.startsWith(CONSOLE_API) ? url.pathname.slice(CONSOLE_API.length) : undefined;
    if (!asset && api === undefined) return false;
    if (!hostAllowed(req.headers.host)) {
      sendError(res, 403, -1, 'the local console answers only requests to 127.0.0.1, [::1] or localhost');
      return true;
    }
    try {
      const post = api !== undefined ? POSTS[api] : undefined;
      if (post) {
        if (req.method !== 'POST') {
          sendError(res, 405, -1, 'use POST');
          return true;
        }
        const problem = crossOriginProblem(req);
        if (problem) {
          sendError(res, 403, -1, problem);
          return true;
        }
        sendJson(res, 200, await post(cloud, await jsonBody(req)));
        return true;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendError(res, 405, -1, 'use GET');
        return true;
      }
      if (asset) {
        serveAsset(res, dir, asset);
        return true;
      }
      const view = getView(cloud, api ?? '', url);
      if (view === undefined) sendError(res, 404, -1, `no console view ${api}`);
      else sendJson(res, 200, view);
    } catch (err) {
      if (!(err instanceof views.ConsoleInputError)) throw err;
      sendError(res, 400, -1, err.message);
    }
    return true;
  };
}
