/**
 * ledger.archive: the evidence of a year or one round as one .zip, a
 * folder per task / unit / round (`第02项/市司法局/第一季度/…`) holding the
 * files of the latest report there (the versions the ledger shows), plus
 * 索引.xlsx listing every file and link and what became of it.
 *
 * Memory stays flat however many files there are: reports are read a page
 * at a time, temporary links fetched 50 at a time, a few files download at
 * once (in memory up to 1 MB each, larger ones into the call's temp folder),
 * each goes into the zip (itself a temp file) and is let go, and the index
 * is written row by row. A file storage cannot deliver is
 * listed in the index as missing, never a failure of the whole archive.
 * The platform's limits (60 s, a few hundred MB of /tmp) are respected by
 * a time and size budget: files past it are listed as not packed, with
 * the advice to export one round at a time.
 */
import archiver from 'archiver';
import fs from 'fs';
import fsp from 'fs/promises';
import path from 'path';
import { Readable } from 'stream';
import type { LedgerArchiveResult } from '../../../../miniprogram/shared/ledger-api';
import { audit } from '../../../common/audit';
import { db, fetchAll, fetchIn } from '../../../common/cloud';
import { linkStateId, linkSummary, linkTitle, type LinkStateDoc } from '../../../common/domain/link-check';
import { HOST_KIND_TEXT } from '../../../common/domain/link-page';
import { fileExtension } from '../../../common/domain/evidence';
import type { AssignmentDoc } from '../../../common/domain/plan-docs';
import type { ReportDoc, UnitDoc } from '../../../common/records';
import { latestInRound } from '../../../common/reports';
import { C } from '../../../common/schema';
import { TEMP_URL_BATCH, tempUrlBatch } from '../../../common/storage';
import { DownloadError, download, publish, safeName, SpillSink, TooLargeError, withTempDir } from '../files';
import type { LedgerActionDef } from '../router';
import { evidenceFolder, fileTitle, resolveScope, scopeInput, storagePath, type Scope } from '../scope';
import { quotePrefixPackage } from '../quote-prefix';
import { addSheet, newWriter, rowHeight, writeHeader, writeLink, writeRow, writeTitle, type Column, type Sheet, type Value } from '../xlsx';

const OVER_BUDGET = '未打包：超出单次打包的时间或大小上限，请按报送轮次分别导出';
/** A download up to this size stays in memory; a larger one goes to the call's temp folder first. */
const IN_MEMORY_BYTES = 1024 * 1024;

/** Already compressed: stored as they are, which is faster and no larger. */
const STORED = new Set([
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'heic',
  'mp4',
  'mov',
  'zip',
  'rar',
  '7z',
  'gz',
  'docx',
  'xlsx',
  'pptx',
  'pdf',
]);

interface Budget {
  concurrency: number;
  deadline: number;
  maxBytes: number;
}

/** Limits from the function's environment (云开发 console), with defaults that fit the platform. */
function budget(started: number): Budget {
  const num = (name: string, fallback: number) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    concurrency: Math.min(16, Math.floor(num('LEDGER_ARCHIVE_CONCURRENCY', 6))),
    deadline: started + num('LEDGER_ARCHIVE_BUDGET_MS', 45_000),
    maxBytes: num('LEDGER_ARCHIVE_MAX_BYTES', 400 * 1024 * 1024),
  };
}

interface Item {
  kind: 'file';
  taskNo: number;
  unitName: string;
  roundName: string;
  type: '图片' | '文件' | '快照';
  name: string;
  size: number;
  fileID: string;
  /** Path inside the zip. */
  entry: string;
}
interface Link {
  kind: 'link';
  taskNo: number;
  unitName: string;
  roundName: string;
  title: string;
  url: string;
  /** What the link check found (「6月30日可以打开（政府网站）」), or that it was never checked. */
  check: string;
}

/** A snapshot is a few hundred KB at most (the page's text, from at most 1 MB fetched): budgeted at that. */
const SNAPSHOT_BUDGET_BYTES = 256 * 1024;

/** Where one report's evidence goes. */
interface ReportRef {
  id: string;
  taskNo: number;
  unitId: string;
  unitName: string;
  roundName: string;
}

/** Reports read per request while packing: the evidence lists of a page at a time are in memory. */
const REPORT_PAGE = 50;

/** The latest report of each assignment in each round in scope, in folder order (task, unit, round). */
async function reportRefs(scope: Scope): Promise<ReportRef[]> {
  const [units, assignments, perRound] = await Promise.all([
    fetchAll<Pick<UnitDoc, '_id' | 'name' | 'order'>>(db.collection(C.units).field({ _id: true, name: true, order: true })),
    fetchAll<Pick<AssignmentDoc, '_id' | 'taskNo' | 'unitId'>>(
      db.collection(C.assignments).where({ planId: scope.plan._id }).field({ _id: true, taskNo: true, unitId: true }),
    ),
    Promise.all(scope.rounds.map((r) => latestInRound(r._id))),
  ]);
  const unitOf = new Map(units.map((u) => [u._id, u]));
  const assignmentOf = new Map(assignments.map((a) => [a._id, a]));
  const refs: (ReportRef & { unitOrder: number; roundOrder: number })[] = [];
  perRound.forEach((latest, roundOrder) => {
    const roundName = scope.rounds[roundOrder]?.name ?? '';
    for (const [assignmentId, l] of latest) {
      const a = assignmentOf.get(assignmentId);
      if (!a) continue;
      const unit = unitOf.get(a.unitId);
      refs.push({
        id: l.reportId,
        taskNo: a.taskNo,
        unitId: a.unitId,
        unitName: unit?.name ?? a.unitId,
        roundName,
        unitOrder: unit?.order ?? Number.MAX_SAFE_INTEGER,
        roundOrder,
      });
    }
  });
  return refs.sort(
    (a, b) => a.taskNo - b.taskNo || a.unitOrder - b.unitOrder || a.unitId.localeCompare(b.unitId) || a.roundOrder - b.roundOrder,
  );
}

/** The files and links of `refs`' reports, read a page of reports at a time. */
async function* evidenceOf(refs: readonly ReportRef[], top: string): AsyncGenerator<Item | Link> {
  const folders = new Set<string>();
  for (let i = 0; i < refs.length; i += REPORT_PAGE) {
    const page = refs.slice(i, i + REPORT_PAGE);
    const docs = await fetchIn<Pick<ReportDoc, '_id' | 'evidence'>>(
      C.reports,
      '_id',
      page.map((r) => r.id),
      {},
      { _id: true, evidence: true },
    );
    const evidence = new Map(docs.map((d) => [d._id, d.evidence]));
    // What the link check found, and the snapshot of each page that opened (linkcheck writes them).
    const states = new Map(
      (
        await fetchIn<LinkStateDoc>(
          C.linkStates,
          'reportId',
          page.map((r) => r.id),
        )
      ).map((st) => [st._id, st] as const),
    );
    for (const ref of page) {
      const e = evidence.get(ref.id);
      if (!e) continue;
      const where = { taskNo: ref.taskNo, unitName: ref.unitName, roundName: ref.roundName };
      let folder = `${top}/${evidenceFolder(ref.taskNo, ref.unitName, ref.roundName)}`;
      // Two units whose names read alike once made safe for a file system keep apart.
      if (folders.has(folder)) folder = `${top}/${evidenceFolder(ref.taskNo, `${ref.unitName}（${ref.unitId}）`, ref.roundName)}`;
      folders.add(folder);
      const taken = new Set<string>();
      const files = [
        ...(e.images ?? []).map((f) => ({ ...f, type: '图片' as const })),
        ...(e.files ?? []).map((f) => ({ ...f, type: '文件' as const })),
      ];
      for (const f of files) {
        yield {
          kind: 'file',
          ...where,
          type: f.type,
          name: f.name,
          size: f.size,
          fileID: f.fileID,
          entry: uniqueEntry(folder, f.name, taken),
        };
      }
      const now = new Date();
      for (const [n, l] of (e.links ?? []).entries()) {
        const state = states.get(linkStateId(ref.id, n));
        const check = state ? `${linkSummary(state, now)}（${HOST_KIND_TEXT[state.latest.hostKind]}）` : '尚未检查';
        yield { kind: 'link', ...where, title: l.title || (state ? linkTitle(state) : ''), url: l.url, check };
        if (state?.snapshotFileID) {
          // The page as it was last seen open, beside the files: it stays when the page changes or goes.
          const name = `链接${n + 1}快照.txt`;
          yield {
            kind: 'file',
            ...where,
            type: '快照',
            name,
            size: SNAPSHOT_BUDGET_BYTES,
            fileID: state.snapshotFileID,
            entry: uniqueEntry(folder, name, taken),
          };
        }
      }
    }
  }
}

/** `folder/name`, numbered `name (2).jpg` when the folder already has one of that name. */
function uniqueEntry(folder: string, name: string, taken: Set<string>): string {
  const safe = safeName(name);
  const dot = safe.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ''];
  let entry = `${folder}/${safe}`;
  for (let n = 2; taken.has(entry.toLowerCase()); n++) entry = `${folder}/${stem} (${n})${ext}`;
  taken.add(entry.toLowerCase());
  return entry;
}

/** Printed on A4 landscape one page wide at ≥ 9 pt, like the ledger's list sheets. */
export const INDEX_COLUMNS: Column[] = [
  { header: '序号', width: 4.5, align: 'center' },
  { header: '单位', width: 12 },
  { header: '报送轮次', width: 8 },
  { header: '类型', width: 5, align: 'center' },
  { header: '文件名 / 链接标题', width: 24 },
  { header: '大小（KB）', width: 7, align: 'center' },
  { header: '压缩包内位置 / 链接地址', width: 38 },
  { header: '情况', width: 21.5 },
];
const TYPE_COL = 4;

type Fetched = { item: Item; ok: true; data: SpillSink['result'] } | { item: Item; ok: false; reason: string };

export const ledgerArchive: LedgerActionDef<'ledger.archive'> = {
  access: 'admin',
  input: scopeInput,
  async run(input, caller): Promise<LedgerArchiveResult> {
    const started = Date.now();
    const limits = budget(started);
    const scope = await resolveScope(input);
    const title = fileTitle(scope.plan, '佐证材料', scope.label);
    const refs = await reportRefs(scope);

    const result = await withTempDir(async (dir) => {
      const zipFile = path.join(dir, 'archive.zip');
      const indexFile = path.join(dir, 'index.xlsx');
      const out = fs.createWriteStream(zipFile);
      const archive = archiver('zip', { zlib: { level: 6 } });
      const closed = new Promise<void>((resolve, reject) => {
        out.on('close', resolve);
        out.on('error', reject);
        archive.on('error', reject);
        // A file the zip could not read is skipped with a warning and no 'entry': stop rather than wait.
        archive.on('warning', reject);
      });
      // A rejection before we await `closed` must not go unhandled.
      closed.catch(() => undefined);
      // The entry being written waits for the zip's 'entry' event, or fails when the zip fails or
      // closes early. One listener on `closed` for all of them: a Promise.race against a promise
      // that lives as long as the archive would keep a reaction per file until the end.
      let zipFailed: Error | undefined;
      const entryDone = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();
      const failAll = (err: unknown) => {
        zipFailed = err instanceof Error ? err : new Error(String(err));
        for (const waiting of entryDone.values()) waiting.reject(zipFailed);
        entryDone.clear();
      };
      closed.then(() => failAll(new Error('the zip closed early')), failAll);
      archive.pipe(out);
      archive.on('entry', (e) => entryDone.get(e.name)?.resolve());

      const writer = newWriter(indexFile);
      const index: Sheet = addSheet(writer, '索引', INDEX_COLUMNS, 2);
      writeTitle(index, 1, `${title} 索引`, INDEX_COLUMNS.length, 14);
      writeHeader(index, 2, INDEX_COLUMNS);
      let row = 3;
      // Rows as high as their text; a text that starts like a formula shown as written (quote prefix).
      const indexRow = (values: Value[], link?: string) => {
        writeRow(index, row, INDEX_COLUMNS, values, rowHeight(INDEX_COLUMNS, values), true);
        // A link row's 类型 cell opens it (the address cell stays text: see writeLink).
        if (link) writeLink(index, row, TYPE_COL, link, '链接');
        index.getRow(row).commit();
        row++;
      };

      let packed = 0;
      let missing = 0;
      let seq = 0;
      const fetchOne = async (item: Item, url: string | undefined, skip: string | undefined): Promise<Fetched> => {
        if (skip) return { item, ok: false, reason: skip };
        if (!url) return { item, ok: false, reason: '未能获取：云存储中已没有这个文件' };
        const tmp = path.join(dir, `f${++seq}`);
        try {
          const sink = new SpillSink(tmp, IN_MEMORY_BYTES);
          // Sizes are as the phone reported them: the bytes themselves are held to the budget too.
          await download(url, sink, Math.max(0, limits.maxBytes - archive.pointer()));
          return { item, ok: true, data: sink.result };
        } catch (err) {
          await fsp.rm(tmp, { force: true });
          if (err instanceof TooLargeError) return { item, ok: false, reason: OVER_BUDGET };
          return { item, ok: false, reason: `未能获取：${err instanceof DownloadError ? err.message : '下载失败'}` };
        }
      };
      const settle = async (f: Fetched): Promise<void> => {
        const { item } = f;
        const where = [item.taskNo, item.unitName, item.roundName, item.type, item.name, Math.ceil(item.size / 1024)];
        if (!f.ok) {
          missing++;
          indexRow([...where, '', f.reason]);
          return;
        }
        const added = new Promise<void>((resolve, reject) => {
          if (zipFailed) reject(zipFailed);
          else entryDone.set(item.entry, { resolve, reject });
        });
        const entry: archiver.ZipEntryData = { name: item.entry, store: STORED.has(fileExtension(item.name)) };
        if ('file' in f.data) archive.file(f.data.file, entry);
        // As a stream, not a Buffer: a Buffer is written into the zip at once, ahead of the disk,
        // and held until the whole archive is done; a stream is read as the zip file takes it.
        else archive.append(Readable.from([f.data.bytes]), entry);
        try {
          await added;
        } finally {
          entryDone.delete(item.entry);
        }
        if ('file' in f.data) await fsp.rm(f.data.file, { force: true });
        packed++;
        indexRow([...where, item.entry, '已打包']);
      };

      // A window of downloads in flight; the zip takes them in order as they finish.
      const window: { fetched: Promise<Fetched>; bytes: number }[] = [];
      let inFlight = 0;
      const next = async () => {
        const head = window.shift() as { fetched: Promise<Fetched>; bytes: number };
        await settle(await head.fetched);
        inFlight -= head.bytes;
      };
      const fetchBatch = async (batch: readonly Item[]) => {
        let urls = new Map<string, string>();
        let batchProblem: string | undefined;
        try {
          urls = new Map((await tempUrlBatch([...new Set(batch.map((b) => b.fileID))], 600)).map((u) => [u.fileID, u.url]));
        } catch {
          batchProblem = '未能获取：云存储暂时无法提供下载地址，请稍后重新导出';
        }
        for (const item of batch) {
          if (window.length >= limits.concurrency) await next();
          // Reported sizes decide what is started; the download itself is capped as well.
          const over = Date.now() > limits.deadline || archive.pointer() + inFlight + item.size > limits.maxBytes;
          const skip = over ? OVER_BUDGET : batchProblem;
          const bytes = skip ? 0 : item.size;
          inFlight += bytes;
          window.push({ fetched: fetchOne(item, urls.get(item.fileID), skip), bytes });
        }
      };
      let batch: Item[] = [];
      let entries = 0;
      for await (const e of evidenceOf(refs, title)) {
        entries++;
        if (e.kind === 'link') {
          indexRow([e.taskNo, e.unitName, e.roundName, '链接', e.title, null, e.url, e.check], e.url);
          continue;
        }
        batch.push(e);
        if (batch.length === TEMP_URL_BATCH) {
          await fetchBatch(batch);
          batch = [];
        }
      }
      await fetchBatch(batch);
      while (window.length) await next();
      if (entries === 0) indexRow([null, '本次导出范围内没有佐证材料']);
      index.commit();
      await writer.commit();
      await quotePrefixPackage(indexFile);
      archive.file(indexFile, { name: `${title}/索引.xlsx` });
      await archive.finalize();
      await closed;
      const name = `${title}.zip`;
      const view = await publish(zipFile, storagePath(scope.plan.year, name), name);
      return { ...view, files: packed, missing };
    });
    await audit(caller.openid, 'ledger.archive', `plan:${scope.plan._id}`, {
      year: scope.plan.year,
      roundId: input.roundId ?? null,
      files: result.files,
      missing: result.missing,
    });
    return result;
  },
};
