/** The linkcheck function's actions (miniprogram/shared/links-api.ts). */
import { LINKS_CHECK_MAX, type LinkHistoryEntry, type LinksResponse } from '../../../miniprogram/shared/links-api';
import { db, fetchAll, fetchIn, first } from '../../common/cloud';
import { checkView, linkStateId, stateView, type CheckRecord, type LinkStateDoc } from '../../common/domain/link-check';
import { linkProblem } from '../../common/domain/evidence';
import { ApiFailure, forbidden, invalid, notFound } from '../../common/envelope';
import { currentPlan } from '../../common/plans';
import { latestInRound } from '../../common/reports';
import type { ReportDoc, RoundDoc } from '../../common/records';
import { C } from '../../common/schema';
import { array, object, optional, planYearInput, roundIdInput, string } from '../../common/validate';
import { checkReport, checkUrl } from './check';
import type { LinksActionMap } from './router';

/** What one call may spend on fetches (the function's timeout is 60 s). */
const CALL_BUDGET_MS = 45_000;
/** A link checked this recently counts as checked by the current re-check. */
const FRESH_MS = 10 * 60 * 1000;

const reportIdInput = string({ max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '报告编号格式不正确，请刷新后重试' });

async function requireReport(reportId: string): Promise<ReportDoc> {
  const report = await first<ReportDoc>(db.collection(C.reports).where({ _id: reportId }).limit(1));
  if (!report) throw new ApiFailure('NOT_FOUND', '找不到该报送，请刷新后重试', 'reportId');
  return report;
}

/** The latest version of every assignment reported on in the scope asked for. */
async function reportsInScope(req: { reportId?: string; roundId?: string; year?: number }): Promise<ReportDoc[]> {
  if (req.reportId !== undefined) return [await requireReport(req.reportId)];
  let roundIds: string[];
  if (req.roundId !== undefined) {
    roundIds = [req.roundId];
  } else {
    const plan =
      req.year === undefined
        ? await currentPlan()
        : await first<{ _id: string }>(db.collection(C.plans).where({ year: req.year }).limit(1));
    if (!plan)
      throw req.year === undefined
        ? notFound('还没有导入任务分解表')
        : new ApiFailure('NOT_FOUND', `没有 ${req.year} 年的任务分解表`, 'year');
    roundIds = (await fetchAll<RoundDoc>(db.collection(C.rounds).where({ planId: plan._id }))).map((r) => r._id);
  }
  const latest = (await Promise.all(roundIds.map((id) => latestInRound(id)))).flatMap((m) => [...m.values()].map((l) => l.reportId));
  return fetchIn<ReportDoc>(C.reports, '_id', latest);
}

export const actions: LinksActionMap = {
  'links.check': {
    access: 'anyone',
    input: object({ urls: array(string({ max: 500, trim: true }), LINKS_CHECK_MAX) }),
    async run({ urls }, caller) {
      if (!(await caller.isAdmin())) await caller.requireActiveContact();
      urls.forEach((url, i) => {
        const problem = linkProblem(url);
        if (problem) throw invalid(`urls[${i}]`, problem);
      });
      const deadline = Date.now() + CALL_BUDGET_MS;
      const checks = await Promise.all(urls.map(async (url) => (await checkUrl(url, deadline)).record));
      return { links: checks.map(checkView) };
    },
  },

  'links.recheck': {
    access: 'admin',
    input: object({ reportId: optional(reportIdInput), roundId: optional(roundIdInput), year: optional(planYearInput) }),
    async run(req) {
      const started = Date.now();
      const deadline = started + CALL_BUDGET_MS;
      const reports = (await reportsInScope(req)).filter((r) => r.evidence.links.length > 0);
      const states = new Map(
        (
          await fetchIn<LinkStateDoc>(
            C.linkStates,
            'reportId',
            reports.map((r) => r._id),
          )
        ).map((s) => [s._id, s] as const),
      );
      const fresh = (r: ReportDoc) =>
        r.evidence.links.every((_l, i) => {
          const s = states.get(linkStateId(r._id, i));
          return s !== undefined && started - new Date(s.latest.checkedAt).getTime() < FRESH_MS;
        });
      // One report asked for is always checked again; a round or a year resumes where the last call stopped.
      const todo = reports.filter((r) => req.reportId !== undefined || !fresh(r)).sort((a, b) => a._id.localeCompare(b._id));
      const out: LinksResponse<'links.recheck'> = { checked: 0, unreachable: 0, remaining: todo.length };
      for (const report of todo) {
        if (Date.now() > deadline - 11_000) break;
        const r = await checkReport(report, 'recheck', deadline);
        out.checked += r.checked;
        out.unreachable += r.unreachable;
        out.remaining -= 1;
      }
      return out;
    },
  },

  'links.history': {
    access: 'anyone',
    input: object({ reportId: reportIdInput }),
    async run({ reportId }, caller) {
      const report = await requireReport(reportId);
      if (!(await caller.isAdmin())) {
        const { unit } = await caller.requireActiveContact();
        if (unit._id !== report.unitId) throw forbidden('只能查看本单位报送的链接');
      }
      const [states, checks] = await Promise.all([
        fetchIn<LinkStateDoc>(C.linkStates, 'reportId', [reportId]),
        fetchIn<CheckRecord & { index: number; changed: boolean; snapshotFileID?: string }>(C.linkChecks, 'reportId', [reportId]),
      ]);
      const now = new Date();
      return {
        links: report.evidence.links.map((link, index) => {
          const state = states.find((s) => s.index === index);
          const history: LinkHistoryEntry[] = checks
            .filter((c) => c.index === index)
            .sort((a, b) => new Date(a.checkedAt).getTime() - new Date(b.checkedAt).getTime())
            .map((c) => {
              const entry: LinkHistoryEntry = { ...checkView(c), sha256: c.sha256, changed: c.changed };
              if (c.snapshotFileID) entry.snapshotFileID = c.snapshotFileID;
              return entry;
            });
          return state ? { url: link.url, state: stateView(state, now), history } : { url: link.url, history };
        }),
      };
    },
  },
};
