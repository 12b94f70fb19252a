/**
 * Reading reports for the contact's pages: the views, the reviews behind
 * them and the names they show, each loaded with a fixed number of
 * requests whatever the number of reports.
 */
import type { EvidenceInput, ReportView, ReviewView } from '../../../miniprogram/shared/api';
import { fetchIn } from '../../common/cloud';
import { latestReviews } from '../../common/reports';
import type { ReportDoc, ReviewDoc, RoundDoc, UnitDoc } from '../../common/records';
import { C } from '../../common/schema';

export const iso = (d: Date | string): string => new Date(d).toISOString();

export function reviewView(r: ReviewDoc): ReviewView {
  return { decision: r.decision, note: r.note, by: r.byName, at: iso(r.at) };
}

export interface KnownNames {
  /** unitId → name */
  units?: Map<string, string>;
  /** roundId → name */
  rounds?: Map<string, string>;
  /** False for a version written just now: it cannot have a review yet. */
  reviews?: boolean;
}

/**
 * Views of `docs`, in the same order. Reviews come in one request; unit and
 * round names the caller does not already know in one request each.
 */
export async function reportViews(docs: readonly ReportDoc[], known: KnownNames = {}): Promise<ReportView[]> {
  if (docs.length === 0) return [];
  const units = new Map(known.units);
  const rounds = new Map(known.rounds);
  const missingUnits = docs.map((d) => d.unitId).filter((id) => !units.has(id));
  const missingRounds = docs.map((d) => d.roundId).filter((id) => !rounds.has(id));
  const [reviews, unitDocs, roundDocs] = await Promise.all([
    known.reviews === false ? new Map<string, ReviewDoc>() : latestReviews(docs.map((d) => d._id)),
    missingUnits.length ? fetchIn<UnitDoc>(C.units, '_id', missingUnits) : [],
    missingRounds.length ? fetchIn<RoundDoc>(C.rounds, '_id', missingRounds) : [],
  ]);
  for (const u of unitDocs) units.set(u._id, u.name);
  for (const r of roundDocs) rounds.set(r._id, r.name);
  return docs.map((d) => {
    const review = reviews.get(d._id);
    return {
      id: d._id,
      assignmentId: d.assignmentId,
      unitId: d.unitId,
      unitName: units.get(d.unitId) ?? '',
      roundId: d.roundId,
      roundName: rounds.get(d.roundId) ?? '',
      version: d.version,
      text: d.text,
      progress: d.progress,
      evidence: {
        images: (d.evidence?.images ?? []).map(fileView),
        files: (d.evidence?.files ?? []).map(fileView),
        links: d.evidence?.links ?? [],
      },
      state: d.state,
      submittedAt: iso(d.submittedAt),
      submittedByName: d.submittedByName,
      review: review ? reviewView(review) : null,
    };
  });
}

/** Newest first: by submit time, then version (two versions in one millisecond stay ordered). */
export function newestFirst(a: ReportDoc, b: ReportDoc): number {
  return new Date(b.submittedAt).getTime() - new Date(a.submittedAt).getTime() || b.version - a.version;
}

/** What a client sees of a stored file: the copy's fileID, the name and size (the hash and the upload it came from stay server-side). */
export const fileView = (f: { fileID: string; name: string; size: number }): EvidenceInput => ({
  fileID: f.fileID,
  name: f.name,
  size: f.size,
});
