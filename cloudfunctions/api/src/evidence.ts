/**
 * Uploaded evidence: checking that the files a report names are in storage
 * as reported (size, and a picture for a photo), and the `evidence`
 * collection (one document per file) the office exports from. The report
 * itself keeps the authoritative list; a new report and its evidence
 * documents are written in one transaction. Evidence ids derive from the
 * report, so writing them twice is harmless and a retried submit can
 * complete a set a version without that transaction left incomplete.
 */
import crypto from 'crypto';
import http from 'http';
import https from 'https';
import { REPORT_LIMITS } from '../../../miniprogram/shared/api';
import { cloud, db, isDuplicateKey, rows } from '../../common/cloud';
import { SNIFF_BYTES, evidenceCopyPath, isPicture, storedSizeProblem } from '../../common/domain/evidence';
import { ApiFailure, invalid } from '../../common/envelope';
import type { ReportDoc, StoredEvidence } from '../../common/records';
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
  /** Hex sha256 of the copy (absent on reports from before copies were taken). */
  sha256?: string;
  /** The contact's upload the copy was taken from. */
  sourceFileID?: string;
}

/**
 * Reading a file's first bytes from storage: a stalled answer must not eat
 * the function's 20 s. Half of it: storage answers in well under a second,
 * and the local cloud under `npm run soak` load (where storage shares the
 * functions' one process) needed more than 5 s at its slowest.
 */
const PROBE_TIMEOUT_MS = 10_000;

/** A file a report names, with what the client says about it. */
export interface ClaimedFile {
  fileID: string;
  size: number;
  kind: EvidenceDoc['kind'];
  /** Where the item sits in the input, e.g. `images[0]`: refusals name `<at>.fileID` / `<at>.size`. */
  at: string;
}

const unverifiable = () => new ApiFailure('INTERNAL', '暂时无法核对附件，请稍后重新提交');
const missingFile = (at: string) => invalid(`${at}.fileID`, '附件没有上传成功或已被删除，请重新上传');

/** fileID → temporary link for every file storage has. */
async function tempUrls(items: readonly ClaimedFile[]): Promise<Map<string, string>> {
  const batches: ClaimedFile[][] = [];
  for (let i = 0; i < items.length; i += TEMP_URL_BATCH) batches.push(items.slice(i, i + TEMP_URL_BATCH));
  const results = await Promise.all(
    batches.map(async (batch) => {
      try {
        // A short maxAge: the link is only used right now, to read the file's start.
        return await tempUrlBatch(
          batch.map((b) => b.fileID),
          60,
        );
      } catch {
        throw unverifiable();
      }
    }),
  );
  const urls = new Map<string, string>();
  for (const f of results.flat()) if (f.url) urls.set(f.fileID, f.url);
  return urls;
}

interface Stored {
  size: number;
  head: Buffer;
}

/** The total size from `Content-Range: bytes 0-15/12345` (or `bytes *\/0`). */
function totalOf(range: string | undefined): number | undefined {
  const m = /\/(\d+)\s*$/.exec(range ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * What storage holds at a temporary link: its size and first bytes, read
 * with one ranged GET (the link is signed for GET; the official SDK reads
 * sizes from the same links). `null` when the file is gone.
 */
function readStored(url: string): Promise<Stored | null> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const get = u.protocol === 'https:' ? https.get : http.get;
    const req = get(u, { headers: { Range: `bytes=0-${SNIFF_BYTES - 1}` } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status === 404) {
        res.resume();
        return resolve(null);
      }
      if (status === 416) {
        // Nothing to read: an empty file.
        res.resume();
        return resolve({ size: totalOf(res.headers['content-range']) ?? 0, head: Buffer.alloc(0) });
      }
      if (status !== 200 && status !== 206) {
        res.resume();
        return reject(new Error(`storage answered ${status}`));
      }
      const declared = status === 206 ? totalOf(res.headers['content-range']) : Number(res.headers['content-length'] ?? NaN);
      const chunks: Buffer[] = [];
      let got = 0;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        res.destroy();
        const head = Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
        // Without a declared size (a chunked 200), what was read counts; it stops past the limit.
        resolve({ size: declared !== undefined && Number.isFinite(declared) ? declared : got, head });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        got += chunk.length;
        const known = declared !== undefined && Number.isFinite(declared);
        if ((known && got >= SNIFF_BYTES) || got > REPORT_LIMITS.fileBytes) finish();
      });
      res.on('end', finish);
      res.on('error', (err) => (settled ? undefined : reject(err)));
    });
    req.setTimeout(PROBE_TIMEOUT_MS, () => req.destroy(new Error('storage did not answer in time')));
    req.on('error', reject);
  });
}

/**
 * Refuses, naming the field, the first file storage does not have, holds at
 * another size than reported or above the limit, or — for a photo — holds
 * something that is not a picture. Writes nothing.
 */
export async function requireStoredFiles(items: readonly ClaimedFile[]): Promise<void> {
  const urls = await tempUrls(items);
  const missing = items.find((item) => !urls.has(item.fileID));
  if (missing) throw missingFile(missing.at);
  const stored = await Promise.all(items.map((item) => readStored(urls.get(item.fileID) as string).catch(() => undefined)));
  items.forEach((item, i) => {
    const file = stored[i];
    if (file === undefined) throw unverifiable();
    if (file === null) throw missingFile(item.at);
    const sizeProblem = storedSizeProblem(item.size, file.size);
    if (sizeProblem) throw invalid(`${item.at}.size`, sizeProblem);
    if (item.kind === 'image' && !isPicture(file.head)) throw invalid(`${item.at}.fileID`, '这张照片不是有效的图片文件，请删除后重新选择');
  });
}

export function evidenceDocs(report: ReportDoc): EvidenceDoc[] {
  const doc = (f: StoredEvidence, kind: EvidenceDoc['kind'], i: number): EvidenceDoc => ({
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
    ...(f.sha256 === undefined ? {} : { sha256: f.sha256 }),
    ...(f.sourceFileID === undefined ? {} : { sourceFileID: f.sourceFileID }),
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

/** Files copied at the same time by one submit. */
const COPY_CONCURRENCY = 3;

/** `work` over `items`, at most `size` at a time, results in order; the first failure fails the whole. */
async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)))));
  }
  return out;
}

/** A file taken into the server's evidence folder: the copy every later read uses. */
export interface CopiedFile {
  /** The copy under `evidence/…`, which no client can write. */
  fileID: string;
  /** The contact's upload it was taken from. */
  sourceFileID: string;
  size: number;
  /** Hex sha256 of the bytes at submit: the archive and audits can show the file is unchanged. */
  sha256: string;
}

/**
 * Downloads each claimed file and uploads its bytes under `folder` with the
 * server SDK (not subject to storage rules; clients cannot write there).
 * The bytes are checked again as read, so a file swapped between the probe
 * and the copy is refused, not copied. Each attempt writes fresh names
 * (`token`): a copy left by an attempt that never became a report is an
 * orphan nothing refers to, never a file a report shows.
 */
export async function copyEvidence(
  items: readonly (ClaimedFile & { name: string })[],
  folder: string,
  token: string,
): Promise<Map<string, CopiedFile>> {
  // A few at a time: up to 14 files of 20 MB each must not all sit in memory at once.
  const copies = await inBatches(items, COPY_CONCURRENCY, async (item, i) => {
    let bytes: Buffer;
    try {
      bytes = ((await cloud.downloadFile({ fileID: item.fileID })) as { fileContent: Buffer }).fileContent;
    } catch {
      throw unverifiable();
    }
    const sizeProblem = storedSizeProblem(item.size, bytes.length);
    if (sizeProblem) throw invalid(`${item.at}.size`, sizeProblem);
    if (item.kind === 'image' && !isPicture(bytes.subarray(0, SNIFF_BYTES))) {
      throw invalid(`${item.at}.fileID`, '这张照片不是有效的图片文件，请删除后重新选择');
    }
    let fileID: string;
    try {
      const res = (await cloud.uploadFile({ cloudPath: evidenceCopyPath(folder, i + 1, token, item.name), fileContent: bytes })) as {
        fileID: string;
      };
      fileID = res.fileID;
    } catch {
      throw new ApiFailure('INTERNAL', '暂时无法保存附件，请稍后重新提交');
    }
    const copy: CopiedFile = {
      fileID,
      sourceFileID: item.fileID,
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    };
    return copy;
  });
  return new Map(copies.map((c) => [c.sourceFileID, c]));
}
