/**
 * One way to upload a file, whatever the backend: wx.cloud.uploadFile on
 * the cloud, wx.uploadFile to the local cloud's `/storage/upload` in a
 * development build. Both can be aborted; progress is reported when the
 * client gives an UploadTask (see asUploadTask).
 */
import { asUploadTask, backend, localCloudUrl, localOpenid, type TaskLike } from '../utils/platform';

export interface UploadRequest {
  filePath: string;
  cloudPath: string;
  /** 0–100, as the platform reports it. */
  onProgress?: (percent: number) => void;
}

export interface UploadHandle {
  /** Resolves with the fileID; rejects with an UploadError. */
  done: Promise<string>;
  abort(): void;
}

export class UploadError extends Error {
  constructor(
    message: string,
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

const FAILED = '上传失败，请检查网络后点「重试」';

export function uploadFile(req: UploadRequest): UploadHandle {
  let aborted = false;
  let task: TaskLike | undefined;
  const done = new Promise<string>((resolve, reject) => {
    const fail = () => reject(new UploadError(aborted ? '已取消上传' : FAILED, aborted));
    if (backend() === 'local') {
      task = wx.uploadFile({
        url: `${localCloudUrl()}/storage/upload`,
        filePath: req.filePath,
        name: 'file',
        formData: { cloudPath: req.cloudPath },
        header: { 'x-local-openid': localOpenid() },
        success: (res) => {
          const fileID = res.statusCode === 200 ? parseFileId(res.data) : undefined;
          if (fileID) resolve(fileID);
          else fail();
        },
        fail,
      });
    } else {
      const returned: unknown = wx.cloud.uploadFile({
        cloudPath: req.cloudPath,
        filePath: req.filePath,
        success: (res) => (res.fileID ? resolve(res.fileID) : fail()),
        fail,
      });
      task = asUploadTask(returned, (fileID) => (fileID ? resolve(fileID) : fail()), fail);
    }
    // Without a task (see asUploadTask) there is no progress: the page shows 上传中 until done.
    if (req.onProgress) task?.onProgressUpdate((p) => req.onProgress?.(p.progress));
  });
  return {
    done,
    abort() {
      aborted = true;
      task?.abort();
    },
  };
}

function parseFileId(body: unknown): string | undefined {
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { fileID?: unknown };
    return typeof parsed.fileID === 'string' && parsed.fileID ? parsed.fileID : undefined;
  } catch {
    return undefined;
  }
}
