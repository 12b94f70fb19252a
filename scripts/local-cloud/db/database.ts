/**
 * Answers the database requests of the real wx-server-sdk (through sdk-seam.ts)
 * the way CloudBase's HTTP API does, on top of the embedded store.
 *
 * Request/response shapes come from @cloudbase/database 1.4.3 (query.js,
 * collection.js, document.js, aggregate.js, transaction/index.js and the legacy
 * transaction.js). Values travel as EJSON strings both ways.
 */
import crypto from 'crypto';
import type { SdkHandler } from '../sdk-seam';
import {
  DocumentStore,
  StoreError,
  applyUpdate,
  cloneValue,
  collectionNotExist,
  fromEjson,
  generateId,
  isDocId,
  isPlainObject,
  orderAndPage,
  project,
  replaceDoc,
  sameDoc,
  toEjson,
  type Doc,
  type DocId,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Projection,
  type SortSpec,
  type WriteOp,
} from './store';

export type { Doc, DocId, Filter, FindOptions, IndexSpec } from './store';

export interface DatabaseBackendOptions {
  dir: string;
  /** fsync every acknowledged write (default true). */
  fsync?: boolean;
  /** Server clock, for db.serverDate() and transaction timeouts. */
  now?: () => Date;
  /** Open transactions older than this are aborted (default 10 s, like the service). */
  transactionTimeoutMs?: number;
  /** Journal size that triggers compaction (default 32 MiB). */
  compactBytes?: number;
}

export interface DatabaseStats {
  /** Requests per SDK action, e.g. `database.getDocument`. */
  requests: Record<string, number>;
  /** Documents the matcher examined; shows whether queries were index-narrowed. */
  docsExamined: number;
}

/**
 * A database failure to inject (tests, fault drills): the matching requests answer `SYS_ERR`,
 * as the service does when it fails, and change nothing.
 */
export interface DatabaseFault {
  /** An SDK action (`database.insertDocument`, `database.commitTransaction` …), 'write' for any request that writes, or 'any'. */
  action: string;
  /** Only requests on this collection (a commit matches when its transaction writes the collection). */
  collection?: string;
  /** Matching requests to let through first (default 0): fail the Nth write. */
  skip?: number;
  /** Matching requests to fail (default 1). */
  times?: number;
}

export interface DatabaseBackend {
  /** Route for the `database.` prefix in installSdkSeam. Never throws. */
  handle: SdkHandler;
  /** Fails the requests `fault` describes; faults are checked in the order they were added. */
  failNext(fault: DatabaseFault): void;
  /** Drops every pending fault. */
  clearFaults(): void;
  ensureCollection(name: string): void;
  createIndex(collection: string, spec: IndexSpec): void;
  listCollections(): { name: string; count: number }[];
  /** The secondary indexes of a collection (none for `_id`, which every collection has). */
  indexNames(collection: string): string[];
  /** Plain copies; no default limit (unlike get()). */
  find(collection: string, filter?: Filter, options?: FindOptions): Record<string, unknown>[];
  count(collection: string, filter?: Filter): number;
  stats(): DatabaseStats;
  resetStats(): void;
  close(): void;
}

/** Limits the service applies to get() inside a cloud function. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** The service returns 20 aggregate results when the pipeline has no $limit. */
const AGGREGATE_DEFAULT_LIMIT = 20;
const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;
/** Requests that write (inside a transaction too); what a 'write' fault matches. */
export const WRITE_ACTIONS: ReadonlySet<string> = new Set([
  'database.insertDocument',
  'database.modifyDocument',
  'database.modifyAndReturnDoc',
  'database.removeDocument',
  'database.commitTransaction',
  'database.updateDocInTransaction',
  'database.deleteDocInTransaction',
]);

type Params = Record<string, unknown> & { action: string };
type Response = Record<string, unknown>;

interface Transaction {
  id: string;
  startedAt: number;
  /** Version of every doc the transaction read or wrote, when it first touched it. */
  reads: Map<string, Map<DocId, number>>;
  /** Buffered writes (null = delete), applied as one journal record on commit. */
  writes: Map<string, Map<DocId, Doc | null>>;
}

/** What a write computes against: the committed store or a transaction's overlay. */
interface View {
  get(coll: string, id: DocId): Doc | undefined;
  select(coll: string, filter: Filter, max?: number): Doc[];
  /** Records that the caller's result depends on these docs (transactions only). */
  touched(coll: string, ids: DocId[]): void;
  write(ops: WriteOp[]): void;
}

export function createDatabaseBackend(opts: DatabaseBackendOptions): DatabaseBackend {
  const store = DocumentStore.open({ dir: opts.dir, fsync: opts.fsync, compactBytes: opts.compactBytes });
  const now = opts.now ?? (() => new Date());
  const txTimeout = opts.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
  const transactions = new Map<string, Transaction>();
  /** Recently ended transactions, so a late call gets a precise message. */
  const ended = new Map<string, string>();
  let requests: Record<string, number> = {};
  let requestCounter = 0;
  let faults: { action: string; collection?: string; skip: number; times: number }[] = [];

  const requestId = (): string => `local-${process.pid.toString(36)}-${(++requestCounter).toString(36)}`;
  const ok = (body: Record<string, unknown>): Response => ({ requestId: requestId(), ...body });

  // ---- parameter parsing ---------------------------------------------------

  function str(params: Params, key: string): string {
    const v = params[key];
    if (typeof v !== 'string' || !v) throw new StoreError('INVALID_PARAM', `${key} must be a non-empty string`);
    return v;
  }

  function ejsonParam(value: unknown, at: Date): unknown {
    if (value === undefined || value === null || value === '') return undefined;
    // The SDK always sends strings; tolerate objects from other callers.
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    try {
      return fromEjson(text, at);
    } catch (err) {
      throw new StoreError('INVALID_PARAM', `malformed EJSON: ${(err as Error).message}`);
    }
  }

  function objectParam(value: unknown, at: Date, what: string): Record<string, unknown> | undefined {
    const parsed = ejsonParam(value, at);
    if (parsed === undefined) return undefined;
    if (!isPlainObject(parsed)) throw new StoreError('INVALID_PARAM', `${what} must be an object`);
    return parsed;
  }

  const filterParam = (params: Params, at: Date): Filter => objectParam(params.query, at, 'query') ?? {};

  function numberParam(value: unknown): number | undefined {
    const n = typeof value === 'string' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : undefined;
  }

  function boolParam(value: unknown, fallback: boolean): boolean {
    return typeof value === 'boolean' ? value : fallback;
  }

  /** The `_id` a DOC-style query names, if it names exactly one. */
  function idFromFilter(filter: Filter): DocId | undefined {
    const v = filter._id;
    if (isDocId(v)) return v;
    if (isPlainObject(v) && Object.keys(v).length === 1 && isDocId(v.$eq)) return v.$eq;
    return undefined;
  }

  function newDocFromWire(raw: unknown, at: Date): Doc {
    const parsed = typeof raw === 'string' ? ejsonParam(raw, at) : raw;
    if (!isPlainObject(parsed)) throw new StoreError('INVALID_PARAM', 'each document must be an object');
    const { _id, ...rest } = parsed;
    const id = _id === undefined ? generateId() : _id;
    if (!isDocId(id)) throw new StoreError('INVALID_PARAM', `unsupported _id: ${toEjson(id)}`);
    return { _id: id, ...rest }; // _id first, as MongoDB stores it
  }

  // ---- transactions ----------------------------------------------------------

  function sweepTransactions(): void {
    const cutoff = now().getTime() - txTimeout;
    for (const tx of transactions.values()) {
      if (tx.startedAt < cutoff) endTransaction(tx, 'aborted after the transaction timeout');
    }
  }

  function endTransaction(tx: Transaction, why: string): void {
    transactions.delete(tx.id);
    ended.set(tx.id, why);
    if (ended.size > 1000) ended.delete(ended.keys().next().value as string);
  }

  function requireTransaction(id: unknown): Transaction {
    const tx = typeof id === 'string' ? transactions.get(id) : undefined;
    if (tx) return tx;
    const why = typeof id === 'string' ? ended.get(id) : undefined;
    throw new StoreError(
      'DATABASE_REQUEST_FAILED',
      `[ResourceUnavailable.TransactionNotExist] Transaction ${String(id)} does not exist${why ? ` (${why})` : ''}. ` +
        `Transactions must be committed or rolled back within ${Math.round(txTimeout / 1000)} seconds.`,
    );
  }

  function noteRead(tx: Transaction, coll: string, id: DocId): void {
    let m = tx.reads.get(coll);
    if (!m) tx.reads.set(coll, (m = new Map()));
    if (!m.has(id)) m.set(id, store.version(coll, id));
  }

  function transactionView(tx: Transaction): View {
    const written = (coll: string): Map<DocId, Doc | null> | undefined => tx.writes.get(coll);
    return {
      get(coll, id) {
        if (!store.hasCollection(coll)) throw collectionNotExist(coll);
        const w = written(coll);
        if (w?.has(id)) return w.get(id) ?? undefined;
        return store.getDoc(coll, id);
      },
      select(coll, filter, max) {
        const w = written(coll);
        if (!w || w.size === 0) return store.select(coll, filter, max);
        // Committed matches minus docs this transaction changed, plus its own versions that match.
        const base = store.select(coll, filter).filter((d) => !w.has(d._id));
        const mine = [...w.values()].filter((d): d is Doc => d !== null);
        const mineMatching = mine.length ? store.matchAll(filter, mine) : [];
        const rank = (d: Doc): number => store.positionOf(coll, d._id) ?? Number.MAX_SAFE_INTEGER;
        const all = [...base, ...mineMatching].sort((a, b) => rank(a) - rank(b));
        return max === undefined ? all : all.slice(0, max);
      },
      touched(coll, ids) {
        for (const id of ids) noteRead(tx, coll, id);
      },
      write(ops) {
        for (const o of ops) {
          if (!store.hasCollection(o.coll)) throw collectionNotExist(o.coll);
          const id = o.op === 'del' ? o.id : o.doc._id;
          noteRead(tx, o.coll, id);
          let w = tx.writes.get(o.coll);
          if (!w) tx.writes.set(o.coll, (w = new Map()));
          if (o.op === 'insert') {
            const exists = w.has(id) ? w.get(id) !== null : store.getDoc(o.coll, id) !== undefined;
            if (exists) {
              throw new StoreError(
                'DATABASE_REQUEST_FAILED',
                `[FailedOperation] E11000 duplicate key error collection: ${o.coll} index: _id_ dup key: { _id: ${toEjson(id)} }`,
              );
            }
          }
          w.set(id, o.op === 'del' ? null : o.doc);
        }
      },
    };
  }

  const storeView: View = {
    get: (coll, id) => store.getDoc(coll, id),
    select: (coll, filter, max) => store.select(coll, filter, max),
    touched: () => undefined,
    write: (ops) => store.commit(ops),
  };

  function viewFor(params: Params): View {
    const txId = params.transactionId;
    return txId === undefined || txId === null || txId === '' ? storeView : transactionView(requireTransaction(txId));
  }

  function commitTransaction(tx: Transaction): void {
    for (const [coll, reads] of tx.reads) {
      for (const [id, seen] of reads) {
        if (store.version(coll, id) !== seen) {
          throw new StoreError(
            'DATABASE_TRANSACTION_CONFLICT',
            '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. ' +
              'Please check your request, but if the problem persists, contact us.',
          );
        }
      }
    }
    const ops: WriteOp[] = [];
    for (const [coll, w] of tx.writes) {
      for (const [id, doc] of w) ops.push(doc === null ? { op: 'del', coll, id } : { op: 'put', coll, doc });
    }
    store.commit(ops);
  }

  // ---- the shared write paths ------------------------------------------------

  interface ModifyResult {
    updated: number;
    matched: number;
    upsertId?: DocId;
    docs: Doc[];
  }

  /** update / set / upsert: the semantics of database.modifyDocument. */
  function modify(
    view: View,
    coll: string,
    filter: Filter,
    data: Record<string, unknown>,
    mode: { multi: boolean; merge: boolean; upsert: boolean },
  ): ModifyResult {
    const matches = view.select(coll, filter, mode.multi ? undefined : 1);
    view.touched(
      coll,
      matches.map((d) => d._id),
    );
    const ops: WriteOp[] = [];
    const docs: Doc[] = [];
    for (const doc of matches) {
      const next = mode.merge ? applyUpdate(doc, data) : { doc: replaceDoc(doc._id, data), changed: false };
      const changed = mode.merge ? next.changed : !sameDoc(doc, next.doc);
      docs.push(next.doc);
      if (changed) ops.push({ op: 'put', coll, doc: next.doc });
    }
    let upsertId: DocId | undefined;
    if (matches.length === 0 && mode.upsert) {
      const id = idFromFilter(filter) ?? generateId();
      const doc = mode.merge ? applyUpdate({ _id: id, ...equalityFields(filter) }, data).doc : replaceDoc(id, data);
      ops.push({ op: 'insert', coll, doc });
      docs.push(doc);
      upsertId = id;
    }
    view.write(ops);
    return { updated: upsertId === undefined ? ops.length : 0, matched: matches.length, upsertId, docs };
  }

  function remove(view: View, coll: string, filter: Filter, multi: boolean): number {
    const matches = view.select(coll, filter, multi ? undefined : 1);
    // Removing a missing doc inside a transaction still depends on it staying missing.
    const named = idFromFilter(filter);
    if (matches.length === 0 && named !== undefined) view.touched(coll, [named]);
    view.write(matches.map((d): WriteOp => ({ op: 'del', coll, id: d._id })));
    return matches.length;
  }

  // ---- actions -----------------------------------------------------------------

  const actions: Record<string, (params: Params, at: Date) => Response> = {
    'database.addCollection'(params) {
      store.createCollection(str(params, 'collectionName'));
      return ok({});
    },

    'database.getDocument'(params, at) {
      const coll = str(params, 'collectionName');
      const view = viewFor(params);
      const filter = filterParam(params, at);
      const sort = objectParam(params.order, at, 'order') as SortSpec | undefined;
      const projection = objectParam(params.projection, at, 'projection') as Projection | undefined;
      const offset = Math.max(0, numberParam(params.offset) ?? 0);
      const requested = numberParam(params.limit);
      const limit = requested === undefined || requested <= 0 ? DEFAULT_LIMIT : Math.min(requested, MAX_LIMIT);
      const hasSort = sort !== undefined && Object.keys(sort).length > 0;
      if (!store.hasCollection(coll)) throw collectionNotExist(coll);
      const matches = view.select(coll, filter, hasSort ? undefined : offset + limit);
      const page = orderAndPage(matches, { sort, skip: offset, limit });
      const id = idFromFilter(filter);
      view.touched(coll, page.length === 0 && id !== undefined ? [id] : page.map((d) => d._id));
      return ok({ data: { list: project(page, projection).map(toEjson), limit, offset } });
    },

    'database.calculateDocument'(params, at) {
      const coll = str(params, 'collectionName');
      const filter = filterParam(params, at);
      const view = viewFor(params);
      const total = view === storeView ? store.count(coll, filter) : view.select(coll, filter).length;
      return ok({ data: { total } });
    },

    'database.insertDocument'(params, at) {
      const coll = str(params, 'collectionName');
      const raw = Array.isArray(params.data) ? params.data : [params.data];
      if (raw.length === 0) throw new StoreError('INVALID_PARAM', 'data must not be empty');
      if (!store.hasCollection(coll)) throw collectionNotExist(coll);
      const docs = raw.map((r) => newDocFromWire(r, at));
      viewFor(params).write(docs.map((doc): WriteOp => ({ op: 'insert', coll, doc })));
      return ok({ data: { insertedIds: docs.map((d) => d._id) } });
    },

    'database.modifyDocument'(params, at) {
      const coll = str(params, 'collectionName');
      const filter = filterParam(params, at);
      const data = objectParam(params.data, at, 'data');
      if (!data) throw new StoreError('INVALID_PARAM', 'data must be a non-empty object');
      const mode = {
        multi: boolParam(params.multi, false),
        merge: boolParam(params.merge, true),
        upsert: boolParam(params.upsert, false),
      };
      if (!store.hasCollection(coll)) throw collectionNotExist(coll);
      const r = modify(viewFor(params), coll, filter, data, mode);
      return ok({ data: { updated: r.updated, matched: r.matched, ...(r.upsertId !== undefined ? { upsert_id: r.upsertId } : {}) } });
    },

    'database.modifyAndReturnDoc'(params, at) {
      const coll = str(params, 'collectionName');
      const filter = filterParam(params, at);
      const data = objectParam(params.data, at, 'data');
      if (!data) throw new StoreError('INVALID_PARAM', 'data must be a non-empty object');
      if (!store.hasCollection(coll)) throw collectionNotExist(coll);
      const r = modify(viewFor(params), coll, filter, data, { multi: false, merge: true, upsert: false });
      const doc = r.docs[0];
      return ok({ data: { updated: r.updated, ...(doc ? { doc: toEjson(doc) } : {}) } });
    },

    'database.removeDocument'(params, at) {
      const coll = str(params, 'collectionName');
      const filter = filterParam(params, at);
      if (!store.hasCollection(coll)) throw collectionNotExist(coll);
      const deleted = remove(viewFor(params), coll, filter, boolParam(params.multi, true));
      return ok({ data: { deleted } });
    },

    'database.aggregateDocuments'(params, at) {
      const coll = str(params, 'collectionName');
      const stages = params.stages;
      if (!Array.isArray(stages)) throw new StoreError('INVALID_PARAM', 'stages must be an array');
      const pipeline = stages.map((s: unknown) => {
        if (!isPlainObject(s) || typeof s.stageKey !== 'string') throw new StoreError('INVALID_PARAM', 'malformed stage');
        return { [s.stageKey]: ejsonParam(s.stageValue, at) };
      });
      if (!pipeline.some((s) => '$limit' in s)) pipeline.push({ $limit: AGGREGATE_DEFAULT_LIMIT });
      return ok({ data: { list: store.aggregate(coll, pipeline).map(toEjson) } });
    },

    'database.startTransaction'() {
      const tx: Transaction = {
        id: crypto.randomBytes(12).toString('hex'),
        startedAt: now().getTime(),
        reads: new Map(),
        writes: new Map(),
      };
      transactions.set(tx.id, tx);
      // The SDK reads transactionId from the top level, not from data.
      return ok({ transactionId: tx.id });
    },

    'database.commitTransaction'(params) {
      const tx = requireTransaction(params.transactionId);
      try {
        commitTransaction(tx);
        endTransaction(tx, 'committed');
      } catch (err) {
        endTransaction(tx, 'aborted by a failed commit');
        throw err;
      }
      return ok({});
    },

    'database.abortTransaction'(params) {
      endTransaction(requireTransaction(params.transactionId), 'rolled back');
      return ok({});
    },

    // Legacy transaction API (@cloudbase/database transaction.js): results are EJSON strings.
    'database.getInTransaction'(params) {
      const tx = requireTransaction(params.transactionId);
      const coll = str(params, 'collectionName');
      const id = params._id;
      if (!isDocId(id)) throw new StoreError('INVALID_PARAM', '_id is required');
      const view = transactionView(tx);
      const doc = view.get(coll, id);
      noteRead(tx, coll, id);
      return ok({ data: doc ? toEjson(doc) : 'null' });
    },

    'database.updateDocInTransaction'(params, at) {
      const tx = requireTransaction(params.transactionId);
      const coll = str(params, 'collectionName');
      const id = params._id;
      if (!isDocId(id)) throw new StoreError('INVALID_PARAM', '_id is required');
      const data = objectParam(params.data, at, 'data');
      if (!data) throw new StoreError('INVALID_PARAM', 'data must be a non-empty object');
      const isOperatorUpdate = Object.keys(data).some((k) => k.startsWith('$'));
      const r = modify(transactionView(tx), coll, { _id: id }, data, {
        multi: false,
        merge: isOperatorUpdate,
        upsert: boolParam(params.upsert, false),
      });
      return ok({
        updated: toEjson(r.updated),
        ...(r.upsertId !== undefined ? { upserted: JSON.stringify([{ _id: r.upsertId }]) } : {}),
      });
    },

    'database.deleteDocInTransaction'(params) {
      const tx = requireTransaction(params.transactionId);
      const coll = str(params, 'collectionName');
      const id = params._id;
      if (!isDocId(id)) throw new StoreError('INVALID_PARAM', '_id is required');
      const view = transactionView(tx);
      if (!store.hasCollection(coll)) throw collectionNotExist(coll);
      return ok({ deleted: toEjson(remove(view, coll, { _id: id }, false)) });
    },
  };

  /** The collections a request touches: its own, or every one its transaction writes. */
  function collectionsOf(action: string, params: Params): string[] {
    if (action === 'database.commitTransaction') {
      const tx = typeof params.transactionId === 'string' ? transactions.get(params.transactionId) : undefined;
      return tx ? [...tx.writes.keys()] : [];
    }
    return typeof params.collectionName === 'string' ? [params.collectionName] : [];
  }

  /** Whether an injected fault takes this request. */
  function takeFault(action: string, params: Params): boolean {
    const fault = faults.find(
      (f) =>
        (f.action === action || f.action === 'any' || (f.action === 'write' && WRITE_ACTIONS.has(action))) &&
        (f.collection === undefined || collectionsOf(action, params).includes(f.collection)),
    );
    if (!fault) return false;
    if (fault.skip > 0) {
      fault.skip--;
      return false;
    }
    if (--fault.times <= 0) faults = faults.filter((f) => f !== fault);
    return true;
  }

  const handle: SdkHandler = async (params) => {
    const action = String(params.action);
    requests[action] = (requests[action] ?? 0) + 1;
    try {
      if (store.isClosed) throw new StoreError('DATABASE_REQUEST_FAILED', 'local database is closed');
      sweepTransactions();
      if (faults.length > 0 && takeFault(action, params)) {
        // A failed commit ends its transaction, as the service's does.
        if (action === 'database.commitTransaction' && typeof params.transactionId === 'string') {
          const tx = transactions.get(params.transactionId);
          if (tx) endTransaction(tx, 'aborted by a failed commit');
        }
        return { requestId: requestId(), code: 'SYS_ERR', message: 'system error (injected)' };
      }
      const fn = actions[action];
      if (!fn) {
        return { requestId: requestId(), code: 'INVALID_ACTION', message: `local database does not implement ${action}` };
      }
      const response = fn(params, now());
      // Versions of deleted docs only matter to open transactions.
      if (transactions.size === 0) store.pruneTombstones();
      return response;
    } catch (err) {
      if (err instanceof StoreError) return { requestId: requestId(), code: err.code, message: err.message };
      // Anything else is a bug or an I/O failure; still an error response, never a throw.
      return {
        requestId: requestId(),
        code: 'SYS_ERR',
        message: `local database internal error: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  };

  return {
    handle,
    failNext(fault) {
      const times = fault.times ?? 1;
      const skip = fault.skip ?? 0;
      // A misspelt action would never match, and the test meant to fail a request would pass without one.
      if (typeof fault.action !== 'string' || !(fault.action === 'write' || fault.action === 'any' || fault.action in actions)) {
        throw new Error(`failNext: action must be 'write', 'any' or a database.* action, got ${String(fault.action)}`);
      }
      if (!Number.isInteger(times) || times < 1 || !Number.isInteger(skip) || skip < 0) {
        throw new Error('failNext: times must be a positive integer and skip a non-negative one');
      }
      faults.push({ action: fault.action, collection: fault.collection, skip, times });
    },
    clearFaults() {
      faults = [];
    },
    ensureCollection(name) {
      store.ensureCollection(name);
    },
    createIndex(collection, spec) {
      store.createIndex(collection, spec);
    },
    indexNames(collection) {
      return (
        store
          .listCollections()
          .find((c) => c.name === collection)
          ?.indexes.map((i) => i.name) ?? []
      );
    },
    listCollections() {
      return store.listCollections().map(({ name, count }) => ({ name, count }));
    },
    find(collection, filter = {}, options = {}) {
      return store.find(collection, cloneValue(filter), options);
    },
    count(collection, filter = {}) {
      return store.count(collection, cloneValue(filter));
    },
    stats() {
      return { requests: { ...requests }, docsExamined: store.docsExamined };
    },
    resetStats() {
      requests = {};
      store.docsExamined = 0;
    },
    close() {
      for (const tx of [...transactions.values()]) endTransaction(tx, 'database closed');
      store.close();
    },
  };
}

/** Top-level equality fields of a filter, used to seed an upserted doc (as MongoDB does). */
function equalityFields(filter: Filter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) {
    if (k === '_id' || k.startsWith('$') || k.includes('.')) continue;
    if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) continue;
    out[k] = cloneValue(v);
  }
  return out;
}
