/**
 * Fetches one evidence link for the link check, with tight limits: http(s)
 * only, ports 80/443, at most 5 redirects, 1 MB, 10 s in all. Every hop is
 * checked before it is requested, and every address a name resolves to is
 * checked at connect time (the socket connects to the address we checked, so
 * a name cannot resolve to a public address for the check and to an internal
 * one for the connection).
 *
 * The only way to reach other addresses is the local runtime's network
 * policy (`LOCAL_NETWORK`), which exists only when the functions run on the
 * local cloud: tests serve pages from a loopback server through it. In the
 * real cloud nothing sets it, so the production rule never allows an
 * internal address.
 */
import crypto from 'crypto';
import dns from 'dns';
import http from 'http';
import https from 'https';
import type { LookupFunction } from 'net';
import { fetchTargetProblem, LINK_FETCH, type FetchRefusal } from './domain/link-page';
import { isPublicAddress } from './domain/net-address';

/** What the local runtime may install on `globalThis` under this symbol. */
export const LOCAL_NETWORK = Symbol.for('zwgk.local-cloud.network');

export interface LocalNetworkPolicy {
  /** Whether a public address may be fetched at all (off: the local cloud stays offline). */
  internet: boolean;
  /** Origins (`http://127.0.0.1:41234`) a test serves pages from; exact match only. */
  allowOrigins: readonly string[];
  /** Names the local runtime answers itself (like curl --resolve), e.g. a `*.gov.cn` name on a test's loopback server. */
  hosts?: Readonly<Record<string, string>>;
}

function localPolicy(): LocalNetworkPolicy | undefined {
  return (globalThis as Record<symbol, LocalNetworkPolicy | undefined>)[LOCAL_NETWORK];
}

export type LinkFetchError = FetchRefusal | 'dns' | 'timeout' | 'network' | 'tls' | 'redirects' | 'offline';

export interface LinkFetch {
  /** The final response's HTTP status; absent when no response came. */
  status?: number;
  error?: LinkFetchError;
  /** The URL of the last hop requested. */
  finalUrl: string;
  /** Every URL requested, in order (the first is the link). */
  hops: string[];
  contentType?: string;
  /** The body read (at most LINK_FETCH.maxBytes). */
  body: Buffer;
  /** The body was longer than the limit and was cut. */
  truncated: boolean;
  sha256: string;
}

interface Hop {
  status?: number;
  location?: string;
  contentType?: string;
  body: Buffer;
  truncated: boolean;
  error?: LinkFetchError;
}

const sameOrigin = (url: URL, origins: readonly string[]) => origins.includes(url.origin);

/** Resolves a name, refusing it when any address it resolves to is not public. */
function guardedLookup(policy: LocalNetworkPolicy | undefined, allowedByTest: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const bad = addresses.find((a) => !isPublicAddress(a.address));
      if (bad && !allowedByTest) {
        return callback(Object.assign(new Error(`refused address for ${hostname}`), { code: 'ZWGK_ADDRESS' }), '', 4);
      }
      if (!bad && policy && !policy.internet && !allowedByTest) {
        return callback(Object.assign(new Error('local cloud is offline'), { code: 'ZWGK_OFFLINE' }), '', 4);
      }
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 4);
      // Node ≥ 20 may ask for every address (happy eyeballs): give only those we checked.
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      } else {
        callback(null, first.address, first.family);
      }
    };
    // The local runtime's own name table (its stand-in for DNS) answers first; the same checks apply.
    const pinned = policy?.hosts?.[hostname];
    if (pinned !== undefined) return answer(null, [{ address: pinned, family: pinned.includes(':') ? 6 : 4 }]);
    dns.lookup(hostname, { all: true, family: options.family, hints: options.hints }, answer);
  };
}

function errorOf(err: NodeJS.ErrnoException): LinkFetchError {
  if (err.code === 'ZWGK_ADDRESS') return 'address';
  if (err.code === 'ZWGK_OFFLINE') return 'offline';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'ENODATA') return 'dns';
  if (/CERT|SSL|TLS/i.test(err.code ?? '') || /certificate|ssl|tls/i.test(err.message)) return 'tls';
  return 'network';
}

function requestHop(url: URL, deadline: number, policy: LocalNetworkPolicy | undefined): Promise<Hop> {
  const allowedByTest = policy !== undefined && sameOrigin(url, policy.allowOrigins);
  const problem = fetchTargetProblem(url.href);
  const literal = url.hostname.startsWith('[') || /^[\d.]+$/.test(url.hostname);
  if (problem && !allowedByTest) return Promise.resolve({ error: problem, body: Buffer.alloc(0), truncated: false });
  // Offline local cloud: no DNS query either (it could hang on a machine without network).
  if (!allowedByTest && policy && !policy.internet && (literal || policy.hosts?.[url.hostname] === undefined)) {
    return Promise.resolve({ error: 'offline', body: Buffer.alloc(0), truncated: false });
  }
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.resolve({ error: 'timeout', body: Buffer.alloc(0), truncated: false });
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<Hop>((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (hop: Hop) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(hop);
    };
    const req = lib.request(
      url,
      {
        method: 'GET',
        lookup: guardedLookup(policy, allowedByTest),
        headers: {
          // Some portals refuse requests without a browser-like agent and language.
          'user-agent': 'Mozilla/5.0 (compatible; zwgk-link-check/1.0)',
          accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
          'accept-language': 'zh-CN,zh;q=0.9',
          'accept-encoding': 'identity',
        },
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        if (status >= 300 && status < 400 && location)
          return finish({ status, location, contentType, body: Buffer.alloc(0), truncated: false });
        res.on('data', (chunk: Buffer) => {
          const room = LINK_FETCH.maxBytes - size;
          if (chunk.length > room) {
            // Stop reading at the limit: a huge body is cut, never buffered.
            chunks.push(chunk.subarray(0, room));
            size += room;
            return finish({ status, contentType, body: Buffer.concat(chunks), truncated: true });
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => finish({ status, contentType, body: Buffer.concat(chunks), truncated: false }));
        res.on('error', () => finish({ status, contentType, body: Buffer.concat(chunks), truncated: true, error: 'network' }));
      },
    );
    const timer = setTimeout(() => finish({ error: 'timeout', body: Buffer.concat(chunks), truncated: chunks.length > 0 }), remaining);
    req.on('error', (err) => finish({ error: errorOf(err), body: Buffer.alloc(0), truncated: false }));
    req.end();
  });
}

/** Fetches `link` following at most LINK_FETCH.maxRedirects redirects, each hop checked. Never throws. */
export async function fetchLink(link: string, opts: { timeoutMs?: number } = {}): Promise<LinkFetch> {
  const policy = localPolicy();
  // A caller may only tighten the time limit (the function's own time budget).
  const deadline = Date.now() + Math.min(opts.timeoutMs ?? LINK_FETCH.timeoutMs, LINK_FETCH.timeoutMs);
  const hops: string[] = [];
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { error: 'scheme', finalUrl: link, hops: [link], body: Buffer.alloc(0), truncated: false, sha256: '' };
  }
  for (;;) {
    hops.push(url.href);
    const hop = await requestHop(url, deadline, policy);
    if (hop.location !== undefined) {
      if (hops.length > LINK_FETCH.maxRedirects) {
        return { status: hop.status, error: 'redirects', finalUrl: url.href, hops, body: Buffer.alloc(0), truncated: false, sha256: '' };
      }
      try {
        url = new URL(hop.location, url);
        continue;
      } catch {
        return { status: hop.status, error: 'scheme', finalUrl: hop.location, hops, body: Buffer.alloc(0), truncated: false, sha256: '' };
      }
    }
    const sha256 = hop.status !== undefined ? crypto.createHash('sha256').update(hop.body).digest('hex') : '';
    return {
      status: hop.status,
      error: hop.error,
      finalUrl: url.href,
      hops,
      contentType: hop.contentType,
      body: hop.body,
      truncated: hop.truncated,
      sha256,
    };
  }
}
