/**
 * Picking photos and chat files. Returns plain lists; a person backing out
 * of a picker yields an empty list, not an error.
 */
import { REPORT_LIMITS } from '../shared/api';
import { isCancel } from '../utils/platform';

export interface PickedFile {
  path: string;
  size: number;
  /** Original name (chat files); empty for photos, which have none worth keeping. */
  name: string;
}

export function chooseImages(max: number): Promise<PickedFile[]> {
  if (max <= 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    wx.chooseMedia({
      count: max,
      mediaType: ['image'],
      // Photos travel over weak networks: the platform's compressed copy is plenty for evidence.
      sizeType: ['compressed'],
      sourceType: ['album', 'camera'],
      success: (res) => resolve(res.tempFiles.slice(0, max).map((f) => ({ path: f.tempFilePath, size: f.size, name: '' }))),
      fail: (err) => (isCancel(err) ? resolve([]) : reject(err)),
    });
  });
}

const EXTENSIONS: readonly string[] = REPORT_LIMITS.fileExtensions;

/** Whether a chat file's extension is one the office accepts. */
export function allowedFileName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && EXTENSIONS.includes(name.slice(dot + 1).toLowerCase());
}

export interface ChosenFiles {
  files: PickedFile[];
  /** Names refused for their type (the picker's filter is not enforced on every client). */
  refused: string[];
}

export function chooseChatFiles(max: number): Promise<ChosenFiles> {
  if (max <= 0) return Promise.resolve({ files: [], refused: [] });
  return new Promise((resolve, reject) => {
    wx.chooseMessageFile({
      count: max,
      type: 'file',
      extension: [...EXTENSIONS],
      success: (res) => {
        const files: PickedFile[] = [];
        const refused: string[] = [];
        for (const f of res.tempFiles) {
          if (allowedFileName(f.name) && files.length < max) files.push({ path: f.path, size: f.size, name: f.name });
          else refused.push(f.name);
        }
        resolve({ files, refused });
      },
      fail: (err) => (isCancel(err) ? resolve({ files: [], refused: [] }) : reject(err)),
    });
  });
}
