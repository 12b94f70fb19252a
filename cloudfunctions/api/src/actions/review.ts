/**
 * The office's review of reports: the queue of latest versions awaiting
 * review, one report in full (any unit, with download links for its
 * evidence and its review history), and the decision itself.
 *
 * A decision is taken inside a transaction on the report document, so of
 * two admins deciding at once exactly one wins and the other gets CONFLICT.
 * It writes a `reviews` document (the fact a notifier reads for 退回), the
 * version's `state` and the audit entry in one commit; the report's text and
 * evidence are never touched.
 */
import type { EvidenceFileView, EvidenceInput, ReportDetailView, ReportState, ReviewQueueItem } from '../../../../miniprogram/shared/api';
import { db, fetchAll, fetchIn, first } from '../../../common/cloud';
import type { AssignmentDoc, TaskDoc } from '../../../common/domain/plan-docs';
import { stateView, type LinkStateDoc } from '../../../common/domain/link-check';
import { reviewRefusal, STATE_AFTER } from '../../../common/domain/review';
import { ApiFailure, invalid } from '../../../common/envelope';
import type { ReportDoc, ReviewDoc, RoundDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { firstChars } from '../../../common/domain/text';
import { tempUrls } from '../../../common/storage';
import { integer, object, oneOf, optional, roundIdInput, string } from '../../../common/validate';
import { fileView, iso, reportViews, reviewView } from '../report-view';
import type { ActionDef } from '../router';
import { inTransaction, txAudit, txGet } from '../../../common/transaction';

const STATES: readonly ReportState[] = ['submitted', 'returned', 'approved'];
const reportIdInput = string({ max: 200, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '报告编号格式不正确，请刷新后重试' });
const NOTE_MAX = 200;
/** Links are opened from the office's phone soon after; two hours is plenty and short-lived. */
const TEMP_URL_SECONDS = 2 * 60 * 60;
const QUEUE_DEFAULT = 50;

const reportNotFound = () => new ApiFailure('NOT_FOUND', '找不到这份报告，请刷新后重试', 'reportId');
const versionId = (r: Pick<ReportDoc, 'assignmentId' | 'roundId'>, version: number) => `${r.assignmentId}-${r.roundId}-v${version}`;

export const reviewDecide: ActionDef<'review.decide'> = {
  access: 'admin',
  input: object({
    reportId: reportIdInput,
    decision: oneOf(['approve', 'return'] as const),
    note: optional(string({ min: 0, max: NOTE_MAX })),
    expectedState: optional(oneOf(STATES)),
  }),
  async run({ reportId, decision, note = '', expectedState }, caller) {
    if (decision === 'return' && note === '') throw invalid('note', '请填写退回意见：写明需要单位补充或修改的内容');
    const byName = (await caller.contact())?.name ?? '';
    const now = new Date();
    const decided = await inTransaction(async (tx) => {
      const report = await txGet<ReportDoc>(tx, C.reports, reportId);
      if (!report) throw reportNotFound();
      // Versions have deterministic ids: the next one existing means this one is superseded.
      const next = await txGet<ReportDoc>(tx, C.reports, versionId(report, report.version + 1));
      const round = await txGet<RoundDoc>(tx, C.rounds, report.roundId);
      const refusal = reviewRefusal({
        state: report.state,
        version: report.version,
        superseded: next !== null,
        decision,
        roundStatus: round?.status ?? 'open',
        ...(expectedState === undefined ? {} : { expectedState }),
      });
      if (refusal) throw new ApiFailure(refusal.code, refusal.message);
      const state = STATE_AFTER[decision];
      // Only the state: what the unit submitted stays exactly as it was.
      await tx.collection(C.reports).doc(report._id).update({ data: { state } });
      const review: ReviewDoc = {
        reportId: report._id,
        decision,
        note,
        by: caller.openid,
        byName,
        at: now,
        assignmentId: report.assignmentId,
        planId: report.planId,
        taskNo: report.taskNo,
        unitId: report.unitId,
        roundId: report.roundId,
        version: report.version,
      };
      await tx.collection(C.reviews).add({ data: review });
      const detail: Record<string, unknown> = {
        decision,
        unitId: report.unitId,
        taskNo: report.taskNo,
        roundId: report.roundId,
        version: report.version,
      };
      if (note) detail.note = note;
      await txAudit(tx, caller.openid, 'review.decide', `report:${report._id}`, detail);
      return { ...report, state };
    });
    // Tell the unit now (best effort: never throws; the reminder timer delivers what this could not).
    // Loaded on first use: the send path stays out of the api's cold start.
    if (decision === 'return') await (await import('../../../common/notify')).notifyReturned(decided._id);
    const [view] = await reportViews([decided]);
    return view as NonNullable<typeof view>;
  },
};

type QueueDoc = Pick<
  ReportDoc,
  '_id' | 'assignmentId' | 'roundId' | 'taskNo' | 'unitId' | 'version' | 'progress' | 'submittedAt' | 'submittedByName' | 'evidence'
>;

export const reviewQueue: ActionDef<'review.queue'> = {
  access: 'admin',
  input: object({ roundId: optional(roundIdInput), limit: optional(integer(1, 100)) }),
  async run({ roundId, limit = QUEUE_DEFAULT }) {
    const where: Record<string, unknown> = { state: 'submitted' };
    if (roundId !== undefined) where.roundId = roundId;
    const candidates = await fetchAll<QueueDoc>(
      db.collection(C.reports).where(where).field({
        _id: true,
        assignmentId: true,
        roundId: true,
        taskNo: true,
        unitId: true,
        version: true,
        progress: true,
        submittedAt: true,
        submittedByName: true,
        evidence: true,
      }),
      'submittedAt',
    );
    if (candidates.length === 0) return { items: [], total: 0 };
    // A version still marked submitted is superseded when the unit submitted again since.
    const versions = await fetchIn<Pick<ReportDoc, 'assignmentId' | 'roundId' | 'version'>>(
      C.reports,
      'assignmentId',
      candidates.map((c) => c.assignmentId),
      roundId === undefined ? {} : { roundId },
      { assignmentId: true, roundId: true, version: true },
    );
    const highest = new Map<string, number>();
    for (const v of versions) {
      const key = `${v.assignmentId}|${v.roundId}`;
      highest.set(key, Math.max(highest.get(key) ?? 0, v.version));
    }
    const pending = candidates
      .filter((c) => highest.get(`${c.assignmentId}|${c.roundId}`) === c.version)
      .sort((a, b) => new Date(a.submittedAt).getTime() - new Date(b.submittedAt).getTime() || a._id.localeCompare(b._id));
    const page = pending.slice(0, limit);

    const [units, rounds, assignments] = await Promise.all([
      fetchIn<Pick<UnitDoc, '_id' | 'name'>>(
        C.units,
        '_id',
        page.map((r) => r.unitId),
        {},
        { _id: true, name: true },
      ),
      fetchIn<Pick<RoundDoc, '_id' | 'name'>>(
        C.rounds,
        '_id',
        page.map((r) => r.roundId),
        {},
        { _id: true, name: true },
      ),
      fetchIn<AssignmentDoc>(
        C.assignments,
        '_id',
        page.map((r) => r.assignmentId),
      ),
    ]);
    const tasks = await fetchIn<Pick<TaskDoc, '_id' | 'requirement'>>(
      C.tasks,
      '_id',
      assignments.map((a) => a.taskId),
      {},
      { _id: true, requirement: true },
    );
    const unitName = new Map(units.map((u) => [u._id, u.name]));
    const roundName = new Map(rounds.map((r) => [r._id, r.name]));
    const assignment = new Map(assignments.map((a) => [a._id, a]));
    const requirement = new Map(tasks.map((t) => [t._id, t.requirement]));
    const items = page.map((r): ReviewQueueItem => {
      const a = assignment.get(r.assignmentId);
      const ev = r.evidence ?? { images: [], files: [], links: [] };
      return {
        reportId: r._id,
        assignmentId: r.assignmentId,
        roundId: r.roundId,
        roundName: roundName.get(r.roundId) ?? '',
        taskId: a?.taskId ?? '',
        taskNo: r.taskNo,
        taskSummary: firstChars(requirement.get(a?.taskId ?? '') ?? '', 40),
        unitId: r.unitId,
        unitName: unitName.get(r.unitId) ?? a?.unitName ?? '',
        role: a?.role ?? 'responsible',
        version: r.version,
        progress: r.progress,
        submittedAt: iso(r.submittedAt),
        submittedByName: r.submittedByName,
        evidenceCount: (ev.images?.length ?? 0) + (ev.files?.length ?? 0) + (ev.links?.length ?? 0),
      };
    });
    return { items, total: pending.length };
  },
};

export const reportGet: ActionDef<'report.get'> = {
  access: 'admin',
  input: object({ reportId: reportIdInput }),
  async run({ reportId }) {
    const report = await first<ReportDoc>(db.collection(C.reports).where({ _id: reportId }).limit(1));
    if (!report) throw reportNotFound();
    const images = report.evidence?.images ?? [];
    const files = report.evidence?.files ?? [];
    const [assignment, round, unit, task, reviews, latest, urls, linkStates] = await Promise.all([
      first<AssignmentDoc>(db.collection(C.assignments).where({ _id: report.assignmentId }).limit(1)),
      first<RoundDoc>(db.collection(C.rounds).where({ _id: report.roundId }).limit(1)),
      first<UnitDoc>(db.collection(C.units).where({ _id: report.unitId }).limit(1)),
      first<TaskDoc>(db.collection(C.tasks).where({ planId: report.planId, no: report.taskNo }).limit(1)),
      fetchAll<ReviewDoc>(db.collection(C.reviews).where({ reportId: report._id }), 'at'),
      first<Pick<ReportDoc, 'version'>>(
        db
          .collection(C.reports)
          .where({ assignmentId: report.assignmentId, roundId: report.roundId })
          .orderBy('version', 'desc')
          .field({ version: true })
          .limit(1),
      ),
      tempUrls(
        [...images, ...files].map((f) => f.fileID),
        TEMP_URL_SECONDS,
        'report.get',
      ),
      // Written by the linkcheck function, one per link: `<reportId>-l<n>`.
      fetchAll<LinkStateDoc>(db.collection(C.linkStates).where({ reportId: report._id })),
    ]);
    const [view] = await reportViews([report], {
      units: new Map([[report.unitId, unit?.name ?? assignment?.unitName ?? '']]),
      rounds: new Map([[report.roundId, round?.name ?? '']]),
      reviews: false,
    });
    const history = [...reviews].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
    const newest = history[history.length - 1];
    const latestVersion = Math.max(latest?.version ?? report.version, report.version);
    const withUrl = (f: EvidenceInput): EvidenceFileView => ({ ...fileView(f), url: urls.get(f.fileID) ?? null });
    const detail: ReportDetailView = {
      report: { ...(view as NonNullable<typeof view>), review: newest ? reviewView(newest) : null },
      round: { id: report.roundId, name: round?.name ?? '', status: round?.status ?? 'closed' },
      task: { id: task?._id ?? assignment?.taskId ?? '', no: report.taskNo, requirement: task?.requirement ?? '' },
      role: assignment?.role ?? 'responsible',
      images: images.map(withUrl),
      files: files.map(withUrl),
      reviews: history.map(reviewView),
      linkChecks: (report.evidence?.links ?? []).map((_l, i) => {
        const state = linkStates.find((s) => s.index === i);
        return state ? stateView(state, new Date()) : null;
      }),
      latestVersion,
      reviewable: report.state === 'submitted' && latestVersion === report.version,
    };
    return detail;
  },
};
