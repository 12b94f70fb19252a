/**
 * Read-check-write of one document, with its audit entry, as one commit.
 *
 * `db.runTransaction` retries the callback when another writer changed the
 * document first, so a decision (approve, re-bind, close …) is always made
 * on the current state, and the state change and its audit record land
 * together or not at all. Transactions work on single documents by `_id`
 * plus `add` — exactly what these actions need.
 */
import { db } from './cloud';
import type { AuditDoc } from './records';
import { C } from './schema';

interface TxDocRef {
  get(): Promise<{ data: unknown }>;
  set(options: { data: object }): Promise<unknown>;
  update(options: { data: object }): Promise<unknown>;
}
interface TxCollection {
  doc(id: string): TxDocRef;
  add(options: { data: object }): Promise<unknown>;
}
/** The part of the SDK's transaction object we use (the SDK types it as any). */
export interface Tx {
  collection(name: string): TxCollection;
}

export async function inTransaction<T>(run: (tx: Tx) => Promise<T>): Promise<T> {
  return (await db.runTransaction(run)) as T;
}

/** The document `id` of `collection` as the transaction sees it, or null. */
export async function txGet<T>(tx: Tx, collection: string, id: string): Promise<T | null> {
  try {
    const res = await tx.collection(collection).doc(id).get();
    return (res.data as T | null | undefined) ?? null;
  } catch (err) {
    // wx-server-sdk's doc().get() throws its own "document with _id … does not exist" for a
    // missing document; the read still counts for conflict detection.
    const message = err && typeof err === 'object' ? String((err as { errMsg?: unknown }).errMsg) : String(err);
    if (message.includes('does not exist')) return null;
    throw err;
  }
}

/** Writes the whole document (all fields but `_id`). */
export async function txPut<T extends { _id: string }>(tx: Tx, collection: string, doc: T): Promise<void> {
  const { _id, ...fields } = doc;
  await tx.collection(collection).doc(_id).set({ data: fields });
}

/** Appends an audit entry in the same commit; `detail` must not hold phone numbers. */
export async function txAudit(tx: Tx, actor: string, action: string, target: string, detail?: Record<string, unknown>): Promise<void> {
  const doc: AuditDoc = { at: new Date(), actor, action, target };
  if (detail) doc.detail = detail;
  await tx.collection(C.audit).add({ data: doc });
}
