/**
 * Contract tests: the REAL wx-server-sdk, unchanged, against the local
 * database backend through the seam. Every expectation is what the SDK yields
 * from the responses, i.e. what a cloud function would see.
 */
import { failure, openSdkFixture, res, rows, type Row, type SdkFixture } from './db-helpers';

let f: SdkFixture;
let db: SdkFixture['db'];
let _: SdkFixture['db']['command'];

beforeAll(() => {
  f = openSdkFixture();
  db = f.db;
  _ = db.command;
  for (const name of ['crud', 'q', 'paging', 'big', 'upd', 'agg', 'tags', 'units', 'users', 'acct', 'tx']) f.backend.ensureCollection(name);
});

afterAll(() => f.close());

const ids = (list: Row[]): string[] => list.map((r) => r._id);
const balance = async (id: string): Promise<number> =>
  (await res<{ data: Row }>(db.collection('acct').doc(id).get())).data.balance as number;

describe('documents: add / get / set / update / remove', () => {
  test('add generates a 32-hex _id and keeps Dates as Dates', async () => {
    const createdAt = new Date('2024-03-01T02:03:04.005Z');
    const added = await res<{ _id: string; errMsg: string }>(
      db.collection('crud').add({ data: { title: 'a', n: 1.5, big: 2 ** 40, createdAt, tags: ['x'], nested: { k: 1 } } }),
    );
    expect(added._id).toMatch(/^[0-9a-f]{32}$/);
    const got = await res<{ data: Row }>(db.collection('crud').doc(added._id).get());
    expect(got.data).toEqual({ _id: added._id, title: 'a', n: 1.5, big: 2 ** 40, createdAt, tags: ['x'], nested: { k: 1 } });
    expect(got.data.createdAt instanceof Date).toBe(true);
  });

  test('a client-supplied _id is kept; a duplicate _id is rejected', async () => {
    const added = await res<{ _id: string }>(db.collection('crud').add({ data: { _id: 'mine-1', v: 1 } }));
    expect(added._id).toBe('mine-1');
    const err = await failure(db.collection('crud').add({ data: { _id: 'mine-1', v: 2 } }));
    expect(err.errCode).toBe(-502001);
    expect(err.errMsg).toContain('E11000 duplicate key');
    expect((await res<{ data: Row }>(db.collection('crud').doc('mine-1').get())).data.v).toBe(1);
  });

  test('batch add returns every id', async () => {
    const r = await res<{ _ids: string[] }>(db.collection('crud').add({ data: [{ b: 1 }, { b: 2 }] }));
    expect(r._ids).toHaveLength(2);
    expect(await rows(db.collection('crud').where({ _id: _.in(r._ids) }))).toHaveLength(2);
  });

  test('set creates, then replaces the whole document', async () => {
    const doc = db.collection('crud').doc('set-1');
    const created = await res<{ _id: string; stats: { updated: number; created: number } }>(doc.set({ data: { a: 1, b: 2 } }));
    expect(created).toMatchObject({ _id: 'set-1', stats: { updated: 0, created: 1 } });
    const replaced = await res<{ stats: { updated: number; created: number } }>(doc.set({ data: { c: 3 } }));
    expect(replaced.stats).toEqual({ updated: 1, created: 0 });
    expect((await res<{ data: Row }>(doc.get())).data).toEqual({ _id: 'set-1', c: 3 });
  });

  test('update merges fields, remove deletes, get of a missing doc fails', async () => {
    const doc = db.collection('crud').doc('upd-1');
    await res(doc.set({ data: { a: 1, o: { p: 1, q: 2 } } }));
    const u = await res<{ stats: { updated: number } }>(doc.update({ data: { b: 2, o: { q: 3 } } }));
    expect(u.stats.updated).toBe(1);
    expect((await res<{ data: Row }>(doc.get())).data).toEqual({ _id: 'upd-1', a: 1, b: 2, o: { p: 1, q: 3 } });
    const same = await res<{ stats: { updated: number } }>(doc.update({ data: { b: 2 } }));
    expect(same.stats.updated).toBe(0); // nothing changed, as MongoDB's nModified
    const r = await res<{ stats: { removed: number } }>(doc.remove());
    expect(r.stats.removed).toBe(1);
    const err = await failure(doc.get());
    expect(err.errMsg).toContain('does not exist');
    expect((await res<{ stats: { removed: number } }>(doc.remove())).stats.removed).toBe(0);
  });
});

describe('queries', () => {
  const seed: Row[] = [
    { _id: 'q1', n: 1, s: 'apple', tag: 'red', nested: { x: 1, y: 'a' }, arr: ['a', 'b'], d: new Date('2024-01-01T00:00:00Z'), opt: 1 },
    { _id: 'q2', n: 2, s: 'Apricot', tag: 'green', nested: { x: 2, y: 'b' }, arr: ['b'], d: new Date('2024-02-01T00:00:00Z') },
    { _id: 'q3', n: 3, s: 'banana', tag: 'red', nested: { x: 3, y: 'a' }, arr: [], d: new Date('2024-03-01T00:00:00Z'), opt: null },
    { _id: 'q4', n: 4, s: 'cherry', tag: 'blue', nested: { x: 4, y: 'b' }, arr: ['c', 'a'], d: new Date('2024-04-01T00:00:00Z'), opt: 4 },
    { _id: 'q5', n: 5, s: 'avocado', tag: 'green', nested: { x: 5, y: 'a' }, arr: ['d'], d: new Date('2024-05-01T00:00:00Z') },
  ];
  beforeAll(async () => {
    await res(db.collection('q').add({ data: seed }));
  });
  const where = async (cond: Record<string, unknown>): Promise<string[]> => ids(await rows(db.collection('q').where(cond))).sort();

  test('comparison commands', async () => {
    expect(await where({ n: 3 })).toEqual(['q3']);
    expect(await where({ n: _.eq(3) })).toEqual(['q3']);
    expect(await where({ n: _.neq(3) })).toEqual(['q1', 'q2', 'q4', 'q5']);
    expect(await where({ n: _.lt(3) })).toEqual(['q1', 'q2']);
    expect(await where({ n: _.lte(3) })).toEqual(['q1', 'q2', 'q3']);
    expect(await where({ n: _.gt(3) })).toEqual(['q4', 'q5']);
    expect(await where({ n: _.gte(3) })).toEqual(['q3', 'q4', 'q5']);
    expect(await where({ tag: _.in(['red', 'blue']) })).toEqual(['q1', 'q3', 'q4']);
    expect(await where({ tag: _.nin(['red', 'blue']) })).toEqual(['q2', 'q5']);
    expect(await where({ d: _.gte(new Date('2024-03-01T00:00:00Z')) })).toEqual(['q3', 'q4', 'q5']);
  });

  test('logical commands', async () => {
    expect(await where({ n: _.gt(1).and(_.lt(4)) })).toEqual(['q2', 'q3']);
    expect(await where({ n: _.lt(2).or(_.gt(4)) })).toEqual(['q1', 'q5']);
    expect(await where({ n: _.and(_.gte(2), _.lte(3)) })).toEqual(['q2', 'q3']);
    expect(ids(await rows(db.collection('q').where(_.or([{ tag: 'blue' }, { n: 1 }])))).sort()).toEqual(['q1', 'q4']);
    expect(ids(await rows(db.collection('q').where(_.and([{ tag: 'red' }, { n: _.gt(1) }])))).sort()).toEqual(['q3']);
    expect(await where({ n: _.not(_.gt(2)) })).toEqual(['q1', 'q2']);
    expect(await where({ tag: 'green', n: _.gt(2) })).toEqual(['q5']);
  });

  test('exists, null and missing fields', async () => {
    expect(await where({ opt: _.exists(true) })).toEqual(['q1', 'q3', 'q4']);
    expect(await where({ opt: _.exists(false) })).toEqual(['q2', 'q5']);
    expect(await where({ opt: null })).toEqual(['q2', 'q3', 'q5']); // null matches missing too
  });

  test('nested fields and arrays', async () => {
    expect(await where({ nested: { y: 'a' } })).toEqual(['q1', 'q3', 'q5']);
    expect(await where({ 'nested.x': _.gte(4) })).toEqual(['q4', 'q5']);
    expect(await where({ arr: 'a' })).toEqual(['q1', 'q4']); // element match
    expect(await where({ arr: _.size(0) })).toEqual(['q3']);
    expect(await where({ arr: _.all(['a', 'c']) })).toEqual(['q4']);
  });

  test('regular expressions: db.RegExp and JS RegExp', async () => {
    expect(await where({ s: db.RegExp({ regexp: '^a', options: 'i' }) })).toEqual(['q1', 'q2', 'q5']);
    expect(await where({ s: db.RegExp({ regexp: '^a' }) })).toEqual(['q1', 'q5']);
    expect(await where({ s: /an/ })).toEqual(['q3']);
  });

  test('orderBy on several fields, skip, limit and field projection', async () => {
    const list = await rows(db.collection('q').orderBy('tag', 'asc').orderBy('n', 'desc').skip(1).limit(3).field({ tag: true, n: true }));
    expect(list).toEqual([
      { _id: 'q5', tag: 'green', n: 5 },
      { _id: 'q2', tag: 'green', n: 2 },
      { _id: 'q3', tag: 'red', n: 3 },
    ]);
    const excluded = await rows(db.collection('q').where({ _id: 'q1' }).field({ nested: false, arr: false, d: false }));
    expect(excluded).toEqual([{ _id: 'q1', n: 1, s: 'apple', tag: 'red', opt: 1 }]);
    const docField = await res<{ data: Row }>(db.collection('q').doc('q2').field({ s: true }).get());
    expect(docField.data).toEqual({ _id: 'q2', s: 'Apricot' });
  });

  test('count', async () => {
    expect((await res<{ total: number }>(db.collection('q').count())).total).toBe(5);
    expect((await res<{ total: number }>(db.collection('q').where({ tag: 'red' }).count())).total).toBe(2);
  });
});

describe('paging and limits', () => {
  beforeAll(async () => {
    await res(db.collection('paging').add({ data: Array.from({ length: 250 }, (_v, i) => ({ i })) }));
    await res(db.collection('big').add({ data: Array.from({ length: 1200 }, (_v, i) => ({ i })) }));
  });

  test('get() returns 100 by default; limit() is capped at 1000', async () => {
    expect(await rows(db.collection('paging'))).toHaveLength(100);
    expect(await rows(db.collection('paging').limit(1000))).toHaveLength(250);
    expect(await rows(db.collection('big').limit(1000))).toHaveLength(1000);
    expect(await rows(db.collection('big').limit(5000))).toHaveLength(1000);
  });

  test('the server caps a raw limit too', async () => {
    const raw = (await f.backend.handle(
      { action: 'database.getDocument', collectionName: 'big', limit: 5000 },
      { params: { action: '' } },
    )) as {
      data: { list: string[]; limit: number };
    };
    expect(raw.data.list).toHaveLength(1000);
    expect(raw.data.limit).toBe(1000);
  });

  test('skip-paging collects all 250 exactly once, in order', async () => {
    const seen: number[] = [];
    for (let skip = 0; ; skip += 100) {
      const page = await rows(db.collection('paging').skip(skip).limit(100));
      seen.push(...page.map((r) => r.i as number));
      if (page.length < 100) break;
    }
    expect(seen).toEqual(Array.from({ length: 250 }, (_v, i) => i));
    const sorted = await rows(db.collection('paging').orderBy('i', 'desc').skip(240).limit(100));
    expect(sorted.map((r) => r.i)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });
});

describe('update commands', () => {
  test('set, remove, inc, mul, push, pull, addToSet, pop, unshift', async () => {
    const doc = db.collection('upd').doc('u1');
    await res(doc.set({ data: { o: { a: 1, b: 2 }, gone: true, n: 10, list: [1, 2, 3, 4], set: ['x'], q: ['a', 'b', 'c'] } }));
    await res(
      doc.update({
        data: {
          o: _.set({ c: 3 }),
          gone: _.remove(),
          n: _.inc(5),
          list: _.pull(_.gt(2)),
          set: _.addToSet('y'),
          q: _.pop(),
        },
      }),
    );
    expect((await res<{ data: Row }>(doc.get())).data).toEqual({
      _id: 'u1',
      o: { c: 3 },
      n: 15,
      list: [1, 2],
      set: ['x', 'y'],
      q: ['a', 'b'],
    });
    await res(doc.update({ data: { n: _.mul(2), list: _.push([7, 8]), set: _.addToSet('y'), q: _.unshift('z') } }));
    await res(doc.update({ data: { list: _.push({ each: [0], position: 0, slice: 3 }) } }));
    await res(doc.update({ data: { 'o.d': 4, set: _.pullAll(['x']) } }));
    expect((await res<{ data: Row }>(doc.get())).data).toEqual({
      _id: 'u1',
      o: { c: 3, d: 4 },
      n: 30,
      list: [0, 1, 2],
      set: ['y'],
      q: ['z', 'a', 'b'],
    });
  });

  test('rename, min, max, shift and push with sort', async () => {
    const doc = db.collection('upd').doc('u2');
    await res(doc.set({ data: { old: 'v', lo: 5, hi: 5, q: [1, 2, 3], s: [3, 1] } }));
    await res(
      doc.update({ data: { old: _.rename('renamed'), lo: _.min(2), hi: _.max(9), q: _.shift(), s: _.push({ each: [2], sort: -1 }) } }),
    );
    await res(doc.update({ data: { lo: _.min(4), hi: _.max(1) } })); // no-ops: 2 < 4, 9 > 1
    expect((await res<{ data: Row }>(doc.get())).data).toEqual({ _id: 'u2', renamed: 'v', lo: 2, hi: 9, q: [2, 3], s: [3, 2, 1] });
  });

  test('where().update updates every match and reports the count', async () => {
    await res(
      db.collection('upd').add({
        data: [
          { g: 'm', v: 1 },
          { g: 'm', v: 2 },
          { g: 'k', v: 3 },
        ],
      }),
    );
    const r = await res<{ stats: { updated: number } }>(
      db
        .collection('upd')
        .where({ g: 'm' })
        .update({ data: { v: _.inc(10), seen: true } }),
    );
    expect(r.stats.updated).toBe(2);
    const list = await rows(
      db
        .collection('upd')
        .where({ g: _.in(['m', 'k']) })
        .orderBy('v', 'asc'),
    );
    expect(list.map((x) => [x.g, x.v, x.seen])).toEqual([
      ['k', 3, undefined],
      ['m', 11, true],
      ['m', 12, true],
    ]);
    const removed = await res<{ stats: { removed: number } }>(db.collection('upd').where({ g: 'm' }).remove());
    expect(removed.stats.removed).toBe(2);
  });

  test('db.serverDate() becomes the server clock (plus offset), stored as a Date', async () => {
    // The d.ts omits serverDate's options argument; the SDK accepts it.
    const serverDate = db.serverDate as (opts?: { offset: number }) => unknown;
    const r = await res<{ _id: string }>(db.collection('upd').add({ data: { at: serverDate(), later: serverDate({ offset: 60_000 }) } }));
    const got = (await res<{ data: Row }>(db.collection('upd').doc(r._id).get())).data;
    expect(got.at).toBeInstanceOf(Date);
    expect((got.at as Date).getTime()).toBe(f.clock.t);
    expect((got.later as Date).getTime()).toBe(f.clock.t + 60_000);
    f.clock.advance(5000);
    await res(
      db
        .collection('upd')
        .doc(r._id)
        .update({ data: { at: db.serverDate() } }),
    );
    const again = (await res<{ data: Row }>(db.collection('upd').doc(r._id).get())).data;
    expect((again.at as Date).getTime()).toBe(f.clock.t);
    // Queries with Dates compare as dates.
    expect(await rows(db.collection('upd').where({ at: _.gt(new Date(f.clock.t - 1)) }))).toHaveLength(1);
  });
});

describe('aggregate', () => {
  beforeAll(async () => {
    await res(
      db.collection('units').add({
        data: [
          { _id: 'u-a', name: 'A' },
          { _id: 'u-b', name: 'B' },
        ],
      }),
    );
    await res(
      db.collection('agg').add({
        data: Array.from({ length: 30 }, (_v, i) => ({ unitId: i % 3 === 0 ? 'u-a' : 'u-b', score: i, kind: i % 2 ? 'odd' : 'even' })),
      }),
    );
  });

  test('$match / $group / $sort / $project', async () => {
    const $ = _.aggregate;
    const r = await res<{ list: Row[] }>(
      db
        .collection('agg')
        .aggregate()
        .match({ score: _.gte(10) })
        .group({ _id: '$kind', total: $.sum('$score'), n: $.sum(1) })
        .sort({ total: -1 })
        .project({ _id: 0, kind: '$_id', total: 1, n: 1 })
        .end(),
    );
    expect(r.list).toEqual([
      { total: 200, n: 10, kind: 'odd' },
      { total: 190, n: 10, kind: 'even' },
    ]);
  });

  test('$lookup joins another collection', async () => {
    const r = await res<{ list: Row[] }>(
      db
        .collection('agg')
        .aggregate()
        .match({ score: _.lt(2) })
        .lookup({ from: 'units', localField: 'unitId', foreignField: '_id', as: 'unit' })
        .sort({ score: 1 })
        .project({ _id: 0, score: 1, 'unit.name': 1 })
        .end(),
    );
    expect(r.list).toEqual([
      { score: 0, unit: [{ name: 'A' }] },
      { score: 1, unit: [{ name: 'B' }] },
    ]);
  });

  test('$unwind, $addFields, $sortByCount and $sample', async () => {
    await res(
      db.collection('tags').add({
        data: [
          { tags: ['a', 'b'], score: 100 },
          { tags: ['b'], score: 101 },
          { tags: ['c'], score: 5 },
          { tags: [], score: 6 },
        ],
      }),
    );
    const byTag = await res<{ list: Row[] }>(
      db
        .collection('tags')
        .aggregate()
        .match({ score: _.gte(100) })
        .unwind('$tags')
        .sortByCount('$tags')
        .end(),
    );
    expect(byTag.list).toEqual([
      { _id: 'b', count: 2 },
      { _id: 'a', count: 1 },
    ]);
    const $ = _.aggregate;
    const added = await res<{ list: Row[] }>(
      db
        .collection('tags')
        .aggregate()
        .match({ score: 100 })
        .addFields({ n: $.size('$tags') })
        .project({ _id: 0, n: 1 })
        .end(),
    );
    expect(added.list).toEqual([{ n: 2 }]);
    const sampled = await res<{ list: Row[] }>(db.collection('tags').aggregate().sample({ size: 2 }).end());
    expect(sampled.list).toHaveLength(2);
    // Like MongoDB's, $sample may pick a document twice: only membership is guaranteed.
    const ids = new Set((await res<{ data: Row[] }>(db.collection('tags').get())).data.map((r) => r._id));
    for (const r of sampled.list) expect(ids.has(r._id)).toBe(true);
  });

  test('without .limit() the service returns 20; with it, what was asked', async () => {
    expect((await res<{ list: Row[] }>(db.collection('agg').aggregate().end())).list).toHaveLength(20);
    expect((await res<{ list: Row[] }>(db.collection('agg').aggregate().sort({ score: 1 }).limit(25).end())).list).toHaveLength(25);
    const counted = await res<{ list: Row[] }>(db.collection('agg').aggregate().match({ kind: 'odd' }).count('n').end());
    expect(counted.list).toEqual([{ n: 15 }]);
  });
});

describe('indexes and collections', () => {
  test('a unique index rejects duplicates on add, update and a missing field (null)', async () => {
    f.backend.createIndex('users', { name: 'openid_unique', keys: { openid: 1 }, unique: true });
    await res(db.collection('users').add({ data: { _id: 'p1', openid: 'o-1' } }));
    const dup = await failure(db.collection('users').add({ data: { openid: 'o-1' } }));
    expect(dup.errCode).toBe(-502001);
    expect(dup.errMsg).toContain('E11000 duplicate key');
    expect(dup.errMsg).toContain('openid_unique');

    await res(db.collection('users').add({ data: { _id: 'p2', openid: 'o-2' } }));
    const upd = await failure(
      db
        .collection('users')
        .doc('p2')
        .update({ data: { openid: 'o-1' } }),
    );
    expect(upd.errMsg).toContain('E11000 duplicate key');
    expect((await res<{ data: Row }>(db.collection('users').doc('p2').get())).data.openid).toBe('o-2');

    await res(db.collection('users').add({ data: { _id: 'p3', name: 'no openid' } }));
    const missing = await failure(db.collection('users').add({ data: { name: 'also none' } }));
    expect(missing.errMsg).toContain('E11000 duplicate key');
    // A batch with an internal duplicate is all-or-nothing.
    const batch = await failure(db.collection('users').add({ data: [{ openid: 'o-9' }, { openid: 'o-9' }] }));
    expect(batch.errMsg).toContain('E11000');
    expect(await rows(db.collection('users').where({ openid: 'o-9' }))).toHaveLength(0);
    // Swapping keys inside one multi-update is fine when the final state is unique.
    await res(
      db
        .collection('users')
        .doc('p1')
        .update({ data: { openid: 'o-3' } }),
    );
    await res(
      db
        .collection('users')
        .doc('p2')
        .update({ data: { openid: 'o-1' } }),
    );
  });

  test('creating a unique index over existing duplicates fails', () => {
    expect(() => f.backend.createIndex('q', { name: 'tag_unique', keys: { tag: 1 }, unique: true })).toThrow(/E11000/);
  });

  test('a collection that was never created: -502005 on read and write; createCollection makes it', async () => {
    const read = await failure(db.collection('nope').get());
    expect(read.errCode).toBe(-502005);
    const write = await failure(db.collection('nope').add({ data: { a: 1 } }));
    expect(write.errCode).toBe(-502005);
    expect((await failure(db.collection('nope').where({ a: 1 }).count())).errCode).toBe(-502005);
    // wx-server-sdk's aggregate end() skips the code mapping the other calls do: errCode -1, server text kept.
    const agg = await failure(db.collection('nope').aggregate().end());
    expect(agg.errCode).toBe(-1);
    expect(agg.errMsg).toContain('Db or Table not exist');
    await res(db.createCollection('nope'));
    expect(await rows(db.collection('nope'))).toEqual([]);
    const again = await failure(db.createCollection('nope'));
    expect(again.errMsg).toMatch(/exist/i);
    expect(f.backend.listCollections()).toContainEqual({ name: 'nope', count: 0 });
  });
});

describe('transactions', () => {
  interface Tx {
    collection(name: string): ReturnType<SdkFixture['db']['collection']>;
    commit(): Promise<unknown>;
    rollback(reason?: unknown): Promise<unknown>;
  }
  beforeAll(async () => {
    await res(
      db.collection('acct').add({
        data: [
          { _id: 'alice', balance: 100 },
          { _id: 'bob', balance: 0 },
          { _id: 'ctr', balance: 0 },
        ],
      }),
    );
  });

  test('runTransaction commits all writes together', async () => {
    const out = await db.runTransaction(async (t: Tx) => {
      const a = (await res<{ data: Row }>(t.collection('acct').doc('alice').get())).data;
      await res(
        t
          .collection('acct')
          .doc('alice')
          .update({ data: { balance: (a.balance as number) - 30 } }),
      );
      await res(
        t
          .collection('acct')
          .doc('bob')
          .update({ data: { balance: _.inc(30) } }),
      );
      // Read-your-writes inside, invisible outside until commit.
      expect((await res<{ data: Row }>(t.collection('acct').doc('alice').get())).data.balance).toBe(70);
      expect(await balance('alice')).toBe(100);
      await res(t.collection('tx').add({ data: { _id: 'log-1', moved: 30 } }));
      return 'done';
    });
    expect(out).toBe('done');
    expect(await balance('alice')).toBe(70);
    expect(await balance('bob')).toBe(30);
    expect(await rows(db.collection('tx'))).toEqual([{ _id: 'log-1', moved: 30 }]);
  });

  test('rollback and a throwing callback discard the writes', async () => {
    const t = (await db.startTransaction()) as Tx;
    await res(
      t
        .collection('acct')
        .doc('alice')
        .update({ data: { balance: 0 } }),
    );
    await t.rollback();
    expect(await balance('alice')).toBe(70);

    await expect(
      db.runTransaction(async (tx: Tx) => {
        await res(
          tx
            .collection('acct')
            .doc('alice')
            .update({ data: { balance: 1 } }),
        );
        await tx.rollback('custom reason');
      }),
    ).rejects.toBe('custom reason');
    await expect(
      db.runTransaction(async (tx: Tx) => {
        await res(
          tx
            .collection('acct')
            .doc('alice')
            .update({ data: { balance: 2 } }),
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await balance('alice')).toBe(70);
  });

  test('two concurrent transactions on one doc: exactly one commits', async () => {
    const t1 = (await db.startTransaction()) as Tx;
    const t2 = (await db.startTransaction()) as Tx;
    const b1 = (await res<{ data: Row }>(t1.collection('acct').doc('bob').get())).data.balance as number;
    const b2 = (await res<{ data: Row }>(t2.collection('acct').doc('bob').get())).data.balance as number;
    await res(
      t1
        .collection('acct')
        .doc('bob')
        .update({ data: { balance: b1 + 1 } }),
    );
    await res(
      t2
        .collection('acct')
        .doc('bob')
        .update({ data: { balance: b2 + 100 } }),
    );
    const results = await Promise.allSettled([t1.commit(), t2.commit()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const reason = (results[1] as PromiseRejectedResult).reason as { code: string; message: string };
    expect(reason.code).toBe('DATABASE_TRANSACTION_CONFLICT');
    expect(await balance('bob')).toBe(31);
  });

  test('a write outside any transaction also conflicts with a transaction that read the doc', async () => {
    const t = (await db.startTransaction()) as Tx;
    await res(t.collection('acct').doc('bob').get());
    await res(
      db
        .collection('acct')
        .doc('bob')
        .update({ data: { note: 'outside' } }),
    );
    await res(
      t
        .collection('acct')
        .doc('bob')
        .update({ data: { balance: 0 } }),
    );
    await expect(t.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(await balance('bob')).toBe(31);
  });

  test('runTransaction retries on conflict, so concurrent increments all land', async () => {
    f.backend.resetStats();
    const increment = (): Promise<unknown> =>
      db.runTransaction(async (t: Tx) => {
        const v = (await res<{ data: Row }>(t.collection('acct').doc('ctr').get())).data.balance as number;
        await res(
          t
            .collection('acct')
            .doc('ctr')
            .update({ data: { balance: v + 1 } }),
        );
      });
    await Promise.all([increment(), increment(), increment()]);
    expect(await balance('ctr')).toBe(3);
    // At least one attempt conflicted and was retried by the SDK.
    expect(f.backend.stats().requests['database.commitTransaction']).toBeGreaterThan(3);
  });

  test('a unique violation fails the commit and applies nothing', async () => {
    f.backend.createIndex('tx', { name: 'key_unique', keys: { key: 1 }, unique: true });
    await res(db.collection('tx').add({ data: { _id: 'k1', key: 'K' } }));
    const t = (await db.startTransaction()) as Tx;
    await res(
      t
        .collection('acct')
        .doc('alice')
        .update({ data: { balance: 5 } }),
    );
    await res(t.collection('tx').add({ data: { key: 'K' } }));
    const err = (await failure(t.commit())) as { code?: string; message: string };
    expect(err.message).toContain('E11000 duplicate key');
    expect(await balance('alice')).toBe(70);
  });

  test('a transaction left open past the timeout is aborted', async () => {
    const t = (await db.startTransaction()) as Tx;
    await res(
      t
        .collection('acct')
        .doc('alice')
        .update({ data: { balance: 9 } }),
    );
    f.clock.advance(10_001);
    const err = (await failure(t.commit())) as { message: string };
    expect(err.message).toContain('TransactionNotExist');
    expect(await balance('alice')).toBe(70);
  });
});

describe('raw protocol', () => {
  const call = (params: Record<string, unknown>): Promise<Record<string, unknown>> =>
    f.backend.handle({ action: '', ...params } as Record<string, unknown> & { action: string }, { params: { action: '' } }) as Promise<
      Record<string, unknown>
    >;

  test('unknown actions get an error response, not a throw', async () => {
    const r = await call({ action: 'database.dropEverything' });
    expect(r.code).toBeTruthy();
    expect(String(r.message)).toContain('database.dropEverything');
    const bad = await call({ action: 'database.getDocument', collectionName: 'q', query: '{not json' });
    expect(bad.code).toBe('INVALID_PARAM');
  });

  test('the server refuses to change _id and operators in a replacement', async () => {
    const idChange = await call({
      action: 'database.modifyDocument',
      collectionName: 'q',
      query: JSON.stringify({ _id: 'q2' }),
      data: JSON.stringify({ $set: { _id: 'other' } }),
      multi: false,
      merge: true,
    });
    expect(String(idChange.message)).toContain("immutable field '_id'");
    const replacement = await call({
      action: 'database.modifyDocument',
      collectionName: 'q',
      query: JSON.stringify({ _id: 'q2' }),
      data: JSON.stringify({ $inc: { n: 1 }, plain: 1 }),
      multi: false,
      merge: false,
      upsert: true,
    });
    expect(replacement.code).toBe('DATABASE_REQUEST_FAILED');
    expect((await rows(db.collection('q').where({ _id: 'q2' })))[0]).toMatchObject({ _id: 'q2', n: 2 });
  });

  test('modifyAndReturnDoc returns the updated document', async () => {
    const r = await call({
      action: 'database.modifyAndReturnDoc',
      collectionName: 'q',
      query: JSON.stringify({ _id: 'q1' }),
      data: JSON.stringify({ $inc: { n: { $numberInt: '100' } } }),
    });
    expect(r.data).toMatchObject({ updated: 1 });
    expect(JSON.parse((r.data as { doc: string }).doc)).toMatchObject({ _id: 'q1', n: 101 });
  });

  test('the legacy transaction actions', async () => {
    const start = await call({ action: 'database.startTransaction' });
    const transactionId = start.transactionId as string;
    expect(transactionId).toBeTruthy();
    const got = await call({ action: 'database.getInTransaction', transactionId, collectionName: 'acct', _id: 'alice' });
    expect(JSON.parse(got.data as string)).toMatchObject({ _id: 'alice', balance: 70 });
    const upd = await call({
      action: 'database.updateDocInTransaction',
      transactionId,
      collectionName: 'acct',
      _id: 'alice',
      data: JSON.stringify({ $set: { balance: { $numberInt: '60' } } }),
    });
    expect(JSON.parse(upd.updated as string)).toBe(1);
    const ups = await call({
      action: 'database.updateDocInTransaction',
      transactionId,
      collectionName: 'acct',
      _id: 'carol',
      data: JSON.stringify({ balance: { $numberInt: '10' } }),
      upsert: true,
    });
    expect(JSON.parse(ups.upserted as string)).toEqual([{ _id: 'carol' }]);
    const del = await call({ action: 'database.deleteDocInTransaction', transactionId, collectionName: 'acct', _id: 'bob' });
    expect(JSON.parse(del.deleted as string)).toBe(1);
    expect(await call({ action: 'database.commitTransaction', transactionId })).not.toHaveProperty('code');
    expect(await balance('alice')).toBe(60);
    expect(await balance('carol')).toBe(10);
    expect(await rows(db.collection('acct').where({ _id: 'bob' }))).toEqual([]);
  });

  test('stats count requests per action', async () => {
    f.backend.resetStats();
    await rows(db.collection('q'));
    await res(db.collection('q').count());
    await rows(db.collection('q'));
    expect(f.backend.stats().requests).toEqual({ 'database.getDocument': 2, 'database.calculateDocument': 1 });
  });
});
