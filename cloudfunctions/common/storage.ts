/**
 * Cloud storage reads shared by the functions. getTempFileURL takes at most
 * 50 fileIDs per call, so every caller goes through these batches.
 */
import { cloud } from './cloud';

/** The most fileIDs one getTempFileURL call takes. */
export const TEMP_URL_BATCH = 50;

export interface TempUrl {
  fileID: string;
  /** '' when storage answered for the file with an error (typically: it no longer exists). */
  url: string;
  status: number;
}

/** Temporary links of `fileIDs` (one batch of at most 50); throws when the call itself fails. */
export async function tempUrlBatch(fileIDs: readonly string[], maxAge: number): Promise<TempUrl[]> {
  if (fileIDs.length > TEMP_URL_BATCH) throw new RangeError(`at most ${TEMP_URL_BATCH} fileIDs per getTempFileURL call`);
  if (fileIDs.length === 0) return [];
  const res = (await cloud.getTempFileURL({ fileList: fileIDs.map((fileID) => ({ fileID, maxAge })) })) as {
    fileList: { fileID: string; tempFileURL?: string; status: number }[];
  };
  return res.fileList.map((f) => ({ fileID: f.fileID, url: f.status === 0 ? (f.tempFileURL ?? '') : '', status: f.status }));
}

/** fileID → temporary link; a batch storage refuses leaves its files without links rather than failing the caller. */
export async function tempUrls(fileIDs: readonly string[], maxAge: number, where: string): Promise<Map<string, string>> {
  const unique = [...new Set(fileIDs)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += TEMP_URL_BATCH) batches.push(unique.slice(i, i + TEMP_URL_BATCH));
  const out = new Map<string, string>();
  await Promise.all(
    batches.map(async (batch) => {
      try {
        for (const f of await tempUrlBatch(batch, maxAge)) if (f.url) out.set(f.fileID, f.url);
      } catch {
        console.warn(`[${where}] getTempFileURL failed for ${batch.length} files`);
      }
    }),
  );
  return out;
}
