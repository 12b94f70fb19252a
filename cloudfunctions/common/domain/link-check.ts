/**
 * What a link check concludes, and how the checks of one link add up over
 * the year ("6月30日可以打开，12月20日无法打开（404）"). Pure: the fetch and
 * the storage of snapshots are the link check function's part.
 */
import type { LinkCheckView, LinkHostKind, LinkStateView } from '../../../miniprogram/shared/links-api';
import { formatDayCN, formatOfficeTime, officeDay } from './dates';
import { decodePage, HOST_KIND_TEXT, hostKind, isHtml, pageText, pageTitle, REFUSAL_TEXT, type FetchRefusal } from './link-page';

/** What a fetch gave, as the link check function hands it over. */
export interface FetchOutcome {
  status?: number;
  error?: FetchRefusal | 'dns' | 'timeout' | 'network' | 'tls' | 'redirects' | 'offline';
  finalUrl: string;
  contentType?: string;
  body: Uint8Array;
  truncated: boolean;
  sha256: string;
}

/** One check as stored (dates as Date) before it becomes a view. */
export interface CheckRecord {
  url: string;
  reachable: boolean;
  status?: number;
  error?: FetchOutcome['error'];
  problem: string;
  finalUrl: string;
  title: string;
  hostKind: LinkHostKind;
  contentType: string;
  truncated: boolean;
  sha256: string;
  checkedAt: Date;
}

const ERROR_TEXT: Record<NonNullable<FetchOutcome['error']>, string> = {
  ...REFUSAL_TEXT,
  dns: '找不到该网站（域名无法解析）',
  timeout: '网站响应超时',
  network: '无法连接该网站',
  tls: '网站的安全证书有问题',
  redirects: '跳转次数过多',
  offline: '本地环境未联网，未检查',
};

/** Why the link did not open, in words; '' when it did. */
export function problemText(status: number | undefined, error: FetchOutcome['error']): string {
  if (error) return ERROR_TEXT[error];
  if (status === undefined) return '无法连接该网站';
  if (status >= 200 && status < 300) return '';
  if (status === 404 || status === 410) return `页面不存在（${status}）`;
  if (status === 401 || status === 403) return `页面需要登录或禁止访问（${status}）`;
  if (status >= 500) return `网站出错（${status}）`;
  return `网页打不开（${status}）`;
}

export function checkRecord(url: string, fetched: FetchOutcome, officeDomains: readonly string[], at: Date): CheckRecord {
  const reachable = !fetched.error && fetched.status !== undefined && fetched.status >= 200 && fetched.status < 300;
  let host = '';
  try {
    host = new URL(fetched.finalUrl).hostname;
  } catch {
    /* a malformed final URL is "other" */
  }
  const title = reachable && isHtml(fetched.contentType) ? pageTitle(decodePage(fetched.body, fetched.contentType).text) : '';
  const record: CheckRecord = {
    url,
    reachable,
    problem: problemText(fetched.status, fetched.error),
    finalUrl: fetched.finalUrl,
    title,
    hostKind: hostKind(host, officeDomains),
    contentType: fetched.contentType ?? '',
    truncated: fetched.truncated,
    sha256: fetched.sha256,
    checkedAt: at,
  };
  if (fetched.status !== undefined) record.status = fetched.status;
  if (fetched.error) record.error = fetched.error;
  return record;
}

export function checkView(c: CheckRecord): LinkCheckView {
  const view: LinkCheckView = {
    url: c.url,
    reachable: c.reachable,
    problem: c.problem,
    finalUrl: c.finalUrl,
    title: c.title,
    hostKind: c.hostKind,
    hostKindText: HOST_KIND_TEXT[c.hostKind],
    checkedAt: new Date(c.checkedAt).toISOString(),
  };
  if (c.status !== undefined) view.status = c.status;
  return view;
}

/** A link's standing over its checks, as stored in `link_states`. */
export interface LinkState {
  index: number;
  url: string;
  latest: CheckRecord;
  checks: number;
  firstCheckedAt: Date;
  lastReachableAt?: Date;
  /** The page's title when it last opened: a page that is gone is still named. */
  lastTitle?: string;
  changed: boolean;
  snapshotFileID?: string;
}

/** What to call a link: its latest title, else the title it had when it last opened. */
export const linkTitle = (state: Pick<LinkState, 'latest' | 'lastTitle'>): string => state.latest.title || state.lastTitle || '';

/** `<reportId>-l<n>`: one state per link of a report version. */
export const linkStateId = (reportId: string, index: number) => `${reportId}-l${index}`;

/** A `link_states` document: the state, with what the report answers (for the overview and the ledger). */
export interface LinkStateDoc extends LinkState {
  _id: string;
  reportId: string;
  assignmentId: string;
  planId: string;
  roundId: string;
  taskNo: number;
  unitId: string;
}

/** The state after one more check. `snapshotFileID` is the check's own snapshot, if one was kept. */
export function nextLinkState(prev: LinkState | undefined, index: number, check: CheckRecord, snapshotFileID?: string): LinkState {
  const hashes = [prev?.latest.reachable ? prev.latest.sha256 : '', check.reachable ? check.sha256 : ''];
  const state: LinkState = {
    index,
    url: check.url,
    latest: check,
    checks: (prev?.checks ?? 0) + 1,
    firstCheckedAt: prev?.firstCheckedAt ?? check.checkedAt,
    // Changed: two readings of the page that differ (a failure in between is not a change).
    changed: (prev?.changed ?? false) || (hashes[0] !== '' && hashes[1] !== '' && hashes[0] !== hashes[1]),
  };
  const lastReachableAt = check.reachable ? check.checkedAt : prev?.lastReachableAt;
  if (lastReachableAt) state.lastReachableAt = lastReachableAt;
  const lastTitle = check.reachable ? check.title : prev?.lastTitle;
  if (lastTitle) state.lastTitle = lastTitle;
  const snapshot = snapshotFileID ?? prev?.snapshotFileID;
  if (snapshot) state.snapshotFileID = snapshot;
  return state;
}

/**
 * For reviewers and the ledger: 「6月30日可以打开」, 「6月30日可以打开，12月20日无法打开（页面不存在（404））」,
 * 「12月20日无法打开（…），从未打开过」. `now` decides whether the year is written.
 */
export function linkSummary(state: LinkState, now: Date): string {
  const day = (at: Date) => formatDayCN(officeDay(new Date(at)), now);
  const latest = state.latest;
  if (latest.reachable) return `${day(latest.checkedAt)}可以打开${state.changed ? '（内容有过变化）' : ''}`;
  const failed = `${day(latest.checkedAt)}无法打开（${latest.problem}）`;
  return state.lastReachableAt ? `${day(state.lastReachableAt)}可以打开，${failed}` : `${failed}，从未打开过`;
}

export function stateView(state: LinkState, now: Date): LinkStateView {
  const view: LinkStateView = {
    ...checkView(state.latest),
    title: linkTitle(state),
    index: state.index,
    checks: state.checks,
    firstCheckedAt: new Date(state.firstCheckedAt).toISOString(),
    changed: state.changed,
    summary: linkSummary(state, now),
  };
  if (state.lastReachableAt) view.lastReachableAt = new Date(state.lastReachableAt).toISOString();
  if (state.snapshotFileID) view.snapshotFileID = state.snapshotFileID;
  return view;
}

/**
 * The snapshot kept for the record: a header that says what was fetched and
 * when, then the page's readable text. Null for a page that did not open or
 * is not HTML (its hash is kept; the file itself is evidence elsewhere).
 */
export function snapshotText(check: CheckRecord, body: Uint8Array): string | null {
  if (!check.reachable || !isHtml(check.contentType)) return null;
  const page = decodePage(body, check.contentType);
  const header = [
    `网址：${check.url}`,
    check.finalUrl !== check.url ? `最终网址：${check.finalUrl}` : '',
    `网页标题：${check.title || '（无标题）'}`,
    `抓取时间：${formatOfficeTime(check.checkedAt)}`,
    `内容摘要（SHA-256）：${check.sha256}`,
    check.truncated ? '说明：网页超过 1 MB，只保存了前 1 MB 的内容' : '',
  ].filter((l) => l !== '');
  return `${header.join('\n')}\n\n${pageText(page.text)}\n`;
}
