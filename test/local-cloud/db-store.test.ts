/**
 * Store-level details that the SDK contract tests do not reach directly.
 */
import fs from 'fs';
import { createDatabaseBackend } from '../../scripts/local-cloud/db/database';
import { EJSON, fromEjson, generateId, pidAlive, toEjson } from '../../scripts/local-cloud/db/store';
import { tempDir } from './db-helpers';
import { execFileSync } from 'child_process';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('the fast EJSON writer agrees with bson, and bson reads it back', () => {
  const value = {
    s: 'text with "$quotes"',
    i: 3,
    f: 1.25,
    neg: -7,
    big: 2 ** 53 - 1,
    nan: NaN,
    inf: -Infinity,
    dates: [new Date('2024-05-06T07:08:09.010Z'), new Date('2024-05-06T07:08:09Z'), new Date(-5), new Date(Date.UTC(10000, 0, 1))],
    re: /a+b/gim,
    nested: { arr: [null, true, { d: new Date(0) }], empty: {} },
  };
  const ours = toEjson(value);
  expect(ours).toBe(EJSON.stringify({ ...value, re: /a+b/im }, { relaxed: true })); // bson rejects the g flag
  const back = fromEjson(ours) as typeof value;
  expect(back.dates).toEqual(value.dates);
  expect(back.re).toEqual(/a+b/im);
  expect(back.nan).toBeNaN();
  expect(back.inf).toBe(-Infinity);
});

test('db.serverDate placeholders become the server time plus offset', () => {
  const now = new Date('2024-01-01T00:00:00Z');
  const text = '{"a":{"$tcb_server_date":{"offset":{"$numberInt":"-1000"}}},"n":{"$numberLong":"5"}}';
  expect(fromEjson(text, now)).toEqual({ a: new Date('2023-12-31T23:59:59Z'), n: 5 });
});

test('generated ids are 32 hex chars and unique', () => {
  const ids = new Set(Array.from({ length: 5000 }, generateId));
  expect(ids.size).toBe(5000);
  expect([...ids].filter((id) => !/^[0-9a-f]{32}$/.test(id))).toEqual([]);
});

test('re-declaring an index with a new spec replaces it, durably', async () => {
  const dir = tempDir('lcdb-store-');
  dirs.push(dir);
  let b = createDatabaseBackend({ dir, fsync: false });
  b.ensureCollection('c');
  b.createIndex('c', { name: 'k', keys: { k: 1 }, unique: true });
  b.createIndex('c', { name: 'k', keys: { k: 1 }, unique: true }); // identical: no-op
  const add = async (k: number): Promise<Record<string, unknown>> =>
    (await b.handle(
      { action: 'database.insertDocument', collectionName: 'c', data: [JSON.stringify({ k })] },
      { params: { action: '' } },
    )) as Record<string, unknown>;
  await add(1);
  expect((await add(1)).message).toContain('E11000');
  b.createIndex('c', { name: 'k', keys: { k: 1 } }); // no longer unique
  expect((await add(1)).code).toBeUndefined();
  expect(() => b.createIndex('c', { name: 'k', keys: { k: 1 }, unique: true })).toThrow(/E11000/);
  b.close();
  b = createDatabaseBackend({ dir, fsync: false });
  expect((await add(1)).code).toBeUndefined(); // still non-unique after replay
  expect(b.count('c', { k: 1 })).toBe(3);
  expect(() => b.createIndex('nope', { name: 'x', keys: { x: 1 } })).toThrow(/not exist/);
  b.close();
});

test('a process that exited counts as gone even while it is an unreaped zombie (its lock is stale)', async () => {
  // The shell exits at once; its background child is re-parented and, where init does not reap, stays a zombie.
  const orphan = Number(execFileSync('sh', ['-c', 'sleep 0.2 & echo $!'], { encoding: 'utf8' }).trim());
  expect(pidAlive(process.pid)).toBe(true);
  // Until jest's timeout: a zombie taken for a live process would never be gone.
  while (pidAlive(orphan)) await new Promise((r) => setTimeout(r, 50));
  expect(pidAlive(orphan)).toBe(false);
});
