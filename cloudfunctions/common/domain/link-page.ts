/**
 * Rules for checking an evidence link: which URLs our function may fetch at
 * all, what kind of site a host is, and how to read a fetched page (charset,
 * title, text for the snapshot). Pure: the fetch itself lives in the link
 * check function; every hop it makes goes through `fetchTargetProblem`.
 */
// Node's own: the decoders of the platform's runtime (GB18030 included), also where no global is set up.
import { TextDecoder } from 'util';
import { addressKind } from './net-address';

/** Limits of one check. */
export const LINK_FETCH = {
  maxRedirects: 5,
  maxBytes: 1024 * 1024,
  timeoutMs: 10_000,
  /** What a snapshot keeps of a page's text. */
  snapshotChars: 200_000,
  titleChars: 200,
} as const;

export type FetchRefusal = 'scheme' | 'port' | 'credentials' | 'host' | 'address';

/**
 * Why our function must not fetch `url` (before any DNS): not http(s), a port
 * other than 80/443, credentials in the URL, an internal-looking name, or a
 * literal IP address that is not public. The URL parser normalises the tricks
 * (`http://2130706433/`, `http://0x7f.1/` are 127.0.0.1). Null when allowed;
 * the resolved addresses are checked again at connect time.
 */
export function fetchTargetProblem(url: string): FetchRefusal | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'scheme';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'scheme';
  if (parsed.port !== '' && parsed.port !== '80' && parsed.port !== '443') return 'port';
  if (parsed.username !== '' || parsed.password !== '') return 'credentials';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (host === '' || host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) {
    return 'host';
  }
  const literal = host.startsWith('[') || /^[\d.]+$/.test(host);
  if (literal && addressKind(host) !== 'public') return 'address';
  return null;
}

export const REFUSAL_TEXT: Record<FetchRefusal, string> = {
  scheme: '不是 http 或 https 网址',
  port: '使用了非标准端口',
  credentials: '网址中带有用户名或密码',
  host: '指向内部网络的主机名',
  address: '指向内部网络地址',
};

export type HostKind = 'gov' | 'office' | 'other';

/** A host on a label boundary of `domain` (`www.zoucheng.gov.cn` is on `gov.cn`, `evilgov.cn` is not). */
function onDomain(host: string, domain: string): boolean {
  const d = domain.toLowerCase().replace(/^\.+|\.+$/g, '');
  return d !== '' && (host === d || host.endsWith(`.${d}`));
}

/**
 * What kind of site a host is: a government domain (`*.gov.cn`, or the
 * `.政务` top-level domain), one of the office's configured domains (a unit's
 * column on a platform the office trusts), or other.
 */
export function hostKind(hostname: string, officeDomains: readonly string[] = []): HostKind {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (onDomain(host, 'gov.cn') || onDomain(host, 'xn--zfr164b') || onDomain(host, '政务')) return 'gov';
  return officeDomains.some((d) => onDomain(host, d)) ? 'office' : 'other';
}

export const HOST_KIND_TEXT: Record<HostKind, string> = { gov: '政府网站', office: '认可的网站', other: '其他网站' };

/** Charset names pages use for Chinese text, mapped to what TextDecoder knows; GB18030 is a superset of GBK and GB2312. */
function normaliseCharset(name: string): string | null {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (['gb2312', 'gbk', 'gb18030', 'x-gbk', 'cp936', 'euc-cn', 'csgb2312', 'windows-936'].includes(n)) return 'gb18030';
  try {
    return new TextDecoder(n).encoding;
  } catch {
    return null;
  }
}

function charsetFromContentType(contentType: string | undefined): string | null {
  const m = /charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return m ? normaliseCharset(m[2] as string) : null;
}

/** `<meta charset>` or `<meta http-equiv content-type>` within the first bytes, as browsers prescan. */
function charsetFromMeta(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const direct = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)/i.exec(head);
  return direct ? normaliseCharset(direct[1] as string) : null;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    // Streaming: a sequence cut by the size limit at the end is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * A fetched page as text: BOM first, then the Content-Type charset, then a
 * meta charset, then UTF-8 if the bytes are valid UTF-8, else GB18030 (many
 * county sites serve GBK without saying so). A body cut at the size limit may
 * end inside a character: that one character decodes as U+FFFD.
 */
export function decodePage(bytes: Uint8Array, contentType?: string): { text: string; charset: string } {
  let charset: string | null = null;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) charset = 'utf-8';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) charset = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) charset = 'utf-16be';
  charset ??= charsetFromContentType(contentType) ?? charsetFromMeta(bytes);
  if (!charset) charset = isValidUtf8(bytes) ? 'utf-8' : 'gb18030';
  return { text: new TextDecoder(charset).decode(bytes), charset };
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  mdash: '—',
  ndash: '–',
  middot: '·',
  hellip: '…',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The page's `<title>`, entities decoded, white space folded, at most LINK_FETCH.titleChars; '' when none. */
export function pageTitle(html: string): string {
  const m = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  return m ? [...squash(decodeEntities(m[1] as string))].slice(0, LINK_FETCH.titleChars).join('') : '';
}

/** The readable text of a page (scripts, styles and tags removed), for the snapshot kept beside the report. */
export function pageText(html: string, maxChars: number = LINK_FETCH.snapshotChars): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ');
  const lines = decodeEntities(text)
    .split('\n')
    .map((l) => l.replace(/[ \t\f\r\u00a0]+/g, ' ').trim())
    .filter((l) => l !== '');
  return [...lines.join('\n')].slice(0, maxChars).join('');
}

/** Whether a Content-Type is a page whose title and text we read (others are kept as a hash only). */
export function isHtml(contentType: string | undefined): boolean {
  return /^(text\/html|application\/xhtml\+xml)\b/i.test((contentType ?? '').trim());
}
