/**
 * Files the ledger function writes and reads: a private temp folder per
 * call (the platform gives /tmp; removed in `finally`), uploads of what it
 * wrote to cloud storage from a read stream, and downloads from temporary
 * URLs streamed to a file or into a capped buffer, never a whole archive's
 * worth in memory.
 */
import fs from 'fs';
import fsp from 'fs/promises';
import http from 'http';
import https from 'https';
import os from 'os';
import path from 'path';
import { pipeline } from 'stream/promises';
import { Writable } from 'stream';
import type { LedgerFileView } from '../../../miniprogram/shared/ledger-api';
import { cloud } from '../../common/cloud';
import { ApiFailure } from '../../common/envelope';
import { tempUrlBatch } from '../../common/storage';

/** Links the office copies to the PC stay valid this long. */
export const LINK_SECONDS = 2 * 60 * 60;
/** One download may stall this long before it counts as failed. */
const DOWNLOAD_IDLE_MS = 30_000;

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ledger-'));
  try {
    return await run(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** A file name safe on Windows, macOS and in a zip: no separators or reserved characters, at most `max` characters. */
export function safeName(name: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  let out = name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_').trim();
  out = out.replace(/^[.\s]+|[.\s]+$/g, '');
  const chars = [...out];
  if (chars.length > max) {
    const dot = out.lastIndexOf('.');
    const ext = dot > 0 && out.length - dot <= 10 ? out.slice(dot) : '';
    out = chars.slice(0, max - [...ext].length).join('') + ext;
  }
  return out === '' ? '未命名' : out;
}

/** Uploads `file` to `cloudPath` and returns it with a temporary link for the PC. */
export async function publish(file: string, cloudPath: string, name: string): Promise<LedgerFileView> {
  const size = (await fsp.stat(file)).size;
  let fileID: string;
  try {
    const res = (await cloud.uploadFile({ cloudPath, fileContent: fs.createReadStream(file) })) as { fileID: string };
    fileID = res.fileID;
  } catch (err) {
    console.error(`[ledger] upload of ${cloudPath} failed: ${err instanceof Error ? err.message : String(err)}`);
    throw new ApiFailure('INTERNAL', '文件已生成，但保存到云存储失败，请稍后重试');
  }
  const expiresAt = new Date(Date.now() + LINK_SECONDS * 1000).toISOString();
  let url = '';
  try {
    url = (await tempUrlBatch([fileID], LINK_SECONDS))[0]?.url ?? '';
  } catch {
    // The file is stored: the page can still open it by fileID.
  }
  return { fileID, name, size, url, expiresAt };
}

export class DownloadError extends Error {}
/** The body was larger than the caller accepts. */
export class TooLargeError extends DownloadError {}

/**
 * Streams `url` (a temporary link) into `sink`; resolves to the byte count.
 * Refuses non-200 answers, stalls and bodies over `maxBytes`.
 */
export function download(url: string, sink: Writable, maxBytes = Number.MAX_SAFE_INTEGER): Promise<number> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      // As the SDK's own downloadFile does: temp links may carry unencoded characters.
      target = new URL(encodeURI(url));
    } catch {
      reject(new DownloadError('链接无效'));
      return;
    }
    const get = target.protocol === 'https:' ? https.get : http.get;
    const req = get(target, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new DownloadError(res.statusCode === 404 ? '云存储中已没有这个文件' : `下载失败（HTTP ${res.statusCode}）`));
        return;
      }
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) res.destroy(new TooLargeError(`超过 ${maxBytes} 字节`));
      });
      pipeline(res, sink).then(
        () => resolve(bytes),
        (err: unknown) => reject(err instanceof DownloadError ? err : new DownloadError('下载中断')),
      );
    });
    req.setTimeout(DOWNLOAD_IDLE_MS, () => req.destroy(new DownloadError('下载超时')));
    req.on('error', (err) => reject(err instanceof DownloadError ? err : new DownloadError('无法连接云存储')));
  });
}

/**
 * A download's bytes: kept in memory up to `limit` (most evidence photos), written to `file`
 * beyond it, so a few downloads in flight never hold more than a few `limit`s.
 */
export class SpillSink extends Writable {
  private chunks: Buffer[] = [];
  private held = 0;
  private out: fs.WriteStream | undefined;

  constructor(
    private readonly file: string,
    private readonly limit: number,
  ) {
    super();
  }

  /** The bytes, or the file holding them once the download is complete. */
  get result(): { bytes: Buffer } | { file: string } {
    return this.out ? { file: this.file } : { bytes: Buffer.concat(this.chunks) };
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.out && this.held + chunk.length <= this.limit) {
      this.chunks.push(chunk);
      this.held += chunk.length;
      done();
      return;
    }
    if (!this.out) {
      this.out = fs.createWriteStream(this.file);
      this.out.on('error', (err) => this.destroy(err));
      for (const c of this.chunks) this.out.write(c);
      this.chunks = [];
    }
    if (this.out.write(chunk)) done();
    else this.out.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.out) {
      done();
      return;
    }
    this.out.end(() => done());
  }
}
