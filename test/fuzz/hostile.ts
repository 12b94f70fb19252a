/**
 * Hostile values and payload mutations for fuzzing the api's inputs with
 * fast-check: wrong types, huge strings, deep objects, unicode edge cases,
 * database operator objects, prototype keys, arrays for objects, NaN … .
 *
 * Every value is built fresh per case (a factory), so a handler that
 * mutated its input could not leak into a later case.
 */
import * as fc from 'fast-check';

export type Json = unknown;
export type Path = (string | number)[];

/** The platform refuses events over 100 KB; stay under it. */
const HUGE = 90_000;

/** Sets an own, enumerable data property, even for `__proto__`. */
export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `{ [key]: value }` with `key` as an own property whatever it is. */
export function own(key: string, value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  defineOwn(o, key, value);
  return o;
}

function deepObject(depth: number): unknown {
  let v: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Database query operators a careless handler would pass to the database. */
const OPERATORS: (() => unknown)[] = [
  () => ({ $ne: null }),
  () => ({ $gt: '' }),
  () => ({ $regex: '.*' }),
  () => ({ $exists: true }),
  () => ({ $in: ['ssfj', 'o-test-office-admin'] }),
  () => ({ $nin: [] }),
  () => ({ $where: 'return true' }),
  () => ({ $or: [{}, { _id: { $ne: null } }] }),
  () => ({ $expr: { $eq: [1, 1] } }),
  () => ({ $set: { isAdmin: true } }),
  () => ({ 'a.b': 1 }),
];

const PROTO: (() => unknown)[] = [
  () => own('__proto__', { polluted: 'fuzz' }),
  () => own('__proto__', { isAdmin: true, status: 'active' }),
  () => ({ constructor: { prototype: { polluted: 'fuzz' } } }),
  () => own('prototype', { polluted: 'fuzz' }),
  () => JSON.parse('{"__proto__":{"polluted":"fuzz"},"constructor":{"prototype":{"polluted":"fuzz"}}}') as unknown,
  () => Object.assign(Object.create(null) as object, { a: 1 }),
];

export const UNICODE: string[] = [
  '\uD800',
  '\uDFFF',
  'a\uDC00b',
  '\uDBFF\uD800',
  '\u202E司法局\u202C',
  '\u200F\u200E',
  '\u200B',
  '\u200B\u200C\u200D\uFEFF',
  '\u3000',
  ' \t\n\r ',
  '\u0000',
  'a\u0000b',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈'.repeat(5),
  'e\u0301\u0301\u0301\u0301',
  'ｓｓｆｊ',
  '１３８００００００００',
  '𝟏𝟑𝟖𝟎𝟎𝟎𝟎𝟎𝟎𝟎𝟎',
  '\uFFFD\uFFFE\uFFFF',
  '../../etc/passwd',
  'cloud://env/units/../../secret',
  "'; DROP TABLE contacts; --",
  '<script>alert(1)</script>',
  '${process.exit()}',
  '__proto__',
  'constructor',
  '$ne',
  'plan-2021-t24',
  '',
];

const HUGE_STRINGS: (() => string)[] = [
  () => 'a'.repeat(HUGE),
  () => '字'.repeat(HUGE / 3),
  () => '😀'.repeat(HUGE / 4),
  () => '\uD800'.repeat(HUGE / 3),
  () => '\u200B'.repeat(HUGE / 3),
  () => ' '.repeat(HUGE),
  () => `${' '.repeat(HUGE / 2)}x${' '.repeat(HUGE / 2)}`,
];

const SCALARS: (() => unknown)[] = [
  () => null,
  () => undefined,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => -0,
  () => 0,
  () => -1,
  () => 1.5,
  () => 2021.0000001,
  () => 1e308,
  () => Number.MAX_SAFE_INTEGER + 2,
  () => Number.MIN_SAFE_INTEGER,
  () => true,
  () => false,
  () => '2021',
  () => 'true',
  () => 'null',
  () => new Date(0).toISOString(),
];

const SHAPES: (() => unknown)[] = [
  () => [],
  () => [null],
  () => [[]],
  () => [{}],
  () => ['ssfj'],
  () => ({}),
  () => ({ length: 1, 0: 'a' }),
  () => ({ toString: 'x', valueOf: 1 }),
  () => deepObject(2000),
  () => deepArray(2000),
  () => Array.from({ length: 5000 }, (_, i) => i),
  () => Array.from({ length: 2000 }, () => ({ $ne: null })),
  () => Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])),
];

const fromFactories = (fs: (() => unknown)[]) => fc.constantFrom(...fs).map((f) => f());

/** One hostile value of any kind. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fromFactories(OPERATORS),
  fromFactories(PROTO),
  fc.constantFrom(...UNICODE),
  fromFactories(HUGE_STRINGS),
  fromFactories(SCALARS),
  fromFactories(SHAPES),
  // Random strings over the whole code-unit range (lone surrogates included).
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.anything({ maxDepth: 3, withNullPrototype: true, withSparseArray: true }),
);

/** Keys a payload should never carry. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '$ne',
    '$where',
    '$set',
    'isAdmin',
    '_id',
    '_openid',
    'openid',
    'a.b',
    '',
    ' ',
    '\u200B',
    '\uD800',
    'toString',
    'hasOwnProperty',
  ),
  fc.string({ maxLength: 12 }),
);

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

/** Every path into a realistic payload, the root (`[]`) included. */
export function pathsOf(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...at, i])));
  else if (isContainer(v)) for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...at, k]));
  return out;
}

/** A deep copy of plain JSON (the realistic payloads are plain JSON). */
const copy = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** `root` with the value at `path` replaced (path `[]`: the whole payload). */
export function replaceAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const out = copy(root) as Record<string | number, unknown>;
  let node = out;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  defineOwn(node, String(path[path.length - 1]), value);
  return out;
}

/** `root` with an extra key at the object at `path` (an array gets a named property). */
export function addKeyAt(root: unknown, path: Path, key: string, value: unknown): unknown {
  const out = copy(root);
  let node = out as Record<string | number, unknown>;
  for (const k of path) node = node[k] as Record<string | number, unknown>;
  if (!isContainer(node)) return replaceAt(out, path, own(key, value));
  defineOwn(node, key, value);
  return out;
}

export interface FuzzCase {
  /** How the payload was made, for the report of a failing case. */
  kind: 'whole' | 'replace' | 'extra' | 'random';
  data: unknown;
}

/** Hostile payloads derived from a realistic one. */
export function payloadArb(base: Record<string, unknown>): fc.Arbitrary<FuzzCase> {
  return payloadArbRaw(base).map((c) => Object.assign(c, { [fc.toStringMethod]: () => `${c.kind} ${show(c.data)}` }));
}

function payloadArbRaw(base: Record<string, unknown>): fc.Arbitrary<FuzzCase> {
  const paths = pathsOf(base);
  const containers = paths.filter((p) => {
    let v: unknown = base;
    for (const k of p) v = (v as Record<string | number, unknown>)[k];
    // Arrays too: a JSON event cannot carry named keys on an array, but a JS caller can.
    return isContainer(v);
  });
  return fc.oneof(
    // Something else entirely in place of the payload.
    hostileValue.map((data): FuzzCase => ({ kind: 'whole', data })),
    // One value of the realistic payload (possibly nested) replaced.
    fc
      .tuple(fc.constantFrom(...paths.filter((p) => p.length > 0).concat(paths.length > 1 ? [] : [[]])), hostileValue)
      .map(([p, v]): FuzzCase => ({ kind: 'replace', data: replaceAt(base, p, v) })),
    // An unknown, operator or prototype key next to the realistic fields.
    fc
      .tuple(fc.constantFrom(...containers), hostileKey, hostileValue)
      .map(([p, k, v]): FuzzCase => ({ kind: 'extra', data: addKeyAt(base, p, k, v) })),
    // Several hostile replacements at once.
    fc.array(fc.tuple(fc.constantFrom(...paths), hostileValue), { minLength: 2, maxLength: 4 }).map((edits): FuzzCase => {
      let data: unknown = base;
      for (const [p, v] of edits) {
        try {
          data = replaceAt(data, p, v);
        } catch {
          // An earlier edit removed the path's parent: skip this edit.
        }
      }
      return { kind: 'random', data };
    }),
  );
}

/** A short description of a payload for failure messages (huge strings abbreviated). */
export function show(v: unknown): string {
  const seen = new WeakSet();
  let depth = 0;
  const walk = (x: unknown): string => {
    if (typeof x === 'string') return x.length > 80 ? `${JSON.stringify(x.slice(0, 20))}…(${x.length} chars)` : JSON.stringify(x);
    if (typeof x === 'number') return Object.is(x, -0) ? '-0' : String(x);
    if (x === undefined) return 'undefined';
    if (typeof x !== 'object' || x === null) return String(x);
    if (seen.has(x)) return '[cycle]';
    if (depth > 6) return '…';
    seen.add(x);
    depth++;
    try {
      // Array.from, not x.slice/x.map: a hostile array may carry its own `constructor`.
      const extra = Array.isArray(x) ? Object.keys(x).filter((k) => !/^\d+$/.test(k)) : [];
      if (Array.isArray(x) && extra.length === 0) {
        const items = Array.from(x as unknown[]);
        return items.length > 10 ? `[${items.slice(0, 3).map(walk).join(',')},…(${items.length} items)]` : `[${items.map(walk).join(',')}]`;
      }
      const entries = Object.entries(x);
      if (Array.isArray(x)) return `Array-with-keys{${entries.map(([k, val]) => `${JSON.stringify(k)}:${walk(val)}`).join(',')}}`;
      const shown = entries.slice(0, 10).map(([k, val]) => `${JSON.stringify(k)}:${walk(val)}`);
      if (entries.length > 10) shown.push(`…(${entries.length} keys)`);
      return `{${shown.join(',')}}`;
    } finally {
      depth--;
    }
  };
  return walk(v);
}
