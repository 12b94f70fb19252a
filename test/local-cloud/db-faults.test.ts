/**
 * The database's fault hook: an injected failure reaches the real SDK as the
 * service's SYS_ERR, changes nothing, and hits exactly the requests it names.
 */
import { failure, openSdkFixture, res, rows, type SdkFixture } from './db-helpers';

let f: SdkFixture;
beforeEach(() => {
  f = openSdkFixture();
  for (const name of ['a', 'b']) f.backend.ensureCollection(name);
});
afterEach(() => f.close());

const count = (c: string) => f.backend.count(c, {});

test('the Nth write to a collection fails with SYS_ERR and writes nothing; others pass', async () => {
  f.backend.failNext({ action: 'write', collection: 'a', skip: 2 });
  await f.db.collection('a').add({ data: { _id: 'a1' } });
  await f.db.collection('b').add({ data: { _id: 'b1' } });
  await f.db
    .collection('a')
    .doc('a1')
    .update({ data: { v: 1 } });
  // Reads never match a write fault.
  expect(await rows(f.db.collection('a').where({}))).toHaveLength(1);
  const err = await failure(f.db.collection('a').add({ data: { _id: 'a2' } }));
  expect(err.errMsg).toContain('system error (injected)');
  expect(count('a')).toBe(1);
  // Used up: the same write now succeeds.
  await f.db.collection('a').add({ data: { _id: 'a2' } });
  expect(count('a')).toBe(2);
});

test('a failed commit leaves none of the transaction behind', async () => {
  f.backend.failNext({ action: 'database.commitTransaction', collection: 'b' });
  const err = await failure(
    f.db.runTransaction(async (tx: { collection(n: string): { add(o: object): Promise<unknown> } }) => {
      await tx.collection('a').add({ data: { _id: 'x' } });
      await tx.collection('b').add({ data: { _id: 'y' } });
    }),
  );
  expect(err.errMsg ?? err.message).toContain('system error (injected)');
  expect([count('a'), count('b')]).toEqual([0, 0]);
  // The next transaction commits.
  await res(
    f.db.runTransaction(async (tx: { collection(n: string): { add(o: object): Promise<unknown> } }) =>
      tx.collection('a').add({ data: { _id: 'x' } }),
    ),
  );
  expect(count('a')).toBe(1);
});

test('times fails several requests; clearFaults drops what is left; a bad fault is refused', async () => {
  f.backend.failNext({ action: 'database.getDocument', times: 2 });
  await failure(f.db.collection('a').get());
  await failure(f.db.collection('b').get());
  await f.db.collection('a').get();
  f.backend.failNext({ action: 'any', skip: 1 });
  await f.db.collection('a').get();
  await failure(f.db.collection('b').add({ data: { _id: 'no' } }));
  f.backend.failNext({ action: 'write', times: 5 });
  f.backend.clearFaults();
  await f.db.collection('a').add({ data: { _id: 'ok' } });
  expect(count('a')).toBe(1);
  expect(() => f.backend.failNext({ action: 'insertDocument' })).toThrow(/'any' or a database\.\* action/);
  expect(() => f.backend.failNext({ action: 'write', times: 0 })).toThrow(/positive/);
});
