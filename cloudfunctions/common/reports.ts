/**
 * Reading reports and their reviews, shared by the functions: the latest
 * version of every assignment in a round and the newest review of each
 * report, each in a fixed number of requests whatever the number of versions.
 */
import type { ReportState } from '../../miniprogram/shared/api';
import { _, db, fetchIn, PAGE } from './cloud';
import type { LatestReport } from './domain/overview';
import type { ReviewDoc } from './records';
import { C } from './schema';

interface LatestRow {
  _id: string;
  reportId: string;
  version: number;
  state: ReportState;
}

/**
 * The highest version of every assignment reported on in the round. The
 * grouping happens in the database, so the rows are at most one per
 * assignment (805 in 2021: one page) however many versions were submitted.
 */
export async function latestInRound(roundId: string): Promise<Map<string, LatestReport>> {
  const $ = _.aggregate;
  const out = new Map<string, LatestReport>();
  for (let skip = 0; ; skip += PAGE) {
    const res = (await db
      .collection(C.reports)
      .aggregate()
      .match({ roundId })
      .sort({ assignmentId: 1, version: -1 })
      .group({ _id: '$assignmentId', reportId: $.first('$_id'), version: $.first('$version'), state: $.first('$state') })
      .sort({ _id: 1 })
      .skip(skip)
      .limit(PAGE)
      .end()) as { list: LatestRow[] };
    for (const r of res.list) out.set(r._id, { reportId: r.reportId, version: r.version, state: r.state });
    if (res.list.length < PAGE) return out;
  }
}

/** The newest review of each report (a report may be returned, resubmitted as a new version, …). */
export async function latestReviews(reportIds: readonly string[]): Promise<Map<string, ReviewDoc>> {
  const out = new Map<string, ReviewDoc>();
  if (reportIds.length === 0) return out;
  for (const r of await fetchIn<ReviewDoc>(C.reviews, 'reportId', reportIds)) {
    const seen = out.get(r.reportId);
    if (!seen || new Date(r.at).getTime() >= new Date(seen.at).getTime()) out.set(r.reportId, r);
  }
  return out;
}
