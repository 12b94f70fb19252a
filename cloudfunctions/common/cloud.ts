/**
 * wx-server-sdk set-up shared by every function. `init` runs at module load
 * so warm instances reuse it; DYNAMIC_CURRENT_ENV makes a function use the
 * environment it is deployed in (the local cloud sets TCB_ENV the same way).
 */
import cloud from 'wx-server-sdk';

// Typed as a symbol in the SDK's d.ts but accepted by init; cast once here.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });

export { cloud };
export const db = cloud.database();
export const _ = db.command;
export type Db = typeof db;

/** Database `get()` returns at most 1000 rows per request even with limit(). */
export const PAGE = 1000;

type Query = ReturnType<Db['collection']>;
type Where = ReturnType<Query['where']>;
/** Anything with a promise-returning `get()` (collection, where, orderBy…). */
interface Gettable {
  get(): unknown;
}
interface Countable {
  count(): unknown;
}

// The SDK's d.ts unions the promise with callback-style returns; these
// helpers state what the promise form yields, in one place.
export async function rows<T>(query: Gettable): Promise<T[]> {
  const res = (await query.get()) as { data: T[] };
  return res.data;
}

export async function first<T>(query: Gettable): Promise<T | undefined> {
  return (await rows<T>(query))[0];
}

export async function total(query: Countable): Promise<number> {
  const res = (await query.count()) as { total: number };
  return res.total;
}

/** Reads every matching document, a page of 1000 at a time. */
export async function fetchAll<T>(query: Query | Where, orderBy = '_id'): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += PAGE) {
    const page = await rows<T>(query.orderBy(orderBy, 'asc').skip(skip).limit(PAGE));
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/** The caller as the platform vouches for it; never taken from the event. */
export function callerOpenid(): string | undefined {
  const { OPENID } = cloud.getWXContext();
  return typeof OPENID === 'string' && OPENID !== '' ? OPENID : undefined;
}

/**
 * Values per `_.in` query. The service documents no cap; a unit has at
 * most a few dozen assignments and a task a few dozen units, so one chunk
 * is the normal case and the chunking only bounds the query size.
 */
const IN_CHUNK = 500;

/** Every document whose `field` is one of `values` (plus `where`), paged and chunked. */
export async function fetchIn<T>(
  collection: string,
  field: string,
  values: readonly string[],
  where: Record<string, unknown> = {},
  projection?: Record<string, true>,
): Promise<T[]> {
  const unique = [...new Set(values)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += IN_CHUNK) chunks.push(unique.slice(i, i + IN_CHUNK));
  const pages = await Promise.all(
    chunks.map((chunk) => {
      const query = db.collection(collection).where({ ...where, [field]: _.in(chunk) });
      return fetchAll<T>(projection ? query.field(projection) : query);
    }),
  );
  return pages.flat();
}

/** Documents per insert request when writing many. */
const ADD_BATCH = 100;

/** Inserts the documents of `docs` whose `_id` is not in `existing`, a batch at a time; returns how many. */
export async function addMissing<T extends { _id: string }>(
  collection: string,
  docs: T[],
  existing: Map<string, unknown>,
): Promise<number> {
  const missing = docs.filter((d) => !existing.has(d._id));
  for (let i = 0; i < missing.length; i += ADD_BATCH) {
    await db.collection(collection).add({ data: missing.slice(i, i + ADD_BATCH) });
  }
  return missing.length;
}

/** A write refused by a unique index or an existing `_id`. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { errMsg?: unknown; message?: unknown } | null;
  const text = `${String(e?.errMsg ?? '')} ${String(e?.message ?? '')}`;
  return /E11000|duplicate key/i.test(text);
}
