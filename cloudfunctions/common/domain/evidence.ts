/**
 * Rules for the evidence a report carries: uploaded files must sit under the
 * reporting unit's own upload prefix in this environment, photos and files
 * from chats must have an accepted extension that the stored file's name
 * shares, and what storage holds must be the size the client reported (at
 * most REPORT_LIMITS.fileBytes) and, for a photo, a picture. Links must be
 * plain http(s) URLs. Pure: reading the stored file is the caller's part.
 */
import { REPORT_LIMITS, uploadPrefix } from '../../../miniprogram/shared/api';

export const MAX_LINK_LENGTH = 500;

export interface ParsedFileId {
  env: string;
  bucket: string;
  path: string;
}

/** `cloud://<env>.<bucket>/<path>`; env ids have no dots, buckets no slashes. */
const FILE_ID = /^cloud:\/\/([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\/(.+)$/;

export function parseFileId(fileID: string): ParsedFileId | null {
  const m = FILE_ID.exec(fileID);
  if (!m) return null;
  return { env: m[1] as string, bucket: m[2] as string, path: m[3] as string };
}

/**
 * Why `fileID` is not a file under `prefix` in this environment: its shape
 * (`format`), another environment (`env`), or another folder (`prefix`);
 * null when it is. `env` is the environment the function runs in, when
 * known: a fileID of another environment is never ours.
 */
export function fileIdIssue(fileID: string, prefix: string, env: string | undefined): 'format' | 'env' | 'prefix' | null {
  const parsed = parseFileId(fileID);
  if (!parsed) return 'format';
  if (env !== undefined && parsed.env !== env) return 'env';
  // Segment rules first: a '..' could otherwise climb out of the folder.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(parsed.path)) return 'format';
  if (parsed.path.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'format';
  if (!parsed.path.startsWith(prefix) || parsed.path.length === prefix.length) return 'prefix';
  return null;
}

/**
 * Why `fileID` cannot be evidence of a report `openid` submits for `unitId`,
 * or null when its shape is acceptable: the caller's own upload for the unit
 * (`units/<unitId>/<openid>/…`), or a copy the server made for an earlier
 * report of the unit (引用上次报送 re-uses those). The storage rule cannot see
 * a caller's unit, so this check is what keeps evidence within the unit.
 */
export function fileIdProblem(fileID: string, unitId: string, openid: string, env: string | undefined): string | null {
  const asCopy = fileIdIssue(fileID, `${EVIDENCE_ROOT}${unitId}/`, env);
  const issue = asCopy === null ? null : fileIdIssue(fileID, uploadPrefix(unitId, openid), env);
  if (issue === 'format') return '附件地址格式不正确，请重新上传';
  if (issue === 'env') return '附件不属于本系统，请重新上传';
  if (issue === 'prefix') {
    // Same unit, another person's folder: say so, it is not "another unit".
    return fileIdIssue(fileID, `units/${unitId}/`, env) === null ? '附件不是您本人上传的，请重新上传' : '附件不是本单位上传的，请重新上传';
  }
  return null;
}

/**
 * Folder of one report's server-side evidence: `evidence/<unitId>/<key>/`,
 * where key is derived from the submit's request key, so it is one folder
 * per report, known before the version number is, and the same for a
 * retried submit. Snapshots of a report's links can live beside the files.
 */
export function evidenceFolder(unitId: string, requestKeyHash: string): string {
  return `${EVIDENCE_ROOT}${unitId}/${requestKeyHash}/`;
}

/** Everything under this prefix is written by the functions only (see the storage rule). */
export const EVIDENCE_ROOT = 'evidence/';

/** `<folder><n>-<token>.<ext>`: the position keeps the order, the extension the type; names stay ASCII. */
export function evidenceCopyPath(folder: string, n: number, token: string, name: string): string {
  const ext = fileExtension(name);
  return `${folder}${n}-${token}${ext ? `.${ext}` : ''}`;
}

/** Lower-case extension of a file name without the dot, or '' when it has none. */
export function fileExtension(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 || dot === base.length - 1 ? '' : base.slice(dot + 1).toLowerCase();
}

export function fileNameProblem(name: string): string | null {
  const ext = fileExtension(name);
  if (!(REPORT_LIMITS.fileExtensions as readonly string[]).includes(ext)) {
    return `只能上传 ${REPORT_LIMITS.fileExtensions.join('、')} 格式的文件，请换一个文件`;
  }
  return null;
}

export function imageNameProblem(name: string): string | null {
  if (!(REPORT_LIMITS.imageExtensions as readonly string[]).includes(fileExtension(name))) {
    return `照片只能是 ${REPORT_LIMITS.imageExtensions.join('、')} 格式，请换一张`;
  }
  return null;
}

/**
 * The stored file's own name must have the extension the person sees: the app
 * names uploads `<random>-<safe name>` with the original extension, so a
 * mismatch is a file swapped behind the name (a program passed off as a pdf).
 */
export function storedNameProblem(fileID: string, name: string): string | null {
  const parsed = parseFileId(fileID);
  if (!parsed) return '附件地址格式不正确，请重新上传';
  if (fileExtension(parsed.path) !== fileExtension(name)) return '附件文件的类型与名称不一致，请删除后重新上传';
  return null;
}

const MB = 1024 * 1024;

/** Why a size the client reported is unacceptable, or null. */
export function sizeProblem(size: number): string | null {
  if (size === 0) return '附件是空文件，请删除后重新选择';
  if (size > REPORT_LIMITS.fileBytes) return `单个附件不能超过 ${REPORT_LIMITS.fileBytes / MB} MB，请压缩或拆分后再上传`;
  return null;
}

/** What storage holds against what the client reported. */
export function storedSizeProblem(reported: number, stored: number): string | null {
  if (stored > REPORT_LIMITS.fileBytes) return `单个附件不能超过 ${REPORT_LIMITS.fileBytes / MB} MB，请压缩或拆分后再上传`;
  if (stored !== reported) return '附件大小与已上传的文件不一致，请删除后重新上传';
  return null;
}

/** Bytes of a file's start that `isPicture` needs. */
export const SNIFF_BYTES = 16;

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * Whether a file's first bytes are a picture in one of the accepted formats
 * (JPEG, PNG, GIF, WebP, HEIF/HEIC). Documents are not sniffed: exports of
 * government systems often carry .xls or .doc names on HTML or RTF content,
 * which the office opens every day.
 */
export function isPicture(head: Uint8Array): boolean {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return true;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return true;
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return true;
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return true;
  // ISO base media: a box size, then `ftyp` and a HEIF brand.
  if (startsWith(head, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...Array.from(head.subarray(8, 12)));
    return ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand);
  }
  return false;
}

/** Why `url` is not an acceptable evidence link, or null. */
export function linkProblem(url: string): string | null {
  if (url.length > MAX_LINK_LENGTH) return `链接不能超过 ${MAX_LINK_LENGTH} 个字符`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '链接格式不正确，请粘贴以 http:// 或 https:// 开头的完整网址';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return '只能填写以 http:// 或 https:// 开头的网址';
  }
  if (!parsed.hostname) return '链接格式不正确，请粘贴完整网址';
  return null;
}
