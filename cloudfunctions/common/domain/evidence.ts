/**
 * Rules for the evidence a report carries: uploaded files must sit under the
 * reporting unit's own upload prefix in this environment, files from chats
 * must have an accepted extension, links must be plain http(s) URLs.
 * Pure: existence of the file in storage is checked by the caller.
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

/** Why `fileID` cannot be evidence of `unitId`'s report, or null when its shape is acceptable. */
export function fileIdProblem(fileID: string, unitId: string, env: string | undefined): string | null {
  const issue = fileIdIssue(fileID, uploadPrefix(unitId), env);
  if (issue === 'format') return '附件地址格式不正确，请重新上传';
  if (issue === 'env') return '附件不属于本系统，请重新上传';
  if (issue === 'prefix') return '附件不是本单位上传的，请重新上传';
  return null;
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
