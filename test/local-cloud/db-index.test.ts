/**
 * Equality indexes narrow the candidates of a query (so an indexed lookup at
 * 100k docs does not scan them all), and never change its answer.
 */
import fs from 'fs';
import { createDatabaseBackend, type DatabaseBackend } from '../../scripts/local-cloud/db/database';
import { tempDir } from './db-helpers';

const N = 100_000;
let dir: string;
let b: DatabaseBackend;

type Call = Record<string, unknown> & { action: string };
const call = async (params: Call): Promise<Record<string, unknown>> => (await b.handle(params, { params })) as Record<string, unknown>;

async function get(query: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
  const r = await call({ action: 'database.getDocument', collectionName: 'big', query: JSON.stringify(query), limit: 1000, ...extra });
  if (r.code) throw new Error(String(r.message));
  return (r.data as { list: string[] }).list.map((s) => JSON.parse(s) as Record<string, unknown>);
}

beforeAll(async () => {
  dir = tempDir('lcdb-idx-');
  b = createDatabaseBackend({ dir, fsync: false });
  b.ensureCollection('big');
  b.createIndex('big', { name: 'unit_status', keys: { unitId: 1, status: 1 } });
  for (let start = 0; start < N; start += 20_000) {
    const data = Array.from({ length: 20_000 }, (_v, k) => {
      const i = start + k;
      return JSON.stringify({ i, unitId: `u${i % 1000}`, status: i % 3 ? 'open' : 'done', tags: [`t${i % 7}`], plain: i % 1000 });
    });
    const r = await call({ action: 'database.insertDocument', collectionName: 'big', data });
    expect(r.code).toBeUndefined();
  }
  // Created after the data: must index what is already there.
  b.createIndex('big', { name: 'tags', keys: { tags: 1 } });
}, 20_000);

afterAll(() => {
  b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an equality query on an indexed field examines only its candidates', async () => {
  b.resetStats();
  const list = await get({ unitId: 'u7', status: 'open' });
  expect(list).toHaveLength(67);
  expect(list.every((d) => d.unitId === 'u7' && d.status === 'open')).toBe(true);
  expect(list.map((d) => d.i)).toEqual([...list.map((d) => d.i as number)].sort((x, y) => x - y)); // natural order kept
  expect(b.stats().docsExamined).toBe(100); // the 100 docs of u7, not 100k
});

test('$in and array (multikey) fields narrow too', async () => {
  b.resetStats();
  const list = await get({ unitId: { $in: ['u1', 'u2'] } });
  expect(list).toHaveLength(200);
  expect(b.stats().docsExamined).toBe(200);
  b.resetStats();
  const expected = Array.from({ length: N }, (_v, i) => i).filter((i) => i % 7 === 3 && i % 1000 === 3).length;
  expect(b.count('big', { tags: 't3', unitId: 'u3' })).toBe(expected);
  expect(b.stats().docsExamined).toBeLessThanOrEqual(100);
});

test('the same query on an unindexed field scans, with the same answer shape', async () => {
  b.resetStats();
  const list = await get({ plain: 7, status: 'open' });
  expect(list.map((d) => d.i)).toEqual((await get({ unitId: 'u7', status: 'open' })).map((d) => d.i));
  expect(b.stats().docsExamined).toBeGreaterThanOrEqual(N);
});

test('the index follows updates and removes', async () => {
  const upd = await call({
    action: 'database.modifyDocument',
    collectionName: 'big',
    query: JSON.stringify({ unitId: 'u9' }),
    data: JSON.stringify({ $set: { unitId: 'moved' } }),
    multi: true,
  });
  expect((upd.data as { updated: number }).updated).toBe(100);
  expect(await get({ unitId: 'u9' })).toHaveLength(0);
  expect(await get({ unitId: 'moved' })).toHaveLength(100);
  const del = await call({
    action: 'database.removeDocument',
    collectionName: 'big',
    query: JSON.stringify({ unitId: 'moved', status: 'done' }),
    multi: true,
  });
  expect((del.data as { deleted: number }).deleted).toBe(34); // i = 9 + 1000k with k % 3 == 0
  b.resetStats();
  expect(await get({ unitId: 'moved' })).toHaveLength(66);
  expect(b.stats().docsExamined).toBe(66);
  // null / missing is indexed too: no doc lacks unitId.
  expect(await get({ unitId: null })).toHaveLength(0);
});

test('direct find() for tools returns copies', () => {
  const [doc] = b.find('big', { i: 0 }, { limit: 1 });
  expect(doc).toMatchObject({ i: 0, unitId: 'u0' });
  (doc as Record<string, unknown>).unitId = 'mutated';
  expect(b.find('big', { i: 0 })[0]).toMatchObject({ unitId: 'u0' });
  expect(b.find('big', { unitId: 'u5' }, { sort: { i: -1 }, skip: 1, limit: 2 }).map((d) => d.i)).toEqual([98_005, 97_005]);
  expect(b.listCollections()).toEqual([{ name: 'big', count: N - 34 }]);
});
