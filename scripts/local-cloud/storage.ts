/**
 * Local stand-in for CloudBase storage (the COS bucket behind cloud.uploadFile & co).
 *
 * Two faces:
 * - `handle` answers the SDK's `storage.*` actions with the bodies CloudBase's HTTP API
 *   returns, so the real wx-server-sdk does its own parsing and error mapping;
 * - `httpHandler` serves what COS would serve: the signed PUT the SDK uploads to, signed
 *   temp URLs, plus `POST /storage/upload` for the mini program's wx.uploadFile bridge.
 *
 * Layout under `dir`: files/<cloudPath> (the bytes), meta/<cloudPath>.json (sidecar record),
 * tmp/ (in-flight writes, renamed into place so a crash never exposes half a file), .secret
 * (HMAC key for temp URLs, kept so URLs survive a restart).
 */
import crypto from 'crypto';
import fs from 'fs';
import fsp from 'fs/promises';
import path from 'path';
import type { IncomingMessage, ServerResponse } from 'http';
import type { SdkHandler } from './sdk-seam';
import { loadStorageRule, type CompiledRule, type RuleContext } from './storage-rules';

export interface StoredFileInfo {
  fileID: string;
  cloudPath: string;
  size: number;
  contentType: string;
  /** ISO 8601 */
  uploadedAt: string;
  owner?: string;
}

/**
 * Operations `failNext` can break, each failing the way the real service does:
 * - getUploadMetadata / getTempFileURL / deleteFile: the CloudBase API answers SYS_ERR;
 * - uploadFile: the COS PUT answers a COS `<Error>` (InternalError, HTTP 500);
 * - downloadFile: any GET of a temp URL answers COS `<Error>` (ServiceUnavailable, HTTP 503);
 * - httpUpload: `POST /storage/upload` answers HTTP 500 with a JSON error.
 */
export type StorageFaultAction = 'getUploadMetadata' | 'uploadFile' | 'getTempFileURL' | 'deleteFile' | 'downloadFile' | 'httpUpload';

export interface StorageBackendOptions {
  dir: string;
  envId: string;
  /** Origin of the local HTTP server, e.g. http://127.0.0.1:8787 (read lazily: the port may come later). */
  baseUrl: () => string;
  /** Cap for `POST /storage/upload` (the mini program path). Default 20 MB. */
  maxUploadBytes?: number;
  /** Clock for URL expiry; tests inject one. */
  now?: () => number;
  /** Numeric part of the fake bucket name. Default 1300000000. */
  bucketAppId?: string;
  /**
   * The security rule client requests are judged by (`POST /storage/upload` and the `client`
   * face); SDK calls bypass it, as on the platform. Default: the platform's default rule.
   */
  rule?: CompiledRule;
}

/** A refused client request: `code` is the storage service's error code (STORAGE_EXCEED_AUTHORITY, …). */
export interface ClientRefusal {
  ok: false;
  code: string;
  message: string;
}

/** One file of a client getTempFileURL: `code` SUCCESS, or why this file has no link. */
export interface ClientTempFileURL {
  fileID: string;
  code: string;
  message?: string;
  tempFileURL: string;
  maxAge?: number;
}

/**
 * What the mini program's client SDK (wx.cloud.uploadFile / downloadFile / getTempFileURL)
 * asks the storage service for. Unlike the server SDK, every request is judged by the
 * security rule with the caller's openid (undefined: not signed in), as on the platform.
 */
export interface StorageClientFace {
  /** The signed PUT for `cloudPath`, after `rule.write` allowed it; the file will be owned by `openid`. */
  uploadUrl(cloudPath: string, openid: string | undefined): Promise<{ ok: true; url: string; fileID: string } | ClientRefusal>;
  /** Temp links, each file judged by `rule.read` (a refused file gets STORAGE_EXCEED_AUTHORITY and no link). */
  tempFileURLs(files: { fileID: string; maxAge?: number }[], openid: string | undefined): Promise<ClientTempFileURL[] | ClientRefusal>;
}

export interface StorageBackend {
  handle: SdkHandler;
  client: StorageClientFace;
  /** Serves our storage URLs; returns false (untouched response) for any other URL. */
  httpHandler(req: IncomingMessage, res: ServerResponse): boolean;
  list(opts?: { prefix?: string; offset?: number; limit?: number }): StoredFileInfo[];
  count(opts?: { prefix?: string }): number;
  /** A signed temp URL without the origin (`/storage/file/…?sign=…&t=…`), for the local console. */
  signedPath(cloudPath: string, maxAgeS?: number): string;
  /** The next `times` requests of `action` fail, after `skip` that succeed (a fault in the middle of a run). */
  failNext(action: StorageFaultAction, times?: number, skip?: number): void;
  /** e.g. 6c6f-local-env-1300000000 */
  readonly bucket: string;
  fileIdOf(cloudPath: string): string;
}

/** Our wording for a request the security rule refused (the platform's code is STORAGE_EXCEED_AUTHORITY). */
const RULE_REFUSED = 'the storage security rule does not allow this request';

/** Limits the real service documents: 50 fileIDs per getTempFileURL / deleteFile call, 850-byte keys. */
export const MAX_FILES_PER_CALL = 50;
export const MAX_CLOUD_PATH_BYTES = 850;
const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** COS refuses single PUTs above 5 GB. */
const MAX_PUT_BYTES = 5 * 1024 * 1024 * 1024;
/** A getUploadMetadata signature stays valid this long, like COS's upload signature. */
const UPLOAD_TOKEN_TTL_MS = 10 * 60 * 1000;
/** Default lifetime of a temp URL when the caller gives no maxAge. */
const DEFAULT_MAX_AGE_S = 2 * 60 * 60;
/** Most filesystems cap a name at 255 bytes; ".json" sidecars need a few more. */
const MAX_SEGMENT_BYTES = 250;
/** After answering 413 we drain at most this much before dropping the connection. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
/** Multipart framing allowance on top of maxUploadBytes when judging Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.heic': 'image/heic',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.wav': 'audio/wav',
  '.amr': 'audio/amr',
  '.silk': 'audio/silk',
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.wps': 'application/vnd.ms-works',
  '.zip': 'application/zip',
  '.rar': 'application/vnd.rar',
  '.7z': 'application/x-7z-compressed',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
};

export function contentTypeOf(cloudPath: string): string {
  return CONTENT_TYPES[path.posix.extname(cloudPath).toLowerCase()] ?? 'application/octet-stream';
}

/** Real bucket names start with the hex of the env id's first two characters, e.g. "lo" → 6c6f. */
export function bucketFor(envId: string, appId = '1300000000'): string {
  return `${Buffer.from(envId.slice(0, 2), 'utf8').toString('hex')}-${envId}-${appId}`;
}

/**
 * The service's cloudPath rules, as messages (null = valid). Real CloudBase answers
 * INVALID_PARAM for these; the wording is ours.
 */
export function cloudPathProblem(cloudPath: unknown): string | null {
  if (typeof cloudPath !== 'string' || cloudPath === '') return 'cloudPath must be a non-empty string';
  if (cloudPath.startsWith('/')) return 'cloudPath must not start with "/"';
  if (Buffer.byteLength(cloudPath, 'utf8') > MAX_CLOUD_PATH_BYTES) {
    return `cloudPath must be at most ${MAX_CLOUD_PATH_BYTES} bytes`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(cloudPath)) return 'cloudPath must not contain control characters';
  // A backslash is a separator on Windows hosts, where it would escape the segment checks.
  if (cloudPath.includes('\\')) return 'cloudPath must not contain "\\"';
  for (const segment of cloudPath.split('/')) {
    if (segment === '') return 'cloudPath must not contain empty segments ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return 'cloudPath must not contain "." or ".." segments';
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      return `each cloudPath segment must be at most ${MAX_SEGMENT_BYTES} bytes (local storage limit)`;
    }
  }
  return null;
}

interface SdkUtils {
  processReturn: (result: Record<string, unknown>) => unknown;
}

/**
 * The real requester runs `processReturn` on any `{ code }` body, which throws a TcbError the
 * SDK then reports; top-level errors go through the SDK's own copy so they surface identically.
 */
function sdkUtils(): SdkUtils {
  const sdkDir = path.dirname(require.resolve('wx-server-sdk'));
  return require(require.resolve('@cloudbase/node-sdk/dist/utils/utils', { paths: [sdkDir] })) as SdkUtils;
}

function requestId(): string {
  return crypto.randomBytes(12).toString('hex');
}

interface MetaRecord {
  cloudPath: string;
  size: number;
  contentType: string;
  uploadedAt: string;
  owner?: string;
}

interface PendingUpload {
  cloudPath: string;
  expiresAt: number;
  /** Set for a client upload: the uploader, whose write the rule judges again when the bytes land. */
  owner?: string;
  client?: boolean;
}

interface ParsedFileId {
  ok: true;
  cloudPath: string;
}
interface FileIdError {
  ok: false;
  code: string;
  message: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createStorageBackend(opts: StorageBackendOptions): StorageBackend {
  const root = path.resolve(opts.dir);
  const filesDir = path.join(root, 'files');
  const metaDir = path.join(root, 'meta');
  const tmpDir = path.join(root, 'tmp');
  const envId = opts.envId;
  const bucket = bucketFor(envId, opts.bucketAppId);
  const fileIdPrefix = `cloud://${envId}.${bucket}/`;
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const now = opts.now ?? Date.now;

  fs.mkdirSync(filesDir, { recursive: true });
  fs.mkdirSync(metaDir, { recursive: true });
  // Anything left in tmp/ is from an interrupted write and was never visible.
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(tmpDir, { recursive: true });
  const secret = loadSecret(path.join(root, '.secret'));
  const index = new Map<string, MetaRecord>();
  const rule = opts.rule ?? loadStorageRule(null);
  recoverIndex();

  const pendingUploads = new Map<string, PendingUpload>();
  const faults = new Map<StorageFaultAction, number>();
  const skips = new Map<StorageFaultAction, number>();

  // ---- paths & records -------------------------------------------------------------

  function blobPath(cloudPath: string): string {
    return path.join(filesDir, ...cloudPath.split('/'));
  }
  function metaPath(cloudPath: string): string {
    return path.join(metaDir, ...cloudPath.split('/')) + '.json';
  }
  function fileIdOf(cloudPath: string): string {
    return fileIdPrefix + cloudPath;
  }
  function toInfo(m: MetaRecord): StoredFileInfo {
    const info: StoredFileInfo = {
      fileID: fileIdOf(m.cloudPath),
      cloudPath: m.cloudPath,
      size: m.size,
      contentType: m.contentType,
      uploadedAt: m.uploadedAt,
    };
    if (m.owner !== undefined) info.owner = m.owner;
    return info;
  }

  function loadSecret(file: string): Buffer {
    try {
      const existing = fs.readFileSync(file);
      if (existing.length >= 32) return existing;
    } catch {
      // first run
    }
    const fresh = crypto.randomBytes(32);
    fs.writeFileSync(file, fresh, { mode: 0o600 });
    return fresh;
  }

  /** Rebuilds the index from disk, repairing what a crash between blob and sidecar renames left. */
  function recoverIndex(): void {
    for (const rel of walk(metaDir)) {
      if (!rel.endsWith('.json')) continue;
      const cloudPath = rel.slice(0, -'.json'.length);
      let record: MetaRecord | undefined;
      try {
        const parsed = JSON.parse(fs.readFileSync(path.join(metaDir, rel), 'utf8')) as MetaRecord;
        if (parsed && parsed.cloudPath === cloudPath) record = parsed;
      } catch {
        record = undefined;
      }
      let blobSize: number | undefined;
      try {
        const st = fs.statSync(blobPath(cloudPath));
        if (st.isFile()) blobSize = st.size;
      } catch {
        blobSize = undefined;
      }
      if (blobSize === undefined || !record) {
        fs.rmSync(path.join(metaDir, rel), { force: true });
        continue;
      }
      index.set(cloudPath, { ...record, size: blobSize });
    }
    for (const rel of walk(filesDir)) {
      if (index.has(rel) || cloudPathProblem(rel) !== null) continue;
      const st = fs.statSync(path.join(filesDir, rel));
      const record: MetaRecord = {
        cloudPath: rel,
        size: st.size,
        contentType: contentTypeOf(rel),
        uploadedAt: st.mtime.toISOString(),
      };
      writeFileAtomicSync(metaPath(rel), JSON.stringify(record));
      index.set(rel, record);
    }
  }

  function walk(base: string): string[] {
    const out: string[] = [];
    const visit = (rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(base, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const childRel = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) visit(childRel);
        else if (e.isFile()) out.push(childRel);
      }
    };
    visit('');
    return out;
  }

  function writeFileAtomicSync(file: string, data: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = path.join(tmpDir, crypto.randomUUID());
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  }

  async function writeFileAtomic(file: string, data: string): Promise<void> {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(tmpDir, crypto.randomUUID());
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  }

  /**
   * COS keys may be both "a/b" and "a/b/c"; a filesystem cannot. Refuse the second early
   * instead of failing after the bytes arrived.
   */
  function pathConflict(cloudPath: string): string | null {
    const segments = cloudPath.split('/');
    for (let i = 1; i < segments.length; i++) {
      if (index.has(segments.slice(0, i).join('/'))) {
        return 'cloudPath conflicts with an existing file used as a folder (local storage limit)';
      }
    }
    try {
      if (fs.statSync(blobPath(cloudPath)).isDirectory()) {
        return 'cloudPath conflicts with an existing folder (local storage limit)';
      }
    } catch {
      // absent: fine
    }
    return null;
  }

  /** Moves a fully written, fsynced temp file into place, then its sidecar. Same cloudPath overwrites. */
  async function commit(tmpFile: string, cloudPath: string, size: number, owner: string | undefined, client = false): Promise<MetaRecord> {
    const conflict = pathConflict(cloudPath);
    if (conflict) throw new HttpError(409, 'INVALID_PARAM', conflict);
    const target = blobPath(cloudPath);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    // Judged again right before the bytes move in: another upload may have created the file meanwhile.
    if (client) refuseClientWrite(cloudPath, owner);
    await fsp.rename(tmpFile, target);
    const record: MetaRecord = {
      cloudPath,
      size,
      contentType: contentTypeOf(cloudPath),
      uploadedAt: new Date(now()).toISOString(),
    };
    if (owner !== undefined) record.owner = owner;
    await writeFileAtomic(metaPath(cloudPath), JSON.stringify(record));
    index.set(cloudPath, record);
    return record;
  }

  /**
   * The rule's `write` for a client creating or overwriting `cloudPath`: `resource` is the
   * file there now, or — for a new file — the file as it will be, owned by the uploader.
   */
  function refuseClientWrite(cloudPath: string, openid: string | undefined): void {
    const existing = index.get(cloudPath);
    const owner = existing ? existing.owner : openid;
    if (!rule.write(ruleContext(cloudPath, owner, openid))) {
      throw new HttpError(403, 'STORAGE_PERMISSION_DENIED', 'the storage security rule does not allow this write');
    }
  }

  /** The rule's `read` for a client reading a stored file: `resource` is that file, with its owner and path. */
  function clientMayRead(cloudPath: string, openid: string | undefined): boolean {
    return rule.read(ruleContext(cloudPath, index.get(cloudPath)?.owner, openid));
  }

  function ruleContext(cloudPath: string, owner: string | undefined, openid: string | undefined): RuleContext {
    return {
      auth: openid === undefined ? null : { openid },
      resource: owner === undefined ? { path: cloudPath } : { openid: owner, path: cloudPath },
    };
  }

  async function remove(cloudPath: string): Promise<void> {
    // Drop from the index first so readers stop seeing it even if an unlink fails.
    index.delete(cloudPath);
    await fsp.rm(metaPath(cloudPath), { force: true });
    await fsp.rm(blobPath(cloudPath), { force: true });
  }

  function parseFileId(fileId: unknown): ParsedFileId | FileIdError {
    if (typeof fileId !== 'string' || !fileId.startsWith('cloud://')) {
      return { ok: false, code: 'INVALID_PARAM', message: 'invalid fileID' };
    }
    if (!fileId.startsWith(fileIdPrefix)) {
      return { ok: false, code: 'STORAGE_EXCEED_AUTHORITY', message: 'fileID does not belong to this env' };
    }
    const cloudPath = fileId.slice(fileIdPrefix.length);
    if (cloudPathProblem(cloudPath) !== null) return { ok: false, code: 'INVALID_PARAM', message: 'invalid fileID' };
    return { ok: true, cloudPath };
  }

  function takeFault(action: StorageFaultAction): boolean {
    const pass = skips.get(action) ?? 0;
    if (pass > 0) {
      skips.set(action, pass - 1);
      return false;
    }
    const left = faults.get(action) ?? 0;
    if (left <= 0) return false;
    if (left === 1) faults.delete(action);
    else faults.set(action, left - 1);
    return true;
  }

  // ---- temp URL signing ------------------------------------------------------------

  function sign(cloudPath: string, expiresAtS: number): string {
    return crypto.createHmac('sha256', secret).update(`${cloudPath}\n${expiresAtS}`).digest('hex');
  }

  function encodeCloudPath(cloudPath: string): string {
    return cloudPath.split('/').map(encodeURIComponent).join('/');
  }

  function origin(): string {
    return opts.baseUrl().replace(/\/+$/, '');
  }

  function signedPath(cloudPath: string, maxAgeS: number): string {
    const expiresAtS = Math.ceil((now() + maxAgeS * 1000) / 1000);
    return `/storage/file/${encodeCloudPath(cloudPath)}?sign=${sign(cloudPath, expiresAtS)}&t=${expiresAtS}`;
  }

  function tempUrl(cloudPath: string, maxAgeS: number): string {
    return `${origin()}${signedPath(cloudPath, maxAgeS)}`;
  }

  // ---- SDK actions -----------------------------------------------------------------

  function fail(code: string, message: string): unknown {
    return sdkUtils().processReturn({ code, message, requestId: requestId() });
  }

  async function getUploadMetadata(params: Record<string, unknown>): Promise<unknown> {
    if (takeFault('getUploadMetadata')) return fail('SYS_ERR', 'system error (injected)');
    const cloudPath = params.path;
    const problem = cloudPathProblem(cloudPath) ?? pathConflict(cloudPath as string);
    if (problem) return fail('INVALID_PARAM', problem);
    const validPath = cloudPath as string;
    const token = pendUpload({ cloudPath: validPath, expiresAt: now() + UPLOAD_TOKEN_TTL_MS });
    const fileId = fileIdOf(validPath);
    return {
      requestId: requestId(),
      data: {
        url: putUrl(token),
        token,
        authorization: `q-sign-algorithm=local&q-signature=${token}`,
        fileId,
        cosFileId: crypto.randomBytes(16).toString('hex'),
        // Real: the bucket's unsigned CDN URL, readable only when the bucket is public.
        download_url: `${origin()}/storage/file/${encodeCloudPath(validPath)}`,
      },
    };
  }

  /** Records an upload the service signed; the returned token is its one-time signature (the PUT URL). */
  function pendUpload(pending: PendingUpload): string {
    // Signatures whose PUT never came would otherwise pile up.
    for (const [t, p] of pendingUploads) if (p.expiresAt < now()) pendingUploads.delete(t);
    const token = crypto.randomBytes(24).toString('hex');
    pendingUploads.set(token, pending);
    return token;
  }

  function putUrl(token: string): string {
    return `${origin()}/storage/put/${token}`;
  }

  /**
   * Temp links for a batch, as the service answers them; `mayRead` (the client's rule) is
   * asked for each existing file, the server SDK passes none. `failed` refuses the whole batch.
   */
  function downloadLinks(
    list: unknown,
    mayRead?: (cloudPath: string) => boolean,
  ): { failed: string; code: string } | { items: Record<string, unknown>[] } {
    if (takeFault('getTempFileURL')) return { code: 'SYS_ERR', failed: 'system error (injected)' };
    if (!Array.isArray(list)) return { code: 'INVALID_PARAM', failed: 'file_list must be an array' };
    if (list.length > MAX_FILES_PER_CALL) return { code: 'INVALID_PARAM', failed: `at most ${MAX_FILES_PER_CALL} files per request` };
    const items: Record<string, unknown>[] = [];
    for (const item of list as unknown[]) {
      const entry = (item ?? {}) as { fileid?: unknown; max_age?: unknown };
      let maxAge = DEFAULT_MAX_AGE_S;
      if (entry.max_age !== undefined && entry.max_age !== null) {
        const n = Number(entry.max_age);
        if (!Number.isInteger(n) || n <= 0 || n > 10 * 365 * 24 * 3600) {
          return { code: 'INVALID_PARAM', failed: 'max_age must be a positive integer number of seconds' };
        }
        maxAge = n;
      }
      const parsed = parseFileId(entry.fileid);
      if (!parsed.ok) {
        items.push({ code: parsed.code, message: parsed.message, fileID: entry.fileid, tempFileURL: '' });
      } else if (!index.has(parsed.cloudPath)) {
        items.push({ code: 'STORAGE_FILE_NONEXIST', message: 'storage file not exist', fileID: entry.fileid, tempFileURL: '' });
      } else if (mayRead && !mayRead(parsed.cloudPath)) {
        items.push({ code: 'STORAGE_EXCEED_AUTHORITY', message: RULE_REFUSED, fileID: entry.fileid, tempFileURL: '' });
      } else {
        items.push({ code: 'SUCCESS', fileID: entry.fileid, tempFileURL: tempUrl(parsed.cloudPath, maxAge), maxAge });
      }
    }
    return { items };
  }

  async function batchGetDownloadUrl(params: Record<string, unknown>): Promise<unknown> {
    const links = downloadLinks(params.file_list);
    if ('failed' in links) return fail(links.code, links.failed);
    return { requestId: requestId(), data: { download_list: links.items } };
  }

  // ---- client SDK (judged by the security rule) --------------------------------------

  const client: StorageClientFace = {
    async uploadUrl(cloudPath, openid) {
      if (takeFault('getUploadMetadata')) return { ok: false, code: 'SYS_ERR', message: 'system error (injected)' };
      const problem = cloudPathProblem(cloudPath) ?? pathConflict(cloudPath);
      if (problem) return { ok: false, code: 'INVALID_PARAM', message: problem };
      try {
        refuseClientWrite(cloudPath, openid);
      } catch {
        return { ok: false, code: 'STORAGE_EXCEED_AUTHORITY', message: RULE_REFUSED };
      }
      const token = pendUpload({ cloudPath, expiresAt: now() + UPLOAD_TOKEN_TTL_MS, owner: openid, client: true });
      return { ok: true, url: putUrl(token), fileID: fileIdOf(cloudPath) };
    },
    async tempFileURLs(files, openid) {
      const links = downloadLinks(
        files.map((f) => ({ fileid: f.fileID, max_age: f.maxAge })),
        (cloudPath) => clientMayRead(cloudPath, openid),
      );
      if ('failed' in links) return { ok: false, code: links.code, message: links.failed };
      return links.items as unknown as ClientTempFileURL[];
    },
  };

  async function batchDeleteFile(params: Record<string, unknown>): Promise<unknown> {
    if (takeFault('deleteFile')) return fail('SYS_ERR', 'system error (injected)');
    const list = params.fileid_list;
    if (!Array.isArray(list)) return fail('INVALID_PARAM', 'fileid_list must be an array');
    if (list.length > MAX_FILES_PER_CALL) {
      return fail('INVALID_PARAM', `at most ${MAX_FILES_PER_CALL} files per request`);
    }
    const deleteList: Record<string, unknown>[] = [];
    for (const fileId of list as unknown[]) {
      const parsed = parseFileId(fileId);
      if (!parsed.ok) {
        deleteList.push({ code: parsed.code, message: parsed.message, fileID: fileId });
      } else if (!index.has(parsed.cloudPath)) {
        deleteList.push({ code: 'STORAGE_FILE_NONEXIST', message: 'storage file not exist', fileID: fileId });
      } else {
        await remove(parsed.cloudPath);
        deleteList.push({ code: 'SUCCESS', fileID: fileId });
      }
    }
    return { requestId: requestId(), data: { delete_list: deleteList } };
  }

  const handle: SdkHandler = async (params) => {
    switch (params.action) {
      case 'storage.getUploadMetadata':
        return getUploadMetadata(params);
      case 'storage.batchGetDownloadUrl':
        return batchGetDownloadUrl(params);
      case 'storage.batchDeleteFile':
        return batchDeleteFile(params);
      default:
        return fail('LOCAL_UNSUPPORTED_ACTION', `local cloud does not implement ${params.action}`);
    }
  };

  // ---- HTTP ------------------------------------------------------------------------

  function sendCosError(res: ServerResponse, status: number, code: string, message: string, resource: string): void {
    const esc = (s: string): string =>
      s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
    const rid = requestId();
    const body =
      `<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n  <Code>${esc(code)}</Code>\n  <Message>${esc(message)}</Message>\n` +
      `  <Resource>${esc(resource)}</Resource>\n  <RequestId>${rid}</RequestId>\n  <TraceId>${rid}</TraceId>\n</Error>`;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, {
      'Content-Type': 'application/xml',
      'Content-Length': Buffer.byteLength(body),
      'x-cos-request-id': rid,
    });
    res.end(body);
  }

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Reads and discards the rest of a request body so the client can read our early answer. */
  function drain(req: IncomingMessage): void {
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > MAX_DRAIN_BYTES) req.destroy();
    });
    req.on('error', () => undefined);
    req.resume();
  }

  async function handlePut(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const resource = `/${token}`;
    if (req.method !== 'PUT') {
      drain(req);
      return sendCosError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed', resource);
    }
    const pending = pendingUploads.get(token);
    pendingUploads.delete(token); // one upload per signature
    if (!pending || pending.expiresAt < now()) {
      drain(req);
      return sendCosError(res, 403, 'AccessDenied', 'Request has expired or the signature is unknown', resource);
    }
    if (takeFault('uploadFile')) {
      drain(req);
      return sendCosError(res, 500, 'InternalError', 'We encountered an internal error. Please try again. (injected)', resource);
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_PUT_BYTES) {
      drain(req);
      return sendCosError(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size', resource);
    }
    const tmpFile = path.join(tmpDir, crypto.randomUUID());
    let size = 0;
    try {
      const fh = await fsp.open(tmpFile, 'w');
      try {
        for await (const chunk of bodyChunks(req)) {
          size += chunk.length;
          if (size > MAX_PUT_BYTES)
            throw new HttpError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size');
          await fh.write(chunk);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      await commit(tmpFile, pending.cloudPath, size, pending.owner, pending.client);
    } catch (err) {
      await fsp.rm(tmpFile, { force: true });
      if (!req.complete) drain(req);
      if (err instanceof HttpError) {
        const cosCode =
          err.code === 'INVALID_PARAM' ? 'InvalidArgument' : err.code === 'STORAGE_PERMISSION_DENIED' ? 'AccessDenied' : err.code;
        return sendCosError(res, err.status, cosCode, err.message, resource);
      }
      return sendCosError(res, 500, 'InternalError', 'We encountered an internal error. Please try again.', resource);
    }
    res.writeHead(200, { 'Content-Length': 0, ETag: `"${crypto.randomBytes(16).toString('hex')}"` });
    res.end();
  }

  /** Finds which decoding of the URL path the signature covers (the SDK encodeURI()s our URL once more). */
  function verifiedCloudPath(rawPath: string, signature: string, expiresAtS: string): string | null {
    const candidates: string[] = [];
    let current = rawPath;
    for (let i = 0; i < 2; i++) {
      try {
        current = current.split('/').map(decodeURIComponent).join('/');
      } catch {
        break;
      }
      candidates.push(current);
    }
    for (const candidate of candidates) {
      const expected = Buffer.from(sign(candidate, Number(expiresAtS)), 'utf8');
      const given = Buffer.from(signature, 'utf8');
      if (expected.length === given.length && crypto.timingSafeEqual(expected, given)) return candidate;
    }
    return null;
  }

  async function handleGet(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rawPath = url.pathname.slice('/storage/file/'.length);
    const resource = `/${rawPath}`;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      drain(req);
      return sendCosError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed', resource);
    }
    const signature = url.searchParams.get('sign') ?? '';
    const t = url.searchParams.get('t') ?? '';
    const cloudPath = /^\d{1,12}$/.test(t) && /^[0-9a-f]{64}$/.test(signature) ? verifiedCloudPath(rawPath, signature, t) : null;
    if (cloudPath === null) {
      return sendCosError(
        res,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided',
        resource,
      );
    }
    if (Number(t) * 1000 <= now()) {
      return sendCosError(res, 403, 'AccessDenied', 'Request has expired', resource);
    }
    if (takeFault('downloadFile')) {
      return sendCosError(res, 503, 'ServiceUnavailable', 'Please reduce your request rate. (injected)', resource);
    }
    const record = index.get(cloudPath);
    let st: fs.Stats | undefined;
    try {
      st = record ? await fsp.stat(blobPath(cloudPath)) : undefined;
    } catch {
      st = undefined;
    }
    if (!record || !st || !st.isFile()) {
      return sendCosError(res, 404, 'NoSuchKey', 'The specified key does not exist.', resource);
    }
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    const range = req.headers.range;
    if (typeof range === 'string') {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      const a = m?.[1] ?? '';
      const b = m?.[2] ?? '';
      if (m && (a !== '' || b !== '')) {
        if (a === '') {
          start = Math.max(0, st.size - Number(b));
        } else {
          start = Number(a);
          if (b !== '') end = Math.min(end, Number(b));
        }
        if (start > end || start >= st.size) {
          res.writeHead(416, { 'Content-Range': `bytes */${st.size}` });
          res.end();
          return;
        }
        status = 206;
      }
    }
    const headers: Record<string, string | number> = {
      'Content-Type': record.contentType,
      'Content-Length': end - start + 1,
      'Last-Modified': st.mtime.toUTCString(),
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, max-age=0',
      // Stored bytes come from users; never let a browser reinterpret them.
      'X-Content-Type-Options': 'nosniff',
    };
    // Served from the local console's origin: an uploaded page or SVG opened in a tab must not run as it.
    if (/^(text\/html|image\/svg|application\/xml|text\/xml)/.test(record.contentType)) headers['Content-Security-Policy'] = 'sandbox';
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || st.size === 0) {
      res.end();
      return;
    }
    const stream = fs.createReadStream(blobPath(cloudPath), { start, end });
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  async function handleMultipartUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const failJson = (status: number, code: string, message: string): void => {
      if (!req.complete) drain(req);
      sendJson(res, status, { statusCode: status, code, message });
    };
    if (req.method !== 'POST') return failJson(405, 'METHOD_NOT_ALLOWED', 'use POST');
    const openidHeader = req.headers['x-local-openid'];
    const owner = typeof openidHeader === 'string' ? openidHeader : '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(owner)) {
      return failJson(401, 'UNAUTHENTICATED', 'missing or invalid x-local-openid header');
    }
    const boundary = multipartBoundary(req.headers['content-type']);
    if (!boundary) return failJson(400, 'INVALID_PARAM', 'expected multipart/form-data with a boundary');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      return failJson(413, 'FILE_TOO_LARGE', `file exceeds the ${maxUploadBytes}-byte upload limit`);
    }
    if (takeFault('httpUpload')) return failJson(500, 'STORAGE_REQUEST_FAIL', 'storage request fail (injected)');

    const parser = new MultipartParser(boundary);
    const fields = new Map<string, string>();
    let tmpFile: string | undefined;
    let fh: fsp.FileHandle | undefined;
    let fileSize = 0;
    let fileParts = 0;
    let current: { kind: 'file' } | { kind: 'field'; name: string; chunks: Buffer[]; size: number } | { kind: 'skip' } | undefined;
    const cleanup = async (): Promise<void> => {
      if (fh) await fh.close().catch(() => undefined);
      fh = undefined;
      if (tmpFile) await fsp.rm(tmpFile, { force: true });
    };
    try {
      const apply = async (events: MultipartEvent[]): Promise<void> => {
        for (const ev of events) {
          if (ev.type === 'partBegin') {
            if (ev.headers.name === 'file' && ev.headers.filename !== undefined) {
              fileParts++;
              if (fileParts > 1) throw new HttpError(400, 'INVALID_PARAM', 'exactly one file part named "file" is expected');
              // Fail before the bytes when the path is already known to be bad.
              const early = fields.get('cloudPath');
              if (early !== undefined) {
                const problem = cloudPathProblem(early) ?? pathConflict(early);
                if (problem) throw new HttpError(400, 'INVALID_PARAM', problem);
                refuseClientWrite(early, owner);
              }
              tmpFile = path.join(tmpDir, crypto.randomUUID());
              fh = await fsp.open(tmpFile, 'w');
              current = { kind: 'file' };
            } else if (fields.size < 32) {
              current = { kind: 'field', name: ev.headers.name, chunks: [], size: 0 };
            } else {
              current = { kind: 'skip' };
            }
          } else if (ev.type === 'data') {
            if (current?.kind === 'file' && fh) {
              fileSize += ev.chunk.length;
              if (fileSize > maxUploadBytes) {
                throw new HttpError(413, 'FILE_TOO_LARGE', `file exceeds the ${maxUploadBytes}-byte upload limit`);
              }
              await fh.write(ev.chunk);
            } else if (current?.kind === 'field') {
              current.size += ev.chunk.length;
              if (current.size > 8 * 1024) throw new HttpError(400, 'INVALID_PARAM', `form field ${current.name} is too long`);
              current.chunks.push(Buffer.from(ev.chunk));
            }
          } else if (ev.type === 'partEnd') {
            if (current?.kind === 'field') fields.set(current.name, Buffer.concat(current.chunks).toString('utf8'));
            if (current?.kind === 'file' && fh) {
              await fh.sync();
              await fh.close();
              fh = undefined;
            }
            current = undefined;
          }
        }
      };
      for await (const chunk of bodyChunks(req)) {
        await apply(parser.write(chunk));
      }
      await apply(parser.end());
      if (!tmpFile || fileParts !== 1) throw new HttpError(400, 'INVALID_PARAM', 'missing file part named "file"');
      const cloudPath = fields.get('cloudPath');
      const problem = cloudPathProblem(cloudPath);
      if (problem) throw new HttpError(400, 'INVALID_PARAM', problem);
      await commit(tmpFile, cloudPath as string, fileSize, owner, true);
      tmpFile = undefined;
      sendJson(res, 200, { fileID: fileIdOf(cloudPath as string), statusCode: 200 });
    } catch (err) {
      await cleanup();
      if (err instanceof HttpError) return failJson(err.status, err.code, err.message);
      if (err instanceof MultipartError) return failJson(400, 'INVALID_PARAM', err.message);
      return failJson(500, 'STORAGE_REQUEST_FAIL', 'storage request fail');
    }
  }

  function httpHandler(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    let work: Promise<void>;
    if (url.pathname.startsWith('/storage/put/')) {
      work = handlePut(req, res, url.pathname.slice('/storage/put/'.length));
    } else if (url.pathname.startsWith('/storage/file/')) {
      work = handleGet(req, res, url);
    } else if (url.pathname === '/storage/upload') {
      work = handleMultipartUpload(req, res);
    } else {
      return false;
    }
    work.catch(() => {
      if (!res.headersSent) sendJson(res, 500, { statusCode: 500, code: 'SYS_ERR', message: 'system error' });
      else res.destroy();
    });
    return true;
  }

  // ---- console & tests -------------------------------------------------------------

  function matching(prefix: string | undefined): MetaRecord[] {
    const out: MetaRecord[] = [];
    for (const [cloudPath, record] of index) {
      if (prefix === undefined || cloudPath.startsWith(prefix)) out.push(record);
    }
    return out;
  }

  return {
    handle,
    client,
    httpHandler,
    bucket,
    fileIdOf,
    list({ prefix, offset = 0, limit = 100 } = {}) {
      return matching(prefix)
        .sort((a, b) => (a.cloudPath < b.cloudPath ? -1 : a.cloudPath > b.cloudPath ? 1 : 0))
        .slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit))
        .map(toInfo);
    },
    count({ prefix } = {}) {
      return prefix === undefined ? index.size : matching(prefix).length;
    },
    signedPath(cloudPath, maxAgeS = DEFAULT_MAX_AGE_S) {
      return signedPath(cloudPath, maxAgeS);
    },
    failNext(action, times = 1, skip = 0) {
      const known: StorageFaultAction[] = ['getUploadMetadata', 'uploadFile', 'getTempFileURL', 'deleteFile', 'downloadFile', 'httpUpload'];
      if (!known.includes(action)) throw new Error(`unknown storage fault action: ${String(action)}`);
      faults.set(action, (faults.get(action) ?? 0) + times);
      if (skip > 0) skips.set(action, skip);
    },
  };
}

/**
 * Request body chunks whose early exit leaves the socket open: the default iterator destroys
 * the request, and the client would see a reset instead of our 413/4xx answer.
 */
function bodyChunks(req: IncomingMessage): AsyncIterable<Buffer> {
  const iterator = req.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  return { [Symbol.asyncIterator]: () => iterator };
}

// ---- multipart/form-data --------------------------------------------------------------

function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

export interface MultipartPartHeaders {
  name: string;
  filename?: string;
  contentType?: string;
}

export type MultipartEvent =
  { type: 'partBegin'; headers: MultipartPartHeaders } | { type: 'data'; chunk: Buffer } | { type: 'partEnd' } | { type: 'end' };

export class MultipartError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PREAMBLE_BYTES = 64 * 1024;

/**
 * Incremental RFC 7578 parser: feed chunks, get events; keeps only a delimiter's worth of
 * bytes between calls so a large file part never sits in memory.
 */
export class MultipartParser {
  private readonly delimiter: Buffer;
  private buf: Buffer;
  private state: 'preamble' | 'afterBoundary' | 'headers' | 'body' | 'done' = 'preamble';
  private preambleSeen = 0;

  constructor(boundary: string) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    // A leading CRLF lets the first boundary match the same delimiter as the others.
    this.buf = Buffer.from(CRLF);
  }

  write(chunk: Buffer): MultipartEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return this.run();
  }

  end(): MultipartEvent[] {
    const events = this.run();
    if (this.state !== 'done') throw new MultipartError('multipart body ended early');
    return events;
  }

  private run(): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    for (;;) {
      if (this.state === 'preamble') {
        const i = this.buf.indexOf(this.delimiter);
        if (i < 0) {
          const keep = this.delimiter.length - 1;
          if (this.buf.length > keep) {
            this.preambleSeen += this.buf.length - keep;
            this.buf = this.buf.subarray(this.buf.length - keep);
          }
          if (this.preambleSeen > MAX_PREAMBLE_BYTES) throw new MultipartError('multipart boundary not found');
          return events;
        }
        this.buf = this.buf.subarray(i + this.delimiter.length);
        this.state = 'afterBoundary';
      } else if (this.state === 'afterBoundary') {
        if (this.buf.length < 2) return events;
        const two = this.buf.subarray(0, 2).toString('latin1');
        if (two === '--') {
          this.state = 'done';
          this.buf = Buffer.alloc(0);
          events.push({ type: 'end' });
          return events;
        }
        if (two !== '\r\n') throw new MultipartError('malformed multipart boundary line');
        this.buf = this.buf.subarray(2);
        this.state = 'headers';
      } else if (this.state === 'headers') {
        const i = this.buf.indexOf(HEADER_END);
        if (i < 0) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers too large');
          return events;
        }
        const headers = parsePartHeaders(this.buf.subarray(0, i).toString('utf8'));
        this.buf = this.buf.subarray(i + HEADER_END.length);
        this.state = 'body';
        events.push({ type: 'partBegin', headers });
      } else if (this.state === 'body') {
        const i = this.buf.indexOf(this.delimiter);
        if (i < 0) {
          const safe = this.buf.length - (this.delimiter.length - 1);
          if (safe > 0) {
            events.push({ type: 'data', chunk: this.buf.subarray(0, safe) });
            this.buf = this.buf.subarray(safe);
          }
          return events;
        }
        if (i > 0) events.push({ type: 'data', chunk: this.buf.subarray(0, i) });
        events.push({ type: 'partEnd' });
        this.buf = this.buf.subarray(i + this.delimiter.length);
        this.state = 'afterBoundary';
      } else {
        // Epilogue after the closing boundary is ignored, as RFC 2046 says.
        this.buf = Buffer.alloc(0);
        return events;
      }
    }
  }
}

function parsePartHeaders(block: string): MultipartPartHeaders {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') contentType = value;
    if (key !== 'content-disposition') continue;
    if (!/^form-data\b/i.test(value)) throw new MultipartError('multipart part is not form-data');
    const paramRe = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
    for (let m = paramRe.exec(value); m; m = paramRe.exec(value)) {
      const paramName = (m[1] ?? '').toLowerCase();
      const paramValue = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
      if (paramName === 'name') name = paramValue;
      else if (paramName === 'filename') filename = paramValue;
    }
  }
  if (name === undefined) throw new MultipartError('multipart part without a name');
  const headers: MultipartPartHeaders = { name };
  if (filename !== undefined) headers.filename = filename;
  if (contentType !== undefined) headers.contentType = contentType;
  return headers;
}
