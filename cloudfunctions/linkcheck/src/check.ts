/**
 * Checks the links of one report and records what was found: one
 * `link_checks` document per check (the history, never changed), the link's
 * `link_states` document (its standing over all checks, for reviewers, the
 * overview and the ledger) and, for a page that opened, a text snapshot in
 * storage beside the report's evidence.
 */
import { LINK_FETCH } from '../../common/domain/link-page';
import { checkRecord, linkStateId, nextLinkState, snapshotText, type CheckRecord, type LinkStateDoc } from '../../common/domain/link-check';
import { cloud } from '../../common/cloud';
import { fetchLink } from '../../common/link-fetch';
import type { ReportDoc } from '../../common/records';
import { C } from '../../common/schema';
import { inTransaction, txGet, txPut } from '../../common/transaction';

export type CheckTrigger = 'submit' | 'recheck';

/** The office's own trusted domains (a unit's column on a platform), from the function's environment. */
export function officeDomains(): string[] {
  return (process.env.LINK_OFFICE_DOMAINS ?? '')
    .split(/[,，\s]+/)
    .map((d) => d.trim())
    .filter((d) => d !== '');
}

/** Fetches one URL within the time left and concludes; never throws. */
export async function checkUrl(url: string, deadline: number): Promise<{ record: CheckRecord; body: Uint8Array }> {
  const timeoutMs = Math.max(1, Math.min(LINK_FETCH.timeoutMs, deadline - Date.now()));
  const fetched = await fetchLink(url, { timeoutMs });
  return { record: checkRecord(url, fetched, officeDomains(), new Date()), body: fetched.body };
}

async function keepSnapshot(report: ReportDoc, index: number, check: CheckRecord, body: Uint8Array): Promise<string | undefined> {
  const text = snapshotText(check, body);
  if (text === null) return undefined;
  // Named by content: the same page checked twice is one file; a changed page is a new one, both kept.
  const cloudPath = `evidence/${report.unitId}/links/${report._id}/${index + 1}-${check.sha256.slice(0, 16)}.txt`;
  const res = (await cloud.uploadFile({ cloudPath, fileContent: Buffer.from(text, 'utf8') })) as { fileID: string };
  return res.fileID;
}

/** Checks every link of `report` (in parallel) and records the results; returns how many did not open. */
export async function checkReport(
  report: ReportDoc,
  trigger: CheckTrigger,
  deadline: number,
): Promise<{ checked: number; unreachable: number }> {
  const links = report.evidence.links;
  const results = await Promise.all(
    links.map(async (link, index) => {
      const { record, body } = await checkUrl(link.url, deadline);
      const snapshotFileID = await keepSnapshot(report, index, record, body);
      await recordCheck(report, index, record, trigger, snapshotFileID);
      return record.reachable;
    }),
  );
  return { checked: results.length, unreachable: results.filter((r) => !r).length };
}

async function recordCheck(report: ReportDoc, index: number, record: CheckRecord, trigger: CheckTrigger, snapshotFileID?: string) {
  const id = linkStateId(report._id, index);
  const scope = {
    reportId: report._id,
    assignmentId: report.assignmentId,
    planId: report.planId,
    roundId: report.roundId,
    taskNo: report.taskNo,
    unitId: report.unitId,
  };
  // The state and its history entry land together; a concurrent check of the same link retries on the new state.
  await inTransaction(async (tx) => {
    const prev = await txGet<LinkStateDoc>(tx, C.linkStates, id);
    const next = nextLinkState(prev ?? undefined, index, record, snapshotFileID);
    await txPut<LinkStateDoc>(tx, C.linkStates, { _id: id, ...scope, ...next });
    const changed = record.reachable && prev?.latest.reachable === true && prev.latest.sha256 !== record.sha256;
    const entry: Record<string, unknown> = { ...scope, index, trigger, ...record, changed };
    if (snapshotFileID) entry.snapshotFileID = snapshotFileID;
    await tx.collection(C.linkChecks).add({ data: entry });
  });
}
