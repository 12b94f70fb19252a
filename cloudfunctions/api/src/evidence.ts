/**
 * Uploaded evidence: checking that the files a report names exist in
 * storage, and the `evidence` collection (one document per file) the office
 * exports from. The report itself keeps the authoritative list; evidence
 * documents have ids derived from the report so writing them twice is
 * harmless and a retried submit can complete a set interrupted earlier.
 */
import type { EvidenceInput } from '../../../miniprogram/shared/api';
import { db, isDuplicateKey, rows } from '../../common/cloud';
import { ApiFailure, invalid } from '../../common/envelope';
import type { ReportDoc } from '../../common/records';
import { C } from '../../common/schema';
import { TEMP_URL_BATCH, tempUrlBatch } from '../../common/storage';

export interface EvidenceDoc {
  _id: string;
  fileID: string;
  name: string;
  size: number;
  kind: 'image' | 'file';
  unitId: string;
  reportId: string;
  /** Where the file belongs, so the archive can be cut by task / unit / round without joins. */
  planId: string;
  taskNo: number;
  assignmentId: string;
  roundId: string;
  uploadedBy: string;
  /** The submit time: when the file became evidence (storage keeps the upload time). */
  uploadedAt: Date;
}

/** Refuses, naming the field, the first file storage does not have. Writes nothing. */
export async function requireFilesExist(items: readonly { fileID: string; field: string }[]): Promise<void> {
  const batches: { fileID: string; field: string }[][] = [];
  for (let i = 0; i < items.length; i += TEMP_URL_BATCH) batches.push(items.slice(i, i + TEMP_URL_BATCH));
  const results = await Promise.all(
    batches.map(async (batch) => {
      try {
        // A short maxAge: we only ask whether the file is there.
        return await tempUrlBatch(
          batch.map((b) => b.fileID),
          60,
        );
      } catch {
        throw new ApiFailure('INTERNAL', '暂时无法核对附件，请稍后重新提交');
      }
    }),
  );
  const found = new Set(
    results
      .flat()
      .filter((f) => f.status === 0)
      .map((f) => f.fileID),
  );
  const missing = items.find((b) => !found.has(b.fileID));
  if (missing) throw invalid(missing.field, '附件没有上传成功或已被删除，请重新上传');
}

export function evidenceDocs(report: ReportDoc): EvidenceDoc[] {
  const doc = (f: EvidenceInput, kind: EvidenceDoc['kind'], i: number): EvidenceDoc => ({
    _id: `${report._id}-${kind === 'image' ? 'i' : 'f'}${i + 1}`,
    fileID: f.fileID,
    name: f.name,
    size: f.size,
    kind,
    unitId: report.unitId,
    reportId: report._id,
    planId: report.planId,
    taskNo: report.taskNo,
    assignmentId: report.assignmentId,
    roundId: report.roundId,
    uploadedBy: report.submittedBy,
    uploadedAt: report.submittedAt,
  });
  return [...report.evidence.images.map((f, i) => doc(f, 'image', i)), ...report.evidence.files.map((f, i) => doc(f, 'file', i))];
}

/** Writes the report's evidence documents that are not there yet. */
export async function saveEvidence(report: ReportDoc, existing?: readonly string[]): Promise<void> {
  const have = new Set(existing);
  const docs = evidenceDocs(report).filter((d) => !have.has(d._id));
  if (docs.length === 0) return;
  try {
    await db.collection(C.evidence).add({ data: docs });
  } catch (err) {
    // A simultaneous retry wrote them first: they are the same documents.
    if (!isDuplicateKey(err)) throw err;
  }
}

/** For a retried submit: completes the evidence of a report whose first attempt stopped half-way. */
export async function repairEvidence(report: ReportDoc): Promise<void> {
  if (report.evidence.images.length + report.evidence.files.length === 0) return;
  const present = await rows<{ _id: string }>(db.collection(C.evidence).where({ reportId: report._id }).field({ _id: true }).limit(100));
  await saveEvidence(
    report,
    present.map((d) => d._id),
  );
}
