/**
 * Embedded, durable document store with MongoDB semantics (via mingo).
 *
 * Memory holds everything: Map<collection, Map<_id, doc>>. Durability comes from
 * an append-only journal (one checksummed line per acknowledged write, fsync'd
 * before the write returns) plus a snapshot that is rewritten on open and when
 * the journal grows past a threshold. See README.md next to this file.
 *
 * This module knows nothing about the SDK's wire protocol; database.ts maps
 * CloudBase actions onto it.
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { Aggregator, Query, find as mingoFind, update as mingoUpdate } from 'mingo';

// Hot paths use module-level references: global lookups are slow inside vm
// contexts (jest runs modules in one), which made bulk writes several times slower.
const { getPrototypeOf } = Object;
const objectProto = Object.prototype;
const objectToString = Object.prototype.toString;
const { isArray } = Array;
const DateCtor = Date;
const RegExpCtor = RegExp;
const { isFinite: isFiniteNumber } = Number;

// ---------------------------------------------------------------------------
// Types and errors
// ---------------------------------------------------------------------------

export type DocId = string | number;
export type Doc = { _id: DocId } & Record<string, unknown>;
export type Filter = Record<string, unknown>;
export type SortSpec = Record<string, 1 | -1>;
export type Projection = Record<string, unknown>;

export interface IndexSpec {
  name: string;
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

/** A write as it is validated, journaled and applied. */
export type WriteOp =
  | { op: 'insert'; coll: string; doc: Doc } // fails if the _id exists
  | { op: 'put'; coll: string; doc: Doc } // insert or replace
  | { op: 'del'; coll: string; id: DocId };

type JournalOp =
  | { op: 'put'; coll: string; doc: Doc }
  | { op: 'del'; coll: string; id: DocId }
  | { op: 'createCollection'; coll: string }
  | { op: 'createIndex'; coll: string; index: IndexSpec }
  | { op: 'dropIndex'; coll: string; name: string };

interface JournalRecord {
  seq: number;
  ops: JournalOp[];
}

/** Codes are CloudBase's own, so database.ts can hand them to the SDK unchanged. */
export type StoreErrorCode =
  | 'DATABASE_COLLECTION_NOT_EXIST'
  | 'DATABASE_COLLECTION_ALREADY_EXIST'
  | 'DATABASE_REQUEST_FAILED'
  | 'DATABASE_TRANSACTION_CONFLICT'
  | 'INVALID_PARAM';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function collectionNotExist(name: string): StoreError {
  // Wording follows the real service's ResourceNotFound message.
  return new StoreError(
    'DATABASE_COLLECTION_NOT_EXIST',
    `[ResourceNotFound] Db or Table not exist: ${name}. Please check your request, but if the problem persists, contact us.`,
  );
}

// ---------------------------------------------------------------------------
// EJSON (bson's codec, the one the SDK itself uses)
// ---------------------------------------------------------------------------

interface EjsonCodec {
  parse(text: string, options?: { relaxed?: boolean }): unknown;
  stringify(value: unknown, options?: { relaxed?: boolean }): string;
}

function loadEjson(): EjsonCodec {
  // Node's require, typed as such: when mini-program typings are in the same
  // program their global `require` (no `.resolve`) shadows Node's.
  const req = require as unknown as NodeJS.Require;
  // bson is not our dependency but @cloudbase/database's; resolve it along the
  // SDK's own dependency chain so any hoisting layout finds the copy it uses.
  let base = path.dirname(req.resolve('wx-server-sdk'));
  for (const dep of ['@cloudbase/node-sdk', '@cloudbase/database']) {
    base = path.dirname(req.resolve(dep, { paths: [base] }));
  }
  const bson = req(req.resolve('bson', { paths: [base] })) as { EJSON: EjsonCodec };
  return bson.EJSON;
}

export const EJSON: EjsonCodec = loadEjson();

/** Class instance of another realm (e.g. a Date made in a vm context); plain objects and arrays bail out cheaply. */
function hasTag(v: unknown, tag: string): boolean {
  return typeof v === 'object' && v !== null && !isArray(v) && getPrototypeOf(v) !== objectProto && objectToString.call(v) === tag;
}
const isDate = (v: unknown): v is Date => v instanceof DateCtor || hasTag(v, '[object Date]');
const isRegExp = (v: unknown): v is RegExp => v instanceof RegExpCtor || hasTag(v, '[object RegExp]');

/** MongoDB regex options that JS RegExp also understands (x and l have no JS equivalent). */
const JS_REGEX_FLAGS = new Set(['i', 'm', 's', 'u']);

/** bson writes dates in this range as ISO strings in relaxed mode. */
const MAX_ISO_DATE = 253402318800000;

/**
 * JSON.stringify replacer producing bson's relaxed EJSON for the values a
 * store holds. bson's own stringify was the bulk of the write path's cost; a
 * test checks the two agree.
 */
function ejsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw !== 'object' || raw === null) {
    return typeof raw === 'number' && !isFiniteNumber(raw) ? { $numberDouble: String(raw) } : value;
  }
  if (isDate(raw)) {
    const t = raw.getTime();
    if (!(t > -1 && t < MAX_ISO_DATE)) return { $date: { $numberLong: String(t) } };
    const iso = raw.toISOString();
    return { $date: raw.getUTCMilliseconds() !== 0 ? iso : `${iso.slice(0, -5)}Z` };
  }
  if (isRegExp(raw)) {
    const options = [...raw.flags]
      .filter((f) => JS_REGEX_FLAGS.has(f))
      .sort()
      .join('');
    return { $regularExpression: { pattern: raw.source, options } };
  }
  if ('_bsontype' in raw) {
    return JSON.parse(EJSON.stringify(raw, { relaxed: true })) as unknown; // ObjectId, Decimal128...
  }
  return value;
}

/** Serialises a value as relaxed EJSON, so bson's EJSON.parse gives back Dates as Dates. */
export function toEjson(value: unknown): string {
  return JSON.stringify(value, ejsonReplacer);
}

/**
 * Parses EJSON text and turns bson wrapper objects into plain JS values
 * (BSONRegExp -> RegExp, Long/Int32/Double -> number) so mingo can use them.
 * `now` enables CloudBase's `$tcb_server_date` placeholder (db.serverDate()).
 */
export function fromEjson(text: string, now?: Date): unknown {
  // Without a '$' there can be no EJSON type wrapper: plain JSON.parse is equivalent and much faster.
  if (!text.includes('$')) return JSON.parse(text) as unknown;
  return reviveBson(EJSON.parse(text, { relaxed: true }), now);
}

export function reviveBson(value: unknown, now?: Date): unknown {
  if (isArray(value)) return value.map((v) => reviveBson(v, now));
  if (value === null || typeof value !== 'object' || isDate(value) || isRegExp(value)) return value;
  // EJSON boundary: bson classes are recognised by their `_bsontype` tag.
  const tagged = value as { _bsontype?: string } & Record<string, unknown>;
  switch (tagged._bsontype) {
    case 'BSONRegExp': {
      const flags = [...String(tagged.options ?? '')].filter((f) => JS_REGEX_FLAGS.has(f)).join('');
      return new RegExp(String(tagged.pattern), flags);
    }
    case 'Long':
    case 'Int32':
    case 'Double':
      return Number((value as { valueOf(): unknown }).valueOf());
    case undefined:
      break;
    default:
      return value; // ObjectId, Decimal128, Binary...: kept as-is
  }
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (now && keys.length === 1 && keys[0] === '$tcb_server_date') {
    const spec = value.$tcb_server_date as { offset?: unknown } | undefined;
    const offset = Number(reviveBson(spec?.offset) ?? 0) || 0;
    return new Date(now.getTime() + offset);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = reviveBson(value[key], now);
  return out;
}

// ---------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isArray(value)) return false;
  const proto = getPrototypeOf(value) as unknown;
  return proto === objectProto || proto === null;
}

/** Deep copy that keeps Dates and RegExps; other class instances are immutable bson values. */
export function cloneValue<T>(value: T): T {
  if (isDate(value)) return new Date(value.getTime()) as T;
  if (isRegExp(value)) return new RegExp(value.source, value.flags) as T;
  if (isArray(value)) return value.map((v: unknown) => cloneValue(v)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = cloneValue(value[key]);
    return out as T;
  }
  return value;
}

let idPool = Buffer.alloc(0);
let idPoolOffset = 0;

/** 32 lowercase hex chars, the shape of ids the real service generates. */
export function generateId(): string {
  // One randomBytes call per 256 ids: a call per id dominated bulk inserts.
  if (idPoolOffset + 16 > idPool.length) {
    idPool = crypto.randomBytes(4096);
    idPoolOffset = 0;
  }
  idPoolOffset += 16;
  return idPool.toString('hex', idPoolOffset - 16, idPoolOffset);
}

export function isDocId(value: unknown): value is DocId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

const NULL_KEY = 'z';

/**
 * Equality key for index maps. Only scalar kinds get one; a missing field
 * counts as null, as in MongoDB indexes.
 */
function scalarKey(value: unknown): string | undefined {
  if (value === null || value === undefined) return NULL_KEY;
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return `n${String(value)}`;
    case 'boolean':
      return value ? 'bt' : 'bf';
    default:
      return isDate(value) ? `d${value.getTime()}` : undefined;
  }
}

function getPath(doc: unknown, dotted: string): unknown {
  let cur: unknown = doc;
  for (const part of dotted.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Every equality key under which a query `{path: scalar}` could match this doc
 * (MongoDB traverses arrays along the path). Over-inclusion is harmless: mingo
 * re-checks every candidate; under-inclusion would lose results.
 */
function multikeyValues(doc: Doc, parts: string[]): Set<string> {
  const keys = new Set<string>();
  const addLeaf = (value: unknown): void => {
    if (isArray(value)) {
      if (value.length === 0) keys.add(NULL_KEY);
      for (const el of value) {
        const k = scalarKey(el);
        if (k !== undefined) keys.add(k);
      }
      return;
    }
    const k = scalarKey(value);
    if (k !== undefined) keys.add(k);
  };
  const visit = (value: unknown, i: number): void => {
    if (i === parts.length) return addLeaf(value);
    if (isArray(value)) {
      if (value.length === 0) keys.add(NULL_KEY);
      for (const el of value) {
        if (isPlainObject(el)) visit(el, i);
        else keys.add(NULL_KEY);
      }
      return;
    }
    if (isPlainObject(value)) return visit(value[parts[i] as string], i + 1);
    keys.add(NULL_KEY);
  };
  visit(doc, 0);
  return keys;
}

function uniqueKeyOf(doc: Doc, spec: IndexSpec): string {
  return JSON.stringify(
    Object.keys(spec.keys).map((field) => {
      const value = getPath(doc, field);
      return scalarKey(value) ?? `o${toEjson(value)}`;
    }),
  );
}

function duplicateKeyError(coll: string, indexName: string, fields: Record<string, unknown>): StoreError {
  const shown = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v === undefined ? 'null' : toEjson(v)}`)
    .join(', ');
  // The real service passes MongoDB's E11000 text through as a generic database failure.
  return new StoreError(
    'DATABASE_REQUEST_FAILED',
    `[FailedOperation] E11000 duplicate key error collection: ${coll} index: ${indexName} dup key: { ${shown} }`,
  );
}

function wrapMingo<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError('DATABASE_REQUEST_FAILED', `${what}: ${(err as Error).message}`);
  }
}

const MINGO_OPTIONS = { scriptEnabled: false } as const;

// ---------------------------------------------------------------------------
// Update helpers (pure; used by database.ts for both plain and transactional writes)
// ---------------------------------------------------------------------------

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$rename',
  '$currentDate',
  '$bit',
]);

/** Applies MongoDB update operators to a copy of `doc`. */
export function applyUpdate(doc: Doc, update: Record<string, unknown>): { doc: Doc; changed: boolean } {
  const ops = Object.keys(update);
  if (ops.length === 0) throw new StoreError('INVALID_PARAM', 'update document is empty');
  for (const op of ops) {
    if (!UPDATE_OPERATORS.has(op)) {
      throw new StoreError('DATABASE_REQUEST_FAILED', `unknown or unsupported update operator: ${op}`);
    }
  }
  const copy = cloneValue(doc);
  const modified = wrapMingo('update failed', () =>
    mingoUpdate(copy, update as Parameters<typeof mingoUpdate>[1], undefined, undefined, {
      cloneMode: 'deep',
      queryOptions: MINGO_OPTIONS,
    }),
  );
  if (copy._id !== doc._id) {
    throw new StoreError('DATABASE_REQUEST_FAILED', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return { doc: copy, changed: modified.length > 0 };
}

/** Whole-document replacement (doc.set): keeps `_id`, forbids operators. */
export function replaceDoc(id: DocId, replacement: Record<string, unknown>): Doc {
  for (const key of Object.keys(replacement)) {
    if (key.startsWith('$')) {
      throw new StoreError('DATABASE_REQUEST_FAILED', `replacement document must not contain operator ${key}`);
    }
  }
  const { _id: _ignored, ...rest } = replacement;
  return { _id: id, ...cloneValue(rest) };
}

export function sameDoc(a: Doc, b: Doc): boolean {
  return toEjson(a) === toEjson(b);
}

/** Orders and pages an already-filtered list with MongoDB sort semantics. */
export function orderAndPage(docs: Doc[], opts: { sort?: SortSpec; skip?: number; limit?: number }): Doc[] {
  const skip = Math.max(0, opts.skip ?? 0);
  const hasSort = opts.sort !== undefined && Object.keys(opts.sort).length > 0;
  if (!hasSort) return docs.slice(skip, opts.limit === undefined ? undefined : skip + opts.limit);
  return wrapMingo('sort failed', () => {
    let cursor = mingoFind(docs, {}, undefined, MINGO_OPTIONS).sort(opts.sort as SortSpec);
    if (skip) cursor = cursor.skip(skip);
    if (opts.limit !== undefined) cursor = cursor.limit(opts.limit);
    return cursor.all() as Doc[];
  });
}

/** Applies a MongoDB projection (`{a: 1}` / `{a: 0}`); `_id` stays unless excluded. */
export function project(docs: Doc[], projection: Projection | undefined): Record<string, unknown>[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  return wrapMingo('projection failed', () => mingoFind(docs, {}, projection, MINGO_OPTIONS).all() as Record<string, unknown>[]);
}

// ---------------------------------------------------------------------------
// Collections and indexes
// ---------------------------------------------------------------------------

interface EqualityConstraint {
  field: string;
  values: unknown[];
}

/** Top-level (or top-level `$and`) equality / `$in` constraints on scalar values. */
function equalityConstraints(filter: Filter, out: EqualityConstraint[] = []): EqualityConstraint[] {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) equalityConstraints(sub, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    const isOperatorObject = isPlainObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));
    if (isOperatorObject) {
      if ('$eq' in cond && scalarKey(cond.$eq) !== undefined) out.push({ field, values: [cond.$eq] });
      else if (Array.isArray(cond.$in) && cond.$in.every((v) => scalarKey(v) !== undefined)) {
        out.push({ field, values: cond.$in });
      }
    } else if (scalarKey(cond) !== undefined) {
      out.push({ field, values: [cond] });
    }
  }
  return out;
}

class Collection {
  readonly docs = new Map<DocId, Doc>();
  readonly indexes: IndexSpec[] = [];
  /** field path -> equality key -> ids; one per distinct first key of an index. */
  private readonly eqMaps = new Map<string, Map<string, Set<DocId>>>();
  /** unique index name -> key -> owning id. */
  private readonly uniqueMaps = new Map<string, Map<string, DocId>>();
  /** Insertion order, so index-narrowed results keep the natural order of a full scan. */
  private readonly position = new Map<DocId, number>();
  private nextPosition = 0;

  constructor(readonly name: string) {}

  get uniqueIndexes(): IndexSpec[] {
    return this.indexes.filter((i) => i.unique);
  }

  uniqueOwner(indexName: string, key: string): DocId | undefined {
    return this.uniqueMaps.get(indexName)?.get(key);
  }

  addIndex(spec: IndexSpec): void {
    if (spec.unique) {
      const map = new Map<string, DocId>();
      for (const doc of this.docs.values()) {
        const key = uniqueKeyOf(doc, spec);
        if (map.has(key)) {
          const fields = Object.fromEntries(Object.keys(spec.keys).map((f) => [f, getPath(doc, f)]));
          throw duplicateKeyError(this.name, spec.name, fields);
        }
        map.set(key, doc._id);
      }
      this.uniqueMaps.set(spec.name, map);
    }
    this.indexes.push(spec);
    const first = Object.keys(spec.keys)[0];
    // Positional paths ("a.0") are not narrowed; mingo still answers them by scanning.
    if (first && first !== '_id' && !this.eqMaps.has(first) && !first.split('.').some((p) => /^\d+$/.test(p))) {
      const map = new Map<string, Set<DocId>>();
      this.eqMaps.set(first, map);
      const parts = first.split('.');
      for (const doc of this.docs.values()) addToEqMap(map, multikeyValues(doc, parts), doc._id);
    }
  }

  dropIndex(name: string): void {
    const spec = this.indexes.find((i) => i.name === name);
    if (!spec) return;
    this.indexes.splice(this.indexes.indexOf(spec), 1);
    this.uniqueMaps.delete(name);
    const first = Object.keys(spec.keys)[0];
    // Equality maps are shared by indexes with the same first key.
    if (first && !this.indexes.some((i) => Object.keys(i.keys)[0] === first)) this.eqMaps.delete(first);
  }

  put(doc: Doc): void {
    const old = this.docs.get(doc._id);
    if (old) this.unindex(old);
    else this.position.set(doc._id, this.nextPosition++);
    this.docs.set(doc._id, doc);
    this.index(doc);
  }

  del(id: DocId): void {
    const old = this.docs.get(id);
    if (!old) return;
    this.unindex(old);
    this.docs.delete(id);
    this.position.delete(id);
  }

  /** Docs that may match `filter`, in natural order; undefined means "scan everything". */
  candidates(filter: Filter): Doc[] | undefined {
    let best: Set<DocId> | undefined;
    for (const { field, values } of equalityConstraints(filter)) {
      let ids: Set<DocId>;
      if (field === '_id') {
        ids = new Set(values.filter((v): v is DocId => isDocId(v) && this.docs.has(v)));
      } else {
        const map = this.eqMaps.get(field);
        if (!map) continue;
        ids = new Set();
        for (const v of values) {
          const hit = map.get(scalarKey(v) as string);
          if (hit) for (const id of hit) ids.add(id);
        }
      }
      if (!best || ids.size < best.size) best = ids;
      if (best.size === 0) break;
    }
    if (!best) return undefined;
    const docs: Doc[] = [];
    for (const id of best) {
      const doc = this.docs.get(id);
      if (doc) docs.push(doc);
    }
    if (docs.length > 1) docs.sort((a, b) => (this.position.get(a._id) ?? 0) - (this.position.get(b._id) ?? 0));
    return docs;
  }

  positionOf(id: DocId): number | undefined {
    return this.position.get(id);
  }

  private index(doc: Doc): void {
    for (const [field, map] of this.eqMaps) addToEqMap(map, multikeyValues(doc, field.split('.')), doc._id);
    for (const spec of this.uniqueIndexes) this.uniqueMaps.get(spec.name)?.set(uniqueKeyOf(doc, spec), doc._id);
  }

  private unindex(doc: Doc): void {
    for (const [field, map] of this.eqMaps) {
      for (const key of multikeyValues(doc, field.split('.'))) {
        const set = map.get(key);
        if (!set) continue;
        set.delete(doc._id);
        if (set.size === 0) map.delete(key);
      }
    }
    for (const spec of this.uniqueIndexes) {
      const map = this.uniqueMaps.get(spec.name);
      const key = uniqueKeyOf(doc, spec);
      if (map?.get(key) === doc._id) map.delete(key);
    }
  }
}

function addToEqMap(map: Map<string, Set<DocId>>, keys: Set<string>, id: DocId): void {
  for (const key of keys) {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(id);
  }
}

function sameIndexSpec(a: IndexSpec, b: IndexSpec): boolean {
  return JSON.stringify(a.keys) === JSON.stringify(b.keys) && Boolean(a.unique) === Boolean(b.unique);
}

function validateIndexSpec(spec: IndexSpec): IndexSpec {
  if (!spec || typeof spec.name !== 'string' || !spec.name) throw new StoreError('INVALID_PARAM', 'index needs a name');
  const entries = Object.entries(spec.keys ?? {});
  if (entries.length === 0) throw new StoreError('INVALID_PARAM', `index ${spec.name} needs at least one key`);
  for (const [field, dir] of entries) {
    if (dir !== 1 && dir !== -1) throw new StoreError('INVALID_PARAM', `index ${spec.name}: key ${field} must be 1 or -1`);
  }
  return { name: spec.name, keys: { ...spec.keys }, ...(spec.unique ? { unique: true } : {}) };
}

// ---------------------------------------------------------------------------
// Files: checksummed lines, journal, snapshot, lock
// ---------------------------------------------------------------------------

const SNAPSHOT_FILE = 'snapshot.jsonl';
const JOURNAL_FILE = 'journal.log';
const LOCK_FILE = 'LOCK';
const SNAPSHOT_FORMAT = 'local-cloud-db-snapshot';
const DEFAULT_COMPACT_BYTES = 32 * 1024 * 1024;

function checksum(payload: string): string {
  return zlib.crc32(payload).toString(16).padStart(8, '0');
}

/** `<crc32 hex> <EJSON payload>\n` */
function encodeLine(value: unknown): Buffer {
  const payload = toEjson(value);
  return Buffer.from(`${checksum(payload)} ${payload}\n`, 'utf8');
}

/** The decoded payload, or undefined for a torn or corrupt line. */
function decodeLine(line: string): unknown {
  if (line.length < 10 || line[8] !== ' ') return undefined;
  const payload = line.slice(9);
  if (checksum(payload) !== line.slice(0, 8)) return undefined;
  try {
    return fromEjson(payload);
  } catch {
    return undefined;
  }
}

/** Splits a file into lines with their byte offsets; a final fragment without '\n' is `torn`. */
function splitLines(buf: Buffer): { lines: { text: string; end: number }[]; tornFrom: number | undefined } {
  const lines: { text: string; end: number }[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break;
    lines.push({ text: buf.toString('utf8', start, nl), end: nl + 1 });
    start = nl + 1;
  }
  return { lines, tornFrom: start < buf.length ? start : undefined };
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

function fsyncDir(dir: string): void {
  // Makes a rename/creation durable; not possible on every platform, hence best effort.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* unsupported (e.g. Windows) */
  }
}

/**
 * Whether process `pid` still runs. An exited process whose parent died first stays a zombie
 * until something reaps it (not every init does): it holds nothing any more, so it counts as
 * gone (Linux /proc state Z; elsewhere a signal-0 probe alone decides).
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** One writer per data directory: two processes appending to one journal would corrupt it. */
function acquireLock(dir: string): string {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
      const who = pid === process.pid ? 'this process' : `process ${pid}`;
      throw new Error(`local database ${dir} is already open in ${who} (lock file ${file})`);
    }
    fs.rmSync(file, { force: true }); // stale lock left by a crashed process
  }
  throw new Error(`could not lock local database ${dir}`);
}

// ---------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------

export interface StoreOptions {
  dir: string;
  /** fsync each journal append and snapshot (default true). Tests that don't need it may turn it off. */
  fsync?: boolean;
  /** Compact when the journal exceeds this many bytes (default 32 MiB). */
  compactBytes?: number;
}

export interface FindOptions {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Projection;
}

export class DocumentStore {
  private readonly collections = new Map<string, Collection>();
  /** Per-collection version of each _id (tombstones included), for optimistic transactions. */
  private readonly versions = new Map<string, Map<DocId, number>>();
  private readonly tombstones: { coll: string; id: DocId }[] = [];
  private versionClock = 0;
  private seq = 0;
  private journalFd: number | undefined;
  private journalSize = 0;
  private failed: Error | undefined;
  private closed = false;
  /** Docs examined by the matcher since open; lets tests/benchmarks see whether an index was used. */
  docsExamined = 0;

  private readonly dir: string;
  private readonly fsync: boolean;
  private readonly compactBytes: number;
  private readonly lockFile: string;

  private constructor(opts: StoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.fsync = opts.fsync ?? true;
    this.compactBytes = opts.compactBytes ?? DEFAULT_COMPACT_BYTES;
    fs.mkdirSync(this.dir, { recursive: true });
    this.lockFile = acquireLock(this.dir);
  }

  static open(opts: StoreOptions): DocumentStore {
    const store = new DocumentStore(opts);
    try {
      store.load();
    } catch (err) {
      store.releaseLock();
      throw err;
    }
    return store;
  }

  // ---- reads -------------------------------------------------------------

  hasCollection(name: string): boolean {
    return this.collections.has(name);
  }

  listCollections(): { name: string; count: number; indexes: IndexSpec[] }[] {
    return [...this.collections.values()]
      .map((c) => ({ name: c.name, count: c.docs.size, indexes: c.indexes.map((i) => ({ ...i, keys: { ...i.keys } })) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The stored doc itself (do not mutate). */
  getDoc(coll: string, id: DocId): Doc | undefined {
    return this.require(coll).docs.get(id);
  }

  /** 0 for an id that never existed (or whose tombstone was pruned). */
  version(coll: string, id: DocId): number {
    return this.versions.get(coll)?.get(id) ?? 0;
  }

  /** Natural-order rank of a stored doc, so overlays (transactions) can merge in order. */
  positionOf(coll: string, id: DocId): number | undefined {
    return this.collections.get(coll)?.positionOf(id);
  }

  /** Stored docs matching `filter` in natural order (not copies). Stops after `max` matches. */
  select(coll: string, filter: Filter, max?: number): Doc[] {
    const c = this.require(coll);
    const candidates = c.candidates(filter);
    const source: Iterable<Doc> = candidates ?? c.docs.values();
    const out: Doc[] = [];
    if (max !== undefined && max <= 0) return out;
    const matcher = Object.keys(filter).length === 0 ? undefined : compileFilter(filter);
    return wrapMingo('query failed', () => {
      for (const doc of source) {
        this.docsExamined++;
        if (matcher && !matcher.test(doc)) continue;
        out.push(doc);
        if (max !== undefined && out.length >= max) break;
      }
      return out;
    });
  }

  /** Filters docs that are not (or not yet) stored, e.g. a transaction's own writes. */
  matchAll(filter: Filter, docs: Doc[]): Doc[] {
    if (Object.keys(filter).length === 0) return docs;
    const matcher = compileFilter(filter);
    return wrapMingo('query failed', () => docs.filter((d) => matcher.test(d)));
  }

  /** Plain-copy query for tools; no default limit. */
  find(coll: string, filter: Filter = {}, opts: FindOptions = {}): Record<string, unknown>[] {
    const hasSort = opts.sort !== undefined && Object.keys(opts.sort).length > 0;
    const max = !hasSort && opts.limit !== undefined ? (opts.skip ?? 0) + opts.limit : undefined;
    const page = orderAndPage(this.select(coll, filter, max), opts);
    return project(page, opts.projection).map((d) => cloneValue(d));
  }

  count(coll: string, filter: Filter = {}): number {
    if (Object.keys(filter).length === 0) return this.require(coll).docs.size;
    return this.select(coll, filter).length;
  }

  aggregate(coll: string, pipeline: Record<string, unknown>[]): Record<string, unknown>[] {
    this.require(coll);
    let stages = pipeline;
    let input: Doc[];
    const first = stages[0];
    if (first && Object.keys(first).length === 1 && isPlainObject(first.$match)) {
      // A leading $match runs here so it can use indexes and so only matches get cloned.
      input = this.select(coll, first.$match);
      stages = stages.slice(1);
    } else {
      input = [...this.require(coll).docs.values()];
    }
    // Stages may modify their input in place; give them copies, never the stored docs.
    const copies = input.map((d) => cloneValue(d));
    return wrapMingo('aggregate failed', () => {
      const agg = new Aggregator(stages, {
        ...MINGO_OPTIONS,
        collectionResolver: (name: string) => {
          const other = this.collections.get(name);
          return other ? [...other.docs.values()].map((d) => cloneValue(d)) : [];
        },
      });
      return agg.run<Record<string, unknown>>(copies);
    });
  }

  // ---- writes ------------------------------------------------------------

  /** Creates the collection if needed; returns true if it was created. */
  ensureCollection(name: string): boolean {
    validateCollectionName(name);
    if (this.collections.has(name)) return false;
    this.writeRecord([{ op: 'createCollection', coll: name }]);
    return true;
  }

  createCollection(name: string): void {
    validateCollectionName(name);
    if (this.collections.has(name)) {
      throw new StoreError('DATABASE_COLLECTION_ALREADY_EXIST', `[ResourceInUse] Table exist: ${name}`);
    }
    this.writeRecord([{ op: 'createCollection', coll: name }]);
  }

  /**
   * Idempotent for an identical spec. A different spec under an existing name
   * replaces that index (drop + create in one record), so editing the schema's
   * index list does not strand a local data folder.
   */
  createIndex(coll: string, spec: IndexSpec): void {
    const clean = validateIndexSpec(spec);
    const c = this.require(coll);
    const existing = c.indexes.find((i) => i.name === clean.name);
    if (existing && sameIndexSpec(existing, clean)) return;
    // Check existing docs against a new unique index before anything is journaled.
    if (clean.unique) {
      const seen = new Set<string>();
      for (const doc of c.docs.values()) {
        const key = uniqueKeyOf(doc, clean);
        if (seen.has(key)) {
          const fields = Object.fromEntries(Object.keys(clean.keys).map((f) => [f, getPath(doc, f)]));
          throw duplicateKeyError(coll, clean.name, fields);
        }
        seen.add(key);
      }
    }
    const drop: JournalOp[] = existing ? [{ op: 'dropIndex', coll, name: clean.name }] : [];
    this.writeRecord([...drop, { op: 'createIndex', coll, index: clean }]);
  }

  /**
   * Validates a batch (collections exist, no duplicate _id for inserts, unique
   * indexes hold in the final state), journals it as ONE record, then applies it.
   * Either all of it becomes durable and visible, or none.
   */
  commit(ops: WriteOp[]): void {
    if (ops.length === 0) return;
    this.validate(ops);
    this.writeRecord(
      ops.map((o): JournalOp => (o.op === 'del' ? { op: 'del', coll: o.coll, id: o.id } : { op: 'put', coll: o.coll, doc: o.doc })),
    );
  }

  /** Drops version tombstones; safe only when no transaction could have read them. */
  pruneTombstones(): void {
    for (const { coll, id } of this.tombstones.splice(0)) {
      if (!this.collections.get(coll)?.docs.has(id)) this.versions.get(coll)?.delete(id);
    }
  }

  /** Rewrites the snapshot and empties the journal. */
  compact(): void {
    this.assertWritable();
    this.writeSnapshot();
    if (this.journalFd !== undefined) {
      fs.ftruncateSync(this.journalFd, 0);
      if (this.fsync) fs.fsyncSync(this.journalFd);
    }
    this.journalSize = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.journalFd !== undefined) fs.closeSync(this.journalFd);
    this.journalFd = undefined;
    this.releaseLock();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- internals ---------------------------------------------------------

  private require(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw collectionNotExist(name);
    return c;
  }

  private assertWritable(): void {
    if (this.closed) throw new StoreError('DATABASE_REQUEST_FAILED', 'local database is closed');
    if (this.failed)
      throw new StoreError('DATABASE_REQUEST_FAILED', `local database is read-only after a write error: ${this.failed.message}`);
  }

  private validate(ops: WriteOp[]): void {
    // Final state per (collection, id) after the whole batch.
    const finals = new Map<string, Map<DocId, Doc | null>>();
    for (const o of ops) {
      const c = this.require(o.coll);
      let m = finals.get(o.coll);
      if (!m) finals.set(o.coll, (m = new Map()));
      if (o.op === 'del') {
        m.set(o.id, null);
        continue;
      }
      if (!isDocId(o.doc._id)) throw new StoreError('INVALID_PARAM', `unsupported _id: ${toEjson(o.doc._id)}`);
      if (o.op === 'insert') {
        const exists = m.has(o.doc._id) ? m.get(o.doc._id) !== null : c.docs.has(o.doc._id);
        if (exists) throw duplicateKeyError(o.coll, '_id_', { _id: o.doc._id });
      }
      m.set(o.doc._id, o.doc);
    }
    for (const [coll, changes] of finals) {
      const c = this.require(coll);
      for (const spec of c.uniqueIndexes) {
        const claimed = new Map<string, DocId>();
        for (const [id, doc] of changes) {
          if (!doc) continue;
          const key = uniqueKeyOf(doc, spec);
          const fields = (): Record<string, unknown> => Object.fromEntries(Object.keys(spec.keys).map((f) => [f, getPath(doc, f)]));
          const other = claimed.get(key);
          if (other !== undefined && other !== id) throw duplicateKeyError(coll, spec.name, fields());
          claimed.set(key, id);
          const owner = c.uniqueOwner(spec.name, key);
          if (owner === undefined || owner === id) continue;
          // The current owner only frees the key if this batch deletes it or changes its key.
          if (changes.has(owner)) {
            const ownerFinal = changes.get(owner);
            if (!ownerFinal || uniqueKeyOf(ownerFinal, spec) !== key) continue;
          }
          throw duplicateKeyError(coll, spec.name, fields());
        }
      }
    }
  }

  private writeRecord(ops: JournalOp[]): void {
    this.assertWritable();
    const record: JournalRecord = { seq: this.seq + 1, ops };
    this.appendJournal(record);
    this.seq = record.seq;
    this.applyRecord(record);
    if (this.journalSize > this.compactBytes) this.compact();
  }

  private appendJournal(record: JournalRecord): void {
    if (this.journalFd === undefined) throw new StoreError('DATABASE_REQUEST_FAILED', 'journal is not open');
    const line = encodeLine(record);
    const before = this.journalSize;
    try {
      writeAll(this.journalFd, line);
      if (this.fsync) fs.fsyncSync(this.journalFd);
    } catch (err) {
      // Cut a partial line off so later appends do not follow garbage; if even
      // that fails, refuse further writes rather than risk a corrupt journal.
      try {
        fs.ftruncateSync(this.journalFd, before);
      } catch {
        this.failed = err as Error;
      }
      throw new StoreError('DATABASE_REQUEST_FAILED', `journal write failed: ${(err as Error).message}`);
    }
    this.journalSize += line.length;
  }

  private applyRecord(record: JournalRecord): void {
    const stamp = ++this.versionClock;
    for (const o of record.ops) {
      switch (o.op) {
        case 'createCollection':
          if (!this.collections.has(o.coll)) {
            this.collections.set(o.coll, new Collection(o.coll));
            this.versions.set(o.coll, new Map());
          }
          break;
        case 'createIndex': {
          const c = this.require(o.coll);
          if (!c.indexes.some((i) => i.name === o.index.name)) c.addIndex(o.index);
          break;
        }
        case 'dropIndex':
          this.require(o.coll).dropIndex(o.name);
          break;
        case 'put':
          this.require(o.coll).put(o.doc);
          this.versions.get(o.coll)?.set(o.doc._id, stamp);
          break;
        case 'del': {
          const c = this.require(o.coll);
          if (c.docs.has(o.id)) {
            c.del(o.id);
            this.versions.get(o.coll)?.set(o.id, stamp);
            this.tombstones.push({ coll: o.coll, id: o.id });
          }
          break;
        }
      }
    }
  }

  private load(): void {
    const snapshotPath = path.join(this.dir, SNAPSHOT_FILE);
    const journalPath = path.join(this.dir, JOURNAL_FILE);
    let snapshotSeq = 0;
    const hadSnapshot = fs.existsSync(snapshotPath);
    if (hadSnapshot) snapshotSeq = this.readSnapshot(snapshotPath);
    this.seq = snapshotSeq;

    let replayed = 0;
    if (fs.existsSync(journalPath)) {
      const buf = fs.readFileSync(journalPath);
      const { lines, tornFrom } = splitLines(buf);
      const decoded = lines.map((l) => decodeLine(l.text) as JournalRecord | undefined);
      let lastGood = -1;
      decoded.forEach((r, i) => {
        if (r !== undefined) lastGood = i;
      });
      for (let i = 0; i <= lastGood; i++) {
        const record = decoded[i];
        if (!record || typeof record.seq !== 'number' || !Array.isArray(record.ops)) {
          throw new Error(
            `local database journal ${journalPath} is corrupt at line ${i + 1} (valid records follow it); ` +
              'refusing to open. Move the file aside to start from the last snapshot.',
          );
        }
        if (record.seq <= this.seq) continue; // already in the snapshot (crash between rename and truncate)
        this.applyRecord(record);
        this.seq = record.seq;
        replayed++;
      }
      const goodEnd = lastGood >= 0 ? (lines[lastGood]?.end ?? 0) : 0;
      if (goodEnd < buf.length || tornFrom !== undefined) {
        // A torn or corrupt tail: the write was never acknowledged, drop it.
        fs.truncateSync(journalPath, goodEnd);
      }
      this.journalSize = goodEnd;
    }
    this.journalFd = fs.openSync(journalPath, 'a');
    if (this.fsync) fsyncDir(this.dir);
    if (replayed > 0 || !hadSnapshot || this.journalSize > 0) this.compact();
  }

  private readSnapshot(file: string): number {
    const { lines } = splitLines(fs.readFileSync(file));
    const records = lines.map((l) => decodeLine(l.text) as Record<string, unknown> | undefined);
    const header = records[0];
    const end = records[records.length - 1];
    if (!header || header.kind !== 'header' || header.format !== SNAPSHOT_FORMAT || !end || end.kind !== 'end') {
      throw new Error(`local database snapshot ${file} is incomplete or not a snapshot; refusing to open`);
    }
    let docs = 0;
    for (let i = 1; i < records.length - 1; i++) {
      const r = records[i];
      if (!r) throw new Error(`local database snapshot ${file} is corrupt at line ${i + 1}; refusing to open`);
      if (r.kind === 'collection') {
        const name = String(r.name);
        const c = new Collection(name);
        this.collections.set(name, c);
        this.versions.set(name, new Map());
        for (const spec of (r.indexes as IndexSpec[] | undefined) ?? []) c.addIndex(spec);
      } else if (r.kind === 'doc') {
        this.require(String(r.c)).put(r.d as Doc);
        docs++;
      }
    }
    if (end.docs !== docs) throw new Error(`local database snapshot ${file} has ${docs} docs, expected ${String(end.docs)}`);
    return Number(header.seq) || 0;
  }

  private writeSnapshot(): void {
    const file = path.join(this.dir, SNAPSHOT_FILE);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      const chunks: Buffer[] = [];
      let pending = 0;
      const push = (value: unknown): void => {
        const line = encodeLine(value);
        chunks.push(line);
        pending += line.length;
        if (pending > 1 << 20) flush();
      };
      const flush = (): void => {
        writeAll(fd, Buffer.concat(chunks));
        chunks.length = 0;
        pending = 0;
      };
      let docs = 0;
      push({ kind: 'header', format: SNAPSHOT_FORMAT, version: 1, seq: this.seq });
      for (const c of this.collections.values()) {
        // Indexes are rebuilt before docs load, so a unique index never sees a transient duplicate.
        push({ kind: 'collection', name: c.name, indexes: c.indexes });
        for (const doc of c.docs.values()) {
          push({ kind: 'doc', c: c.name, d: doc });
          docs++;
        }
      }
      push({ kind: 'end', docs });
      flush();
      if (this.fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    if (this.fsync) fsyncDir(this.dir);
  }

  private releaseLock(): void {
    try {
      if (fs.readFileSync(this.lockFile, 'utf8').trim() === String(process.pid)) fs.rmSync(this.lockFile, { force: true });
    } catch {
      /* already gone */
    }
  }
}

function compileFilter(filter: Filter): Query {
  return wrapMingo('invalid query', () => new Query(filter, MINGO_OPTIONS));
}

function validateCollectionName(name: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_\-.]{1,128}$/.test(name) || name.startsWith('.')) {
    throw new StoreError('INVALID_PARAM', `invalid collection name: ${String(name)}`);
  }
}
