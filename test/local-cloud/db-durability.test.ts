/**
 * Durability: acknowledged writes survive SIGKILL, torn or corrupt journal
 * tails are dropped, multi-document writes are all-or-nothing, compaction and
 * a crash in the middle of it lose nothing.
 */
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { createDatabaseBackend, type DatabaseBackend } from '../../scripts/local-cloud/db/database';
import { tempDir } from './db-helpers';
import { bundleChild } from '../helpers/child';

const REPO = path.resolve(__dirname, '../..');
const dirs: string[] = [];
const open: DatabaseBackend[] = [];

function newDir(): string {
  const d = tempDir('lcdb-dur-');
  dirs.push(d);
  return d;
}

function openDb(dir: string, extra: { compactBytes?: number; fsync?: boolean } = {}): DatabaseBackend {
  const b = createDatabaseBackend({ dir, fsync: extra.fsync ?? false, compactBytes: extra.compactBytes });
  open.push(b);
  return b;
}

function closeDb(b: DatabaseBackend): void {
  b.close();
  open.splice(open.indexOf(b), 1);
}

async function insert(b: DatabaseBackend, collectionName: string, docs: Record<string, unknown>[]): Promise<Record<string, unknown>> {
  return (await b.handle(
    { action: 'database.insertDocument', collectionName, data: docs.map((d) => JSON.stringify(d)) },
    { params: { action: '' } },
  )) as Record<string, unknown>;
}

const journal = (dir: string): string => path.join(dir, 'journal.log');

afterEach(() => {
  for (const b of open.splice(0)) b.close();
});

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('every write acknowledged before SIGKILL survives, exactly once; batches are all-or-nothing', async () => {
  const dir = newDir();
  const bundle = path.join(newDir(), 'child.js');
  bundleChild(path.join(__dirname, 'db-durability-child.ts'), bundle);

  const acked: number[] = [];
  // A small compaction threshold makes the kill land near or inside compactions too.
  const child = spawn(process.execPath, [bundle, dir, '20000'], {
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // 'close', not 'exit': only then has every line the child printed been read (its last acks can still be in the pipe
  // when it exits, and a busy machine makes that likely).
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) acked.push(Number(l));
      if (acked.length >= 300 && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('close', () => (acked.length >= 300 ? resolve() : reject(new Error(`child exited early: ${stderr}`))));
  });
  expect(await exited).toBe('SIGKILL');
  expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(true); // stale lock of the dead child

  const b = openDb(dir);
  const docs = b.find('log', {}, {});
  const bySeq = new Map<number, number>();
  for (const d of docs) bySeq.set(d.seq as number, (bySeq.get(d.seq as number) ?? 0) + 1);
  const expectedParts = (seq: number): number => (seq % 5 === 4 ? 3 : 1);
  for (const seq of acked) expect([seq, bySeq.get(seq)]).toEqual([seq, expectedParts(seq)]);
  // Nothing beyond what was written, no gaps, no half batches (the in-flight write may or may not be there).
  const maxSeq = Math.max(...bySeq.keys());
  expect(maxSeq - Math.max(...acked)).toBeLessThanOrEqual(1);
  for (let seq = 0; seq <= maxSeq; seq++) expect([seq, bySeq.get(seq)]).toEqual([seq, expectedParts(seq)]);
  expect(new Set(docs.map((d) => d._id)).size).toBe(docs.length);
  // The reopened store is writable and consistent across another restart.
  expect((await insert(b, 'log', [{ seq: -1 }])).code).toBeUndefined();
  closeDb(b);
  expect(openDb(dir).count('log')).toBe(docs.length + 1);
}, 15_000);

test('a torn final journal line is ignored and cut off', async () => {
  const dir = newDir();
  let b = openDb(dir);
  b.ensureCollection('c');
  await insert(b, 'c', [{ _id: 'a', v: 1 }]);
  await insert(b, 'c', [{ _id: 'b', v: 2 }]);
  closeDb(b);
  const lines = fs.readFileSync(journal(dir), 'utf8');
  expect(lines.split('\n').filter(Boolean)).toHaveLength(3); // createCollection + two inserts
  // Half of a record that was never acknowledged.
  fs.appendFileSync(journal(dir), '1a2b3c4d {"seq":3,"ops":[{"op":"put","coll":"c","doc":{"_id":"torn"');

  b = openDb(dir);
  expect(b.find('c').map((d) => d._id)).toEqual(['a', 'b']);
  await insert(b, 'c', [{ _id: 'after', v: 3 }]);
  closeDb(b);
  b = openDb(dir);
  expect(b.find('c').map((d) => d._id)).toEqual(['a', 'b', 'after']);
  closeDb(b);

  // A journal holding nothing but a torn line (the last open compacted everything into the snapshot).
  expect(fs.statSync(journal(dir)).size).toBe(0);
  fs.writeFileSync(journal(dir), '0badc0de {"seq":9,"ops":[');
  b = openDb(dir);
  await insert(b, 'c', [{ _id: 'last' }]);
  closeDb(b);
  expect(
    openDb(dir)
      .find('c')
      .map((d) => d._id),
  ).toEqual(['a', 'b', 'after', 'last']);
});

test('a complete final line with a bad checksum is ignored; a corrupt line before valid ones refuses to open', async () => {
  const dir = newDir();
  let b = openDb(dir);
  b.ensureCollection('c');
  await insert(b, 'c', [{ _id: 'a' }]);
  await insert(b, 'c', [{ _id: 'b' }]);
  closeDb(b);
  const [create, first, second] = fs.readFileSync(journal(dir), 'utf8').split('\n');
  const flipped = (line: string): string => line.replace('"_id":"', '"_id":"X');
  fs.writeFileSync(journal(dir), `${create}\n${first}\n${flipped(second ?? '')}\n`);
  b = openDb(dir);
  expect(b.find('c').map((d) => d._id)).toEqual(['a']);
  await insert(b, 'c', [{ _id: 'c' }]);
  await insert(b, 'c', [{ _id: 'd' }]);
  closeDb(b);

  const [l1, l2] = fs.readFileSync(journal(dir), 'utf8').split('\n');
  fs.writeFileSync(journal(dir), `${flipped(l1 ?? '')}\n${l2}\n`);
  expect(() => openDb(dir)).toThrow(/corrupt/);
  expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false); // a failed open releases the lock
});

test('a multi-document write is one journal record: torn, none of it is applied', async () => {
  const dir = newDir();
  let b = openDb(dir);
  b.ensureCollection('c');
  await insert(b, 'c', [{ _id: 'keep' }]);
  await insert(b, 'c', [{ _id: 'x1' }, { _id: 'x2' }, { _id: 'x3' }]);
  await b.handle(
    { action: 'database.modifyDocument', collectionName: 'c', query: '{}', data: JSON.stringify({ $set: { tagged: true } }), multi: true },
    { params: { action: '' } },
  );
  closeDb(b);
  const content = fs.readFileSync(journal(dir), 'utf8').split('\n').filter(Boolean);
  // One record per request, however many docs: createCollection, insert, batch insert, multi-update.
  expect(content).toHaveLength(4);
  // Tear the multi-update in the middle: no doc may show it.
  const last = content[3] ?? '';
  fs.writeFileSync(journal(dir), `${content.slice(0, 3).join('\n')}\n${last.slice(0, Math.floor(last.length / 2))}`);
  b = openDb(dir);
  const docs = b.find('c');
  expect(docs.map((d) => d._id)).toEqual(['keep', 'x1', 'x2', 'x3']);
  expect(docs.filter((d) => d.tagged)).toEqual([]);
  closeDb(b);
  // Now tear the batch insert (after the reopen it is the only record in a fresh journal).
  b = openDb(dir);
  await insert(b, 'c', [{ _id: 'y1' }, { _id: 'y2' }]);
  closeDb(b);
  const batch = fs.readFileSync(journal(dir), 'utf8');
  fs.writeFileSync(journal(dir), batch.slice(0, batch.length - 20));
  expect(
    openDb(dir)
      .find('c')
      .map((d) => d._id),
  ).toEqual(['keep', 'x1', 'x2', 'x3']);
});

test('compaction past the threshold keeps the journal small and loses nothing', async () => {
  const dir = newDir();
  let b = openDb(dir, { compactBytes: 2048 });
  b.ensureCollection('c');
  b.createIndex('c', { name: 'k_unique', keys: { k: 1 }, unique: true });
  for (let i = 0; i < 60; i++) await insert(b, 'c', [{ k: i, pad: 'y'.repeat(100) }]);
  expect(fs.statSync(journal(dir)).size).toBeLessThan(2048 + 400);
  closeDb(b);
  b = openDb(dir);
  expect(b.count('c')).toBe(60);
  // The unique index came back from the snapshot.
  expect((await insert(b, 'c', [{ k: 5 }])).message).toContain('E11000');
});

test('a crash between snapshot rename and journal truncation does not replay twice', async () => {
  const dir = newDir();
  let b = openDb(dir);
  b.ensureCollection('c');
  await insert(b, 'c', [{ _id: 'a', n: 1 }]);
  await b.handle(
    { action: 'database.modifyDocument', collectionName: 'c', query: '{"_id":"a"}', data: '{"$inc":{"n":1}}', multi: false },
    { params: { action: '' } },
  );
  await b.handle(
    { action: 'database.removeDocument', collectionName: 'c', query: '{"_id":"a"}', multi: false },
    { params: { action: '' } },
  );
  await insert(b, 'c', [{ _id: 'a', n: 10 }]);
  closeDb(b);
  const stale = fs.readFileSync(journal(dir));
  b = openDb(dir); // compacts: snapshot now holds everything, journal emptied
  expect(fs.statSync(journal(dir)).size).toBe(0);
  closeDb(b);
  fs.writeFileSync(journal(dir), stale); // as if truncation never happened
  b = openDb(dir);
  expect(b.find('c')).toEqual([{ _id: 'a', n: 10 }]);
});

test('one process per data directory', () => {
  const dir = newDir();
  const b = openDb(dir);
  expect(() => createDatabaseBackend({ dir, fsync: false })).toThrow(/already open/);
  closeDb(b);
  expect(() => closeDb(openDb(dir))).not.toThrow();
});
