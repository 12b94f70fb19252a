/**
 * Submitting a report (a new version every time; earlier ones are never
 * touched) and reading the unit's latest one. Everything is checked before
 * anything is written: the assignment is the caller's unit's, the round is
 * open and asks about the task, every field is within limits, and every
 * file is the unit's own upload, really exists, and is what the report says
 * (its size, its type). Then the files are copied into the report's own
 * evidence folder, which only functions write, and the report names the
 * copies (with size and sha256). The new version and its evidence documents are
 * written in one transaction: a crash leaves both or neither.
 *
 * Idempotency: `requestKey = <openid>:<requestId>` is unique: the version
 * commits together with a `requests` document whose `_id` is a hash of
 * the key, so of two simultaneous copies the second commit fails (even
 * when it picked another version number) and returns the first; a retried
 * submit finds the first result. No console index is involved.
 * Versions: a report's _id is `<assignmentId>-<roundId>-v<version>`, so two
 * different submits racing for the same version number collide on _id (no
 * console index needed) and the loser retries with the next number.
 */
import type { EvidenceInput, LinkInput, ReportView, SubmitReportInput } from '../../../../miniprogram/shared/api';
import { REPORT_LIMITS } from '../../../../miniprogram/shared/api';
import crypto from 'crypto';
import { cloud, db, first, isDuplicateKey } from '../../../common/cloud';
import {
  evidenceFolder,
  fileIdProblem,
  fileNameProblem,
  imageNameProblem,
  linkProblem,
  sizeProblem,
  storedNameProblem,
} from '../../../common/domain/evidence';
import type { AssignmentDoc } from '../../../common/domain/plan-docs';
import { roundCoversTask } from '../../../common/domain/rounds';
import { ApiFailure, conflict, forbidden, invalid } from '../../../common/envelope';
import type { ReportDoc, RequestDoc, RoundDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { array, integer, object, oneOf, optional, string, type Validator } from '../../../common/validate';
import { copyEvidence, evidenceDocs, repairEvidence, requireStoredFiles, type ClaimedFile, type CopiedFile } from '../evidence';
import { reportViews } from '../report-view';
import type { ActionDef } from '../router';
import type { Caller } from '../../../common/context';
import { inTransaction } from '../../../common/transaction';

/** Attempts at the next version number when other submits keep taking it. */
const VERSION_ATTEMPTS = 5;

const id = string({ max: 128 });

const evidenceItem = object({
  fileID: string({ max: 1000 }),
  name: string({ max: 100 }),
  size: integer(0, Number.MAX_SAFE_INTEGER),
});

/** A photo or a file from a chat: the name's extension must be one the office can open, the size within the limit. */
const itemOf =
  (nameProblem: (name: string) => string | null): Validator<EvidenceInput> =>
  (value, path) => {
    const item = evidenceItem(value, path);
    const problem = nameProblem(item.name);
    if (problem) throw invalid(`${path}.name`, problem);
    const tooBig = sizeProblem(item.size);
    if (tooBig) throw invalid(`${path}.size`, tooBig);
    return item;
  };
const imageItem = itemOf(imageNameProblem);
const fileItem = itemOf(fileNameProblem);

const linkItem: Validator<LinkInput> = (value, path) => {
  const item = object({ url: string({ max: 2000 }), title: optional(string({ max: 50 })) })(value, path);
  const problem = linkProblem(item.url);
  if (problem) throw invalid(`${path}.url`, problem);
  return item.title === undefined ? { url: item.url } : { url: item.url, title: item.title };
};

const listOf = <T>(item: Validator<T>, max: number): Validator<T[]> => {
  const list = array(item, max);
  return (value, path) => (value === undefined || value === null ? [] : list(value, path));
};

/** 保密审查: the notice requires a secrecy review of everything published. */
const secrecyConfirmed: Validator<true> = (value, path) => {
  if (value !== true) throw invalid(path, '请先确认报送材料已经过保密审查，再提交');
  return true;
};

const submitInput: Validator<SubmitReportInput> = object({
  assignmentId: id,
  roundId: id,
  text: string({ max: REPORT_LIMITS.text }),
  progress: oneOf(['ongoing', 'done'] as const),
  images: listOf(imageItem, REPORT_LIMITS.images),
  files: listOf(fileItem, REPORT_LIMITS.files),
  links: listOf(linkItem, REPORT_LIMITS.links),
  secrecyConfirmed,
  requestId: string({ min: 8, max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '请求编号格式不正确，请刷新页面后重试' }),
});

const byRequestKey = (key: string) => first<ReportDoc>(db.collection(C.reports).where({ requestKey: key }).limit(1));

/** The caller's unit's assignment, or the refusal that fits. */
function ownAssignment(a: AssignmentDoc | undefined, unit: UnitDoc): AssignmentDoc {
  if (!a) throw new ApiFailure('NOT_FOUND', '没有找到这项任务分工，请返回任务列表刷新', 'assignmentId');
  if (a.unitId !== unit._id) throw forbidden('这项任务分工不属于本单位，不能代为报送');
  return a;
}

async function viewOf(report: ReportDoc, unit: UnitDoc, fresh?: RoundDoc): Promise<ReportView> {
  const known = {
    units: new Map([[unit._id, unit.name]]),
    rounds: fresh ? new Map([[fresh._id, fresh.name]]) : undefined,
    reviews: !fresh,
  };
  const [view] = await reportViews([report], known);
  return view as ReportView;
}

/** The first result of a retried submit; refuses a request id reused for another task or round. */
async function duplicateOf(existing: ReportDoc, input: SubmitReportInput, unit: UnitDoc) {
  if (existing.assignmentId !== input.assignmentId || existing.roundId !== input.roundId) {
    throw invalid('requestId', '请求编号已用于另一次报送，请刷新页面后重新提交');
  }
  await repairEvidence(existing);
  return { report: await viewOf(existing, unit), duplicate: true };
}

/** Every fileID must be the caller's own upload for this unit in this environment, named like the file; then storage must hold it as reported. */
async function checkFiles(input: SubmitReportInput, unitId: string): Promise<(ClaimedFile & { name: string })[]> {
  const { ENV: env, OPENID: openid } = cloud.getWXContext();
  const items: (ClaimedFile & { name: string })[] = [
    ...input.images.map((f, i) => ({ ...f, kind: 'image' as const, at: `images[${i}]` })),
    ...input.files.map((f, i) => ({ ...f, kind: 'file' as const, at: `files[${i}]` })),
  ];
  const seen = new Set<string>();
  for (const item of items) {
    const field = `${item.at}.fileID`;
    const problem =
      fileIdProblem(item.fileID, unitId, openid ?? '', typeof env === 'string' && env !== '' ? env : undefined) ??
      storedNameProblem(item.fileID, item.name);
    if (problem) throw invalid(field, problem);
    if (seen.has(item.fileID)) throw invalid(field, '同一个附件添加了两次，请删除重复的一个');
    seen.add(item.fileID);
  }
  if (items.length) await requireStoredFiles(items);
  return items;
}

/**
 * The report's files as copies in its evidence folder, with size and
 * sha256: what the contact does to the uploads afterwards changes nothing.
 * Their uploads stay where they are (the contact may reuse one in the next
 * version, and deleting would fail the submit on a storage error for no
 * gain); nothing reads them once the report exists.
 */
async function takeEvidence(input: SubmitReportInput, items: (ClaimedFile & { name: string })[], unitId: string, requestKey: string) {
  const folder = evidenceFolder(unitId, crypto.createHash('sha256').update(requestKey).digest('hex').slice(0, 24));
  const copies = await copyEvidence(items, folder, crypto.randomBytes(4).toString('hex'));
  const take = (f: EvidenceInput): ReportDoc['evidence']['images'][number] => {
    const copy = copies.get(f.fileID) as CopiedFile;
    return { fileID: copy.fileID, name: f.name, size: copy.size, sha256: copy.sha256, sourceFileID: f.fileID };
  };
  return { images: input.images.map(take), files: input.files.map(take), links: input.links };
}

/** The `requests` document that makes a request key usable once. */
export const requestGuardId = (requestKey: string) => `report-${crypto.createHash('sha256').update(requestKey).digest('hex').slice(0, 32)}`;

/** The version, its request guard and its evidence documents, all or nothing. */
async function insertWithEvidence(report: ReportDoc): Promise<void> {
  await inTransaction(async (tx) => {
    const guard: RequestDoc = { _id: requestGuardId(report.requestKey), kind: 'report.submit', ref: report._id, at: report.submittedAt };
    await tx.collection(C.requests).add({ data: guard });
    await tx.collection(C.reports).add({ data: report });
    // One at a time: a transaction's requests share one session.
    for (const doc of evidenceDocs(report)) await tx.collection(C.evidence).add({ data: doc });
  });
}

async function insertNextVersion(draft: Omit<ReportDoc, '_id' | 'version'>): Promise<{ report: ReportDoc; duplicate: boolean }> {
  for (let attempt = 0; attempt < VERSION_ATTEMPTS; attempt++) {
    const last = await first<Pick<ReportDoc, 'version'>>(
      db
        .collection(C.reports)
        .where({ assignmentId: draft.assignmentId, roundId: draft.roundId })
        .orderBy('version', 'desc')
        .field({ version: true })
        .limit(1),
    );
    const version = (last?.version ?? 0) + 1;
    const report: ReportDoc = { _id: `${draft.assignmentId}-${draft.roundId}-v${version}`, ...draft, version };
    try {
      await insertWithEvidence(report);
      return { report, duplicate: false };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Either a copy of this very request got in first, or another submit took the version.
      const earlier = await byRequestKey(draft.requestKey);
      if (earlier) return { report: earlier, duplicate: true };
    }
  }
  throw conflict('同时提交的人较多，请稍后再提交一次');
}

export const reportSubmit: ActionDef<'report.submit'> = {
  access: 'anyone',
  input: submitInput,
  async run(input, caller) {
    const { contact, unit } = await caller.requireActiveContact();
    const requestKey = `${caller.openid}:${input.requestId}`;
    const [existing, assignmentDoc, round] = await Promise.all([
      byRequestKey(requestKey),
      first<AssignmentDoc>(db.collection(C.assignments).where({ _id: input.assignmentId }).limit(1)),
      first<RoundDoc>(db.collection(C.rounds).where({ _id: input.roundId }).limit(1)),
    ]);
    // A retry returns the first result even if the round closed in between.
    if (existing) return duplicateOf(existing, input, unit);

    const assignment = ownAssignment(assignmentDoc, unit);
    if (!round || round.planId !== assignment.planId)
      throw new ApiFailure('NOT_FOUND', '没有找到这个报送轮次，请返回任务列表刷新', 'roundId');
    if (!roundCoversTask(round, assignment.taskNo)) throw invalid('roundId', '本轮不需要报送这项任务');
    if (round.status !== 'open') throw new ApiFailure('ROUND_CLOSED', `「${round.name}」已结束报送，如需补报请联系政务公开科`, 'roundId');
    const files = await checkFiles(input, unit._id);
    const evidence = await takeEvidence(input, files, unit._id, requestKey);

    const { report, duplicate } = await insertNextVersion({
      assignmentId: assignment._id,
      planId: assignment.planId,
      taskNo: assignment.taskNo,
      unitId: unit._id,
      roundId: round._id,
      text: input.text,
      progress: input.progress,
      evidence,
      secrecyConfirmed: true,
      state: 'submitted',
      submittedBy: caller.openid,
      submittedByName: contact.name,
      submittedAt: new Date(),
      requestKey,
    });
    if (duplicate) return duplicateOf(report, input, unit);
    return { report: await viewOf(report, unit, round), duplicate: false };
  },
};

export const reportLatest: ActionDef<'report.latest'> = {
  access: 'anyone',
  input: object({ assignmentId: id }),
  async run({ assignmentId }, caller: Caller) {
    const { unit } = await caller.requireActiveContact();
    const assignment = ownAssignment(await first<AssignmentDoc>(db.collection(C.assignments).where({ _id: assignmentId }).limit(1)), unit);
    const latest = await first<ReportDoc>(
      db.collection(C.reports).where({ assignmentId: assignment._id }).orderBy('submittedAt', 'desc').orderBy('version', 'desc').limit(1),
    );
    return latest ? viewOf(latest, unit) : null;
  },
};
