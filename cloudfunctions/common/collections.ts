/**
 * Every collection exists before the first action runs, in any environment:
 * a new 云开发 environment has none, and nobody has to create them in the
 * console. Once per cold start: one read of the `settings` document
 * `schema`; only when it is missing or does not list every collection of
 * this code (a new version added one) are the collections created
 * (`db.createCollection`, refused for one that exists — that refusal is the
 * expected answer, not an error).
 */
import { db, first } from './cloud';
import { C } from './schema';

const SCHEMA_MARKER = 'schema';

interface SchemaMarker {
  _id: string;
  /** The collections known to exist. */
  collections: string[];
  at: Date;
}

function errorText(err: unknown): string {
  const e = err as { errMsg?: unknown; message?: unknown; code?: unknown } | null;
  return `${String(e?.code ?? '')} ${String(e?.errMsg ?? '')} ${String(e?.message ?? '')}`;
}

const alreadyExists = (err: unknown) => /ALREADY_EXIST|already exist|Table exist/i.test(errorText(err));
const collectionMissing = (err: unknown) => /COLLECTION_NOT_EXIST|not exist/i.test(errorText(err));

async function recordedCollections(): Promise<string[]> {
  try {
    const marker = await first<SchemaMarker>(db.collection(C.settings).where({ _id: SCHEMA_MARKER }).limit(1));
    return marker?.collections ?? [];
  } catch (err) {
    // A brand-new environment: not even `settings` yet.
    if (collectionMissing(err)) return [];
    throw err;
  }
}

/** Creates every collection of `C` that is missing; returns the names it created. */
export async function createCollections(): Promise<string[]> {
  const names: string[] = Object.values(C);
  const created = await Promise.all(
    names.map(async (name) => {
      try {
        await db.createCollection(name);
        return name;
      } catch (err) {
        if (alreadyExists(err)) return null;
        throw err;
      }
    }),
  );
  const marker: Omit<SchemaMarker, '_id'> = { collections: names, at: new Date() };
  await db.collection(C.settings).doc(SCHEMA_MARKER).set({ data: marker });
  return created.filter((n): n is string => n !== null);
}

let ready: Promise<void> | null = null;

/** Resolves once the collections are known to exist; cheap after the first call of an instance. */
export function collectionsReady(): Promise<void> {
  ready ??= (async () => {
    const known = new Set(await recordedCollections());
    if (Object.values(C).every((name) => known.has(name))) return;
    await createCollections();
  })().catch((err: unknown) => {
    // Not cached: the next call tries again.
    ready = null;
    throw err;
  });
  return ready;
}

/**
 * Forgets that this instance has checked. On the platform an instance never
 * changes environment; the local test cloud starts new environments under
 * the same loaded modules and calls this for each.
 */
export function forgetCollectionsCheck(): void {
  ready = null;
}
