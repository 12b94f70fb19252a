/**
 * `POST /storage/upload`, the path the mini program's wx.uploadFile takes against the local
 * cloud, and the streaming multipart parser behind it.
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { MultipartParser, createStorageBackend, type MultipartEvent, type StorageBackend } from '../../scripts/local-cloud/storage';
import { compileStorageRule } from '../../scripts/local-cloud/storage-rules';
import { ENV, startStorageFixture, type StorageFixture } from './storage-fixture';

interface WxCloud {
  init(config: { env: string }): void;
  downloadFile(p: { fileID: string }): Promise<{ fileContent: Buffer }>;
}

const OPENID = 'o-local-alice-0001';
const LIMIT = 8 * 1024;
let dir: string;
let origin: string;
let storage: StorageBackend;
let cloud: WxCloud;

let fixture: StorageFixture<WxCloud>;

beforeAll(async () => {
  fixture = await startStorageFixture<WxCloud>('storage-upload-', { maxUploadBytes: LIMIT });
  ({ dir, origin, storage, cloud } = fixture);
});

afterAll(() => fixture.close());

interface Part {
  name: string;
  value: Buffer | string;
  filename?: string;
  contentType?: string;
}

/** The body wx.uploadFile sends: form fields plus one file part named "file". */
function multipart(
  parts: Part[],
  boundary = `----WxUpload${crypto.randomBytes(8).toString('hex')}`,
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function post(body: Buffer, contentType: string, headers: Record<string, string> = { 'x-local-openid': OPENID }): Promise<Response> {
  return fetch(`${origin}/storage/upload`, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
}

function leftovers(): string[] {
  return fs.readdirSync(path.join(dir, 'tmp'));
}

test('a multipart upload is stored with its owner and the returned fileID downloads through the SDK', async () => {
  const bytes = crypto.randomBytes(5000);
  // Put a near-boundary sequence inside the file to make sure the parser does not cut there.
  bytes.write('\r\n------WxUpload', 100, 'latin1');
  const { body, contentType } = multipart([
    { name: 'cloudPath', value: 'avatars/alice.jpg' },
    { name: 'file', filename: 'http://tmp/wx123.jpg', contentType: 'image/jpeg', value: bytes },
  ]);
  const res = await post(body, contentType);
  expect(res.status).toBe(200);
  const json = (await res.json()) as { fileID: string; statusCode: number };
  expect(json).toEqual({ fileID: storage.fileIdOf('avatars/alice.jpg'), statusCode: 200 });

  const { fileContent } = await cloud.downloadFile({ fileID: json.fileID });
  expect(Buffer.compare(fileContent, bytes)).toBe(0);
  expect(storage.list({ prefix: 'avatars/' })).toEqual([
    expect.objectContaining({ cloudPath: 'avatars/alice.jpg', size: 5000, contentType: 'image/jpeg', owner: OPENID }),
  ]);
  expect(new Date(storage.list({ prefix: 'avatars/' })[0]?.uploadedAt ?? '').getTime()).not.toBeNaN();
  expect(leftovers()).toEqual([]);
});

test('the cloudPath field may come after the file part', async () => {
  const { body, contentType } = multipart([
    { name: 'file', filename: 'a.txt', value: 'hello' },
    { name: 'cloudPath', value: 'notes/after.txt' },
  ]);
  const res = await post(body, contentType);
  expect(res.status).toBe(200);
  expect((await cloud.downloadFile({ fileID: storage.fileIdOf('notes/after.txt') })).fileContent.toString()).toBe('hello');
});

test('an oversize file gets 413 and leaves nothing behind, whether caught by Content-Length or while streaming', async () => {
  const before = storage.count();
  // Within the framing allowance, so only the streaming counter can catch it.
  const streamed = multipart([
    { name: 'cloudPath', value: 'big/streamed.bin' },
    { name: 'file', filename: 'x.bin', value: crypto.randomBytes(LIMIT + 1) },
  ]);
  const r1 = await post(streamed.body, streamed.contentType);
  expect(r1.status).toBe(413);
  expect(await r1.json()).toMatchObject({ statusCode: 413, code: 'FILE_TOO_LARGE' });

  const declared = multipart([
    { name: 'cloudPath', value: 'big/declared.bin' },
    { name: 'file', filename: 'x.bin', value: crypto.randomBytes(LIMIT + 128 * 1024) },
  ]);
  const r2 = await post(declared.body, declared.contentType);
  expect(r2.status).toBe(413);

  const exact = multipart([
    { name: 'cloudPath', value: 'big/exact.bin' },
    { name: 'file', filename: 'x.bin', value: crypto.randomBytes(LIMIT) },
  ]);
  expect((await post(exact.body, exact.contentType)).status).toBe(200);

  expect(storage.count()).toBe(before + 1);
  expect(fs.readdirSync(path.join(dir, 'files', 'big'))).toEqual(['exact.bin']);
  expect(leftovers()).toEqual([]);
});

test.each([
  [
    'no openid header',
    () =>
      multipart([
        { name: 'cloudPath', value: 'x/a.txt' },
        { name: 'file', filename: 'a', value: 'a' },
      ]),
    {},
    401,
  ],
  [
    'a bad cloudPath',
    () =>
      multipart([
        { name: 'cloudPath', value: '/abs.txt' },
        { name: 'file', filename: 'a', value: 'a' },
      ]),
    undefined,
    400,
  ],
  [
    'a bad cloudPath after the file',
    () =>
      multipart([
        { name: 'file', filename: 'a', value: 'a' },
        { name: 'cloudPath', value: 'x/../a' },
      ]),
    undefined,
    400,
  ],
  ['no cloudPath', () => multipart([{ name: 'file', filename: 'a', value: 'a' }]), undefined, 400],
  ['no file part', () => multipart([{ name: 'cloudPath', value: 'x/a.txt' }]), undefined, 400],
  [
    'two file parts',
    () =>
      multipart([
        { name: 'cloudPath', value: 'x/a.txt' },
        { name: 'file', filename: 'a', value: 'a' },
        { name: 'file', filename: 'b', value: 'b' },
      ]),
    undefined,
    400,
  ],
])('refuses an upload with %s', async (_label, build, headers, status) => {
  const before = storage.count();
  const { body, contentType } = build();
  const res = await post(body, contentType, headers);
  expect(res.status).toBe(status);
  expect(await res.json()).toMatchObject({ statusCode: status, message: expect.any(String) });
  expect(storage.count()).toBe(before);
  expect(leftovers()).toEqual([]);
});

test('refuses bodies that are not well-formed multipart', async () => {
  const notMultipart = await post(Buffer.from('{}'), 'application/json');
  expect(notMultipart.status).toBe(400);
  const { body, contentType } = multipart([
    { name: 'cloudPath', value: 'x/t.txt' },
    { name: 'file', filename: 'a', value: 'abc' },
  ]);
  const truncated = await post(body.subarray(0, body.length - 12), contentType);
  expect(truncated.status).toBe(400);
  expect(storage.list({ prefix: 'x/' })).toEqual([]);
  expect(leftovers()).toEqual([]);
});

test('failNext("httpUpload") fails the next upload with 500, then uploads work again', async () => {
  storage.failNext('httpUpload');
  const { body, contentType } = multipart([
    { name: 'cloudPath', value: 'flaky/a.txt' },
    { name: 'file', filename: 'a', value: 'a' },
  ]);
  expect((await post(body, contentType)).status).toBe(500);
  expect(storage.list({ prefix: 'flaky/' })).toEqual([]);
  expect((await post(body, contentType)).status).toBe(200);
  expect(storage.list({ prefix: 'flaky/' })).toHaveLength(1);
});

test('list pages by offset/limit in path order and count honours the prefix', async () => {
  for (const name of ['c', 'a', 'b']) {
    const { body, contentType } = multipart([
      { name: 'cloudPath', value: `paged/${name}.txt` },
      { name: 'file', filename: name, value: name },
    ]);
    expect((await post(body, contentType)).status).toBe(200);
  }
  expect(storage.count({ prefix: 'paged/' })).toBe(3);
  expect(storage.list({ prefix: 'paged/', offset: 1, limit: 1 }).map((f) => f.cloudPath)).toEqual(['paged/b.txt']);
  expect(storage.count()).toBeGreaterThanOrEqual(3);
});

test('the parser yields the same parts whatever the chunking', () => {
  const file = crypto.randomBytes(3000);
  file.write('\r\n--BOUNDAR', 10, 'latin1');
  file.write('\r\n--BOUNDARx\r\n--BOUNDAR\r\n', 2000, 'latin1');
  const { body } = multipart(
    [
      { name: 'cloudPath', value: '中文/路径.png' },
      { name: 'file', filename: 'f.png', contentType: 'image/png', value: file },
    ],
    'BOUNDARY',
  );
  for (const size of [1, 7, 64, 1000, body.length]) {
    const parser = new MultipartParser('BOUNDARY');
    const events: MultipartEvent[] = [];
    for (let i = 0; i < body.length; i += size) events.push(...parser.write(body.subarray(i, i + size)));
    events.push(...parser.end());
    const parts: { name: string; filename?: string; data: Buffer }[] = [];
    for (const ev of events) {
      if (ev.type === 'partBegin') parts.push({ name: ev.headers.name, filename: ev.headers.filename, data: Buffer.alloc(0) });
      const last = parts[parts.length - 1];
      if (ev.type === 'data' && last) last.data = Buffer.concat([last.data, ev.chunk]);
    }
    expect(events[events.length - 1]).toEqual({ type: 'end' });
    expect(parts.map((p) => [p.name, p.filename])).toEqual([
      ['cloudPath', undefined],
      ['file', 'f.png'],
    ]);
    expect(parts[0]?.data.toString('utf8')).toBe('中文/路径.png');
    expect(Buffer.compare(parts[1]?.data ?? Buffer.alloc(0), file)).toBe(0);
  }
});

test('the rule sees the upload’s path as resource.path: a path the rule names is refused with 403, others pass', async () => {
  const before = fixture.storage;
  const rule = compileStorageRule({ read: true, write: "auth != null && resource.path != 'units/locked/notice.pdf'" });
  fixture.storage = createStorageBackend({ dir, envId: ENV, baseUrl: () => origin, maxUploadBytes: LIMIT, rule });
  try {
    const upload = (cloudPath: string) =>
      multipart([
        { name: 'cloudPath', value: cloudPath },
        { name: 'file', filename: 'n.pdf', value: '%PDF-1.4' },
      ]);
    const locked = upload('units/locked/notice.pdf');
    expect((await post(locked.body, locked.contentType)).status).toBe(403);
    const free = upload('units/locked/other.pdf');
    expect((await post(free.body, free.contentType)).status).toBe(200);
    expect(fixture.storage.list({ prefix: 'units/locked/' }).map((f) => f.cloudPath)).toEqual(['units/locked/other.pdf']);
  } finally {
    fixture.storage = before;
  }
});
