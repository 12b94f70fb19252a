/**
 * The contract of the `linkcheck` cloud function: checking the links a
 * report carries as evidence (does the page open, what is its title, is it
 * on an official site, what did it say), for the contact at submit time, the
 * reviewer, and the ledger. Same envelope as the `api` function. Types and
 * constants only.
 */
import type { ApiResult } from './api';

export type LinkHostKind = 'gov' | 'office' | 'other';

/** One fetch of one link. Times are ISO strings. */
export interface LinkCheckView {
  url: string;
  /** The page opened: a 2xx answer after at most 5 redirects. */
  reachable: boolean;
  /** HTTP status of the last answer; absent when none came. */
  status?: number;
  /** Why it did not open, in words (无法连接、超时、404 …); '' when it opened. */
  problem: string;
  finalUrl: string;
  title: string;
  hostKind: LinkHostKind;
  /** 政府网站 / 认可的网站 / 其他网站. */
  hostKindText: string;
  checkedAt: string;
}

/** What is known of one link of one report, over every check. */
export interface LinkStateView extends LinkCheckView {
  index: number;
  checks: number;
  firstCheckedAt: string;
  /** Last time it opened, if ever. */
  lastReachableAt?: string;
  /** The page's content changed at least once between checks. */
  changed: boolean;
  /** 「6月30日可以打开，12月20日无法打开（404）」-like summary for reviewers and the ledger. */
  summary: string;
  /** A snapshot of the page kept in storage (server-side path; served as a temporary link). */
  snapshotFileID?: string;
}

export interface LinkHistoryEntry extends LinkCheckView {
  sha256: string;
  /** Content differs from the check before. */
  changed: boolean;
  snapshotFileID?: string;
}

export interface LinksActions {
  /** A bound contact or an admin: check links before submitting (nothing is stored). */
  'links.check': { req: { urls: string[] }; res: { links: LinkCheckView[] } };
  /**
   * Admin: check again the links of a report, of a round's latest reports, or
   * of a year's; as many as fit the time budget. Call again while `remaining` > 0.
   */
  'links.recheck': {
    req: { reportId?: string; roundId?: string; year?: number };
    res: { checked: number; unreachable: number; remaining: number };
  };
  /** Admin, or a contact of the report's unit: every check of every link of a report. */
  'links.history': {
    req: { reportId: string };
    res: { links: { url: string; state?: LinkStateView; history: LinkHistoryEntry[] }[] };
  };
}

export type LinksActionName = keyof LinksActions;
export type LinksRequest<A extends LinksActionName> = LinksActions[A]['req'];
export type LinksResponse<A extends LinksActionName> = LinksActions[A]['res'];
export type LinksResult<A extends LinksActionName> = ApiResult<LinksResponse<A>>;

/** How many links one `links.check` call takes (a report carries at most 10). */
export const LINKS_CHECK_MAX = 10;
