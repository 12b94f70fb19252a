/**
 * Report drafts in local storage, one per (assignment, round), so a
 * half-written report survives the app being closed or killed.
 * Only uploaded evidence is kept: temp file paths do not outlive the app.
 */
import type { EvidenceInput, LinkInput, Progress } from '../shared/api';

export interface ReportDraft {
  text: string;
  progress: Progress | '';
  images: EvidenceInput[];
  files: EvidenceInput[];
  links: LinkInput[];
  /** Set by a submit attempt; kept so a retry after a lost answer is not a second report. */
  requestId: string;
  savedAt: number;
}

const PREFIX = 'report-draft:';

export const draftKey = (assignmentId: string, roundId: string) => `${PREFIX}${assignmentId}:${roundId}`;

const isEvidence = (v: unknown): v is EvidenceInput =>
  !!v &&
  typeof (v as EvidenceInput).fileID === 'string' &&
  typeof (v as EvidenceInput).name === 'string' &&
  typeof (v as EvidenceInput).size === 'number';
const isLink = (v: unknown): v is LinkInput => !!v && typeof (v as LinkInput).url === 'string';

/** The stored draft, or null; anything malformed (an older app version) is ignored. */
export function loadDraft(key: string): ReportDraft | null {
  let raw: unknown;
  try {
    raw = wx.getStorageSync(key);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const d = raw as Partial<ReportDraft>;
  return {
    text: typeof d.text === 'string' ? d.text : '',
    progress: d.progress === 'ongoing' || d.progress === 'done' ? d.progress : '',
    images: Array.isArray(d.images) ? d.images.filter(isEvidence) : [],
    files: Array.isArray(d.files) ? d.files.filter(isEvidence) : [],
    links: Array.isArray(d.links) ? d.links.filter(isLink).map((l) => ({ url: l.url, title: l.title ?? '' })) : [],
    requestId: typeof d.requestId === 'string' ? d.requestId : '',
    savedAt: typeof d.savedAt === 'number' ? d.savedAt : 0,
  };
}

export function saveDraft(key: string, draft: ReportDraft): void {
  try {
    wx.setStorageSync(key, draft);
  } catch {
    // Storage full (10 MB per mini program): losing a draft beats breaking the form.
  }
}

export function clearDraft(key: string): void {
  try {
    wx.removeStorageSync(key);
  } catch {
    // Nothing to do: a stale draft is harmless and replaced on the next save.
  }
}

/** Saves at most once per `ms` of quiet typing; `flush` writes now (page hidden or closed). */
export function draftSaver(key: string, ms = 600) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: (() => ReportDraft) | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const read = pending;
    pending = undefined;
    if (read) saveDraft(key, { ...read(), savedAt: Date.now() });
  };
  return {
    schedule(read: () => ReportDraft) {
      pending = read;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(flush, ms);
    },
    flush,
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
