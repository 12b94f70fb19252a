/**
 * Picking photos and chat files. Returns plain lists; a person backing out
 * of a picker yields an empty list, not an error.
 */
import { REPORT_LIMITS } from '../shared/api';
import { CHAT_PICTURES, isCancel } from '../utils/platform';

export interface PickedFile {
  path: string;
  size: number;
  /** Original name (chat files); empty for photos, which have none worth keeping. */
  name: string;
}

export interface Chosen {
  files: PickedFile[];
  /** Names refused for their type (the picker's filter is not enforced on every client). */
  refused: string[];
  /** Names refused for their size (over REPORT_LIMITS.fileBytes): the server would refuse them after the upload. */
  tooLarge: string[];
}

const NONE: Chosen = { files: [], refused: [], tooLarge: [] };

/** Lower-case extension of a name or temp path, '' when it has none. */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** A photo's extension from its temp path; a path without one is a JPEG, as the camera makes. */
export function photoExtension(filePath: string): string {
  return /\.([A-Za-z0-9]{2,5})$/.exec(filePath)?.[1]?.toLowerCase() ?? 'jpg';
}

/** Sorts picked files into those to upload and those the server would refuse. */
function sortOut(picked: PickedFile[], max: number, kind: 'photo' | 'file'): Chosen {
  const out: Chosen = { files: [], refused: [], tooLarge: [] };
  const extensions: readonly string[] = kind === 'photo' ? REPORT_LIMITS.imageExtensions : REPORT_LIMITS.fileExtensions;
  for (const f of picked) {
    const ext = kind === 'photo' ? photoExtension(f.path) : extensionOf(f.name);
    const label = kind === 'photo' ? `照片（${ext}）` : f.name;
    if (!extensions.includes(ext)) out.refused.push(label);
    else if (f.size > REPORT_LIMITS.fileBytes) out.tooLarge.push(label);
    else if (out.files.length < max) out.files.push(f);
  }
  return out;
}

export function chooseImages(max: number): Promise<Chosen> {
  if (max <= 0) return Promise.resolve(NONE);
  return new Promise((resolve, reject) => {
    wx.chooseMedia({
      count: max,
      mediaType: ['image'],
      // Photos travel over weak networks: the platform's compressed copy is plenty for evidence.
      sizeType: ['compressed'],
      sourceType: ['album', 'camera'],
      success: (res) => {
        const picked = res.tempFiles.map((f) => ({ path: f.tempFilePath, size: f.size, name: '' }));
        resolve(sortOut(picked, max, 'photo'));
      },
      fail: (err) => (isCancel(err) ? resolve(NONE) : reject(err)),
    });
  });
}

const EXTENSIONS: readonly string[] = REPORT_LIMITS.fileExtensions;

function chooseFromChat(max: number, kind: 'photo' | 'file'): Promise<Chosen> {
  if (max <= 0) return Promise.resolve(NONE);
  return new Promise((resolve, reject) => {
    wx.chooseMessageFile({
      count: max,
      // 'file' leaves out pictures sent in chats (see CHAT_PICTURES).
      ...(kind === 'photo' ? { type: CHAT_PICTURES } : { type: 'file' as const, extension: [...EXTENSIONS] }),
      success: (res) => {
        const picked = res.tempFiles.map((f) => ({ path: f.path, size: f.size, name: f.name }));
        resolve(sortOut(picked, max, kind));
      },
      fail: (err) => (isCancel(err) ? resolve(NONE) : reject(err)),
    });
  });
}

/** Documents (PDF, Word, Excel…) sent in chats. */
export const chooseChatFiles = (max: number): Promise<Chosen> => chooseFromChat(max, 'file');

/** Pictures sent in chats (photos a colleague forwarded), kept as photos. */
export const chooseChatImages = (max: number): Promise<Chosen> => chooseFromChat(max, 'photo');
