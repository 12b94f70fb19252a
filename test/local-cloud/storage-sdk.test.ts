/**
 * The real wx-server-sdk against the local storage backend: uploadFile / downloadFile /
 * getTempFileURL / deleteFile go through the SDK's own request building and parsing, and
 * its PUT / GET go over HTTP to a local server.
 */
import fs from 'fs';
import path from 'path';
import { createStorageBackend, type StorageBackend } from '../../scripts/local-cloud/storage';
import { ENV, startStorageFixture, type StorageFixture } from './storage-fixture';

interface TempFile {
  fileID: string;
  status: number;
  errMsg: string;
  tempFileURL: string;
  maxAge?: number;
}
interface WxCloud {
  init(config: { env: string }): void;
  uploadFile(p: { cloudPath: string; fileContent: Buffer }): Promise<{ fileID: string; statusCode: number; errMsg: string }>;
  downloadFile(p: { fileID: string }): Promise<{ fileContent: Buffer; errMsg: string }>;
  getTempFileURL(p: { fileList: (string | { fileID: string; maxAge: number })[] }): Promise<{ fileList: TempFile[]; errMsg: string }>;
  deleteFile(p: { fileList: string[] }): Promise<{ fileList: { fileID: string; status: number; errMsg: string }[] }>;
}

let dir: string;
let origin: string;
let clock: number;
let storage: StorageBackend;
let cloud: WxCloud;

let fixture: StorageFixture<WxCloud>;

beforeAll(async () => {
  clock = Date.parse('2024-05-01T08:00:00Z');
  fixture = await startStorageFixture<WxCloud>('storage-sdk-', { now: () => clock });
  ({ dir, origin, storage, cloud } = fixture);
});

afterAll(() => fixture.close());

test('fileIDs look like real ones: cloud://<env>.<hex of env prefix>-<env>-<appid>/<cloudPath>', async () => {
  const { fileID, statusCode } = await cloud.uploadFile({ cloudPath: 'ids/a.txt', fileContent: Buffer.from('a') });
  expect(storage.bucket).toBe('6c6f-local-env-1300000000');
  expect(fileID).toBe('cloud://local-env.6c6f-local-env-1300000000/ids/a.txt');
  // wx-server-sdk 4.0.2 waits for an onResponseReceived hook that @cloudbase/node-sdk 3.x never
  // calls, so the real uploadFile reports statusCode -1 too; code must not rely on it.
  expect(statusCode).toBe(-1);
});

test('uploadFile then downloadFile returns the same bytes, also for non-ASCII paths', async () => {
  const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
  for (const cloudPath of ['reports/2024/a.bin', '报告/二〇二四 年度 #1.bin']) {
    const { fileID } = await cloud.uploadFile({ cloudPath, fileContent: bytes });
    const { fileContent } = await cloud.downloadFile({ fileID });
    expect(Buffer.compare(fileContent, bytes)).toBe(0);
  }
  const [info] = storage.list({ prefix: 'reports/' });
  expect(info).toMatchObject({ cloudPath: 'reports/2024/a.bin', size: 70_000, contentType: 'application/octet-stream' });
  expect(info?.owner).toBeUndefined();
  // Stored where a human can find it, with no half-written leftovers.
  expect(fs.readFileSync(path.join(dir, 'files', 'reports', '2024', 'a.bin')).length).toBe(70_000);
  expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
});

test('the same cloudPath overwrites', async () => {
  const before = storage.count();
  const first = await cloud.uploadFile({ cloudPath: 'over/x.txt', fileContent: Buffer.from('first') });
  const second = await cloud.uploadFile({ cloudPath: 'over/x.txt', fileContent: Buffer.from('second!') });
  expect(second.fileID).toBe(first.fileID);
  expect((await cloud.downloadFile({ fileID: first.fileID })).fileContent.toString()).toBe('second!');
  expect(storage.count()).toBe(before + 1);
  expect(storage.list({ prefix: 'over/' })[0]?.size).toBe(7);
});

test('getTempFileURL gives a URL fetch() can GET, typed by extension; HEAD and Range work', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const { fileID } = await cloud.uploadFile({ cloudPath: 'img/logo.png', fileContent: png });
  const { fileList } = await cloud.getTempFileURL({ fileList: [fileID] });
  const [item] = fileList;
  expect(item).toMatchObject({ fileID, status: 0, errMsg: 'ok' });
  expect(item?.tempFileURL.startsWith(`${origin}/storage/file/img/logo.png?`)).toBe(true);
  const res = await fetch(item?.tempFileURL ?? '');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  expect(res.headers.get('content-length')).toBe(String(png.length));
  expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), png)).toBe(0);

  const head = await fetch(item?.tempFileURL ?? '', { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-length')).toBe(String(png.length));
  const ranged = await fetch(item?.tempFileURL ?? '', { headers: { Range: 'bytes=1-3' } });
  expect(ranged.status).toBe(206);
  expect(Buffer.from(await ranged.arrayBuffer()).toString('latin1')).toBe('PNG');
});

test('temp URLs are signed: tampering gives 403, and so does expiry', async () => {
  const { fileID } = await cloud.uploadFile({ cloudPath: 'signed/a.txt', fileContent: Buffer.from('secret-a') });
  await cloud.uploadFile({ cloudPath: 'signed/b.txt', fileContent: Buffer.from('secret-b') });
  const { fileList } = await cloud.getTempFileURL({ fileList: [{ fileID, maxAge: 60 }] });
  const url = new URL(fileList[0]?.tempFileURL ?? '');
  expect(fileList[0]?.maxAge).toBe(60);
  expect((await fetch(url)).status).toBe(200);

  const otherFile = new URL(url);
  otherFile.pathname = otherFile.pathname.replace('a.txt', 'b.txt');
  const longer = new URL(url);
  longer.searchParams.set('t', String(Number(url.searchParams.get('t')) + 3600));
  const forged = new URL(url);
  const sig = forged.searchParams.get('sign') ?? '';
  forged.searchParams.set('sign', (sig[0] === '0' ? '1' : '0') + sig.slice(1));
  const unsigned = new URL(url);
  unsigned.search = '';
  for (const bad of [otherFile, longer, forged, unsigned]) {
    const res = await fetch(bad);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  }

  clock += 59_000;
  expect((await fetch(url)).status).toBe(200);
  clock += 2_000;
  const expired = await fetch(url);
  expect(expired.status).toBe(403);
  expect(await expired.text()).toContain('<Code>AccessDenied</Code>');
});

test('deleteFile, then downloading fails and a second delete reports the file missing', async () => {
  const { fileID } = await cloud.uploadFile({ cloudPath: 'del/gone.txt', fileContent: Buffer.from('bye') });
  const { fileList: urls } = await cloud.getTempFileURL({ fileList: [fileID] });
  const first = await cloud.deleteFile({ fileList: [fileID] });
  expect(first.fileList).toEqual([{ fileID, status: 0, errMsg: 'ok' }]);
  expect(storage.list({ prefix: 'del/' })).toEqual([]);
  expect(fs.existsSync(path.join(dir, 'files', 'del', 'gone.txt'))).toBe(false);

  await expect(cloud.downloadFile({ fileID })).rejects.toMatchObject({ errMsg: expect.stringContaining('storage file not exist') });
  // A URL signed before the delete now finds nothing.
  expect((await fetch(urls[0]?.tempFileURL ?? '')).status).toBe(404);
  const again = await cloud.deleteFile({ fileList: [fileID] });
  expect(again.fileList[0]).toMatchObject({ fileID, status: -503003 });
  const temp = await cloud.getTempFileURL({ fileList: [fileID] });
  expect(temp.fileList[0]).toMatchObject({ status: -503003, tempFileURL: '' });
});

test('a fileID of another env or a malformed one is refused per file', async () => {
  const foreign = 'cloud://prod-env.7072-prod-env-1300000000/img/logo.png';
  const { fileList } = await cloud.getTempFileURL({ fileList: [foreign, 'not-a-file-id'] });
  expect(fileList.map((f) => f.status)).toEqual([-503002, -501007]);
  const del = await cloud.deleteFile({ fileList: [foreign] });
  expect(del.fileList[0]?.status).toBe(-503002);
});

test('more than 50 files per getTempFileURL / deleteFile call is rejected', async () => {
  const ids = Array.from({ length: 51 }, (_, i) => storage.fileIdOf(`many/${i}.txt`));
  await expect(cloud.getTempFileURL({ fileList: ids })).rejects.toMatchObject({ errMsg: expect.stringContaining('at most 50 files') });
  await expect(cloud.deleteFile({ fileList: ids })).rejects.toMatchObject({ errMsg: expect.stringContaining('at most 50 files') });
  const ok = await cloud.getTempFileURL({ fileList: ids.slice(0, 50) });
  expect(ok.fileList).toHaveLength(50);
});

test.each([
  ['', 'non-empty'],
  ['/leading.png', 'must not start with "/"'],
  ['a/../b.png', '".."'],
  ['a/./b.png', '"."'],
  ['a//b.png', 'empty segments'],
  ['dir/', 'empty segments'],
  ['nul\u0000.png', 'control characters'],
  ['tab\t.png', 'control characters'],
  ['win\\path.png', '"\\"'],
  ['x'.repeat(200) + '/' + 'y'.repeat(200) + '/' + 'z'.repeat(200) + '/' + 'w'.repeat(251), 'at most 850 bytes'],
])('uploadFile refuses cloudPath %j', async (cloudPath, message) => {
  const before = storage.count();
  await expect(cloud.uploadFile({ cloudPath, fileContent: Buffer.from('x') })).rejects.toMatchObject({
    errMsg: expect.stringContaining(message),
  });
  expect(storage.count()).toBe(before);
});

test('a path that would need a file to be a folder is refused, not half-written', async () => {
  await cloud.uploadFile({ cloudPath: 'clash/file', fileContent: Buffer.from('1') });
  await expect(cloud.uploadFile({ cloudPath: 'clash/file/child.txt', fileContent: Buffer.from('2') })).rejects.toMatchObject({
    errMsg: expect.stringContaining('conflicts'),
  });
  await cloud.uploadFile({ cloudPath: 'clash2/dir/child.txt', fileContent: Buffer.from('3') });
  await expect(cloud.uploadFile({ cloudPath: 'clash2/dir', fileContent: Buffer.from('4') })).rejects.toMatchObject({
    errMsg: expect.stringContaining('conflicts'),
  });
});

test('failNext makes the next operations fail like the service, then recovers', async () => {
  const { fileID } = await cloud.uploadFile({ cloudPath: 'faults/a.txt', fileContent: Buffer.from('a') });

  storage.failNext('uploadFile');
  await expect(cloud.uploadFile({ cloudPath: 'faults/b.txt', fileContent: Buffer.from('b') })).rejects.toMatchObject({
    errMsg: expect.stringContaining('[InternalError]'),
  });
  expect(storage.list({ prefix: 'faults/b' })).toEqual([]);
  await cloud.uploadFile({ cloudPath: 'faults/b.txt', fileContent: Buffer.from('b') });

  storage.failNext('getUploadMetadata');
  await expect(cloud.uploadFile({ cloudPath: 'faults/c.txt', fileContent: Buffer.from('c') })).rejects.toMatchObject({
    errMsg: expect.stringContaining('system error'),
  });

  storage.failNext('getTempFileURL', 2);
  await expect(cloud.getTempFileURL({ fileList: [fileID] })).rejects.toMatchObject({ errMsg: expect.stringContaining('system error') });
  await expect(cloud.downloadFile({ fileID })).rejects.toMatchObject({ errMsg: expect.stringContaining('system error') });
  expect((await cloud.getTempFileURL({ fileList: [fileID] })).fileList[0]?.status).toBe(0);

  storage.failNext('downloadFile');
  await expect(cloud.downloadFile({ fileID })).rejects.toMatchObject({ errMsg: expect.stringContaining('Status:503') });
  expect((await cloud.downloadFile({ fileID })).fileContent.toString()).toBe('a');

  storage.failNext('deleteFile');
  await expect(cloud.deleteFile({ fileList: [fileID] })).rejects.toMatchObject({ errMsg: expect.stringContaining('system error') });
  expect(storage.list({ prefix: 'faults/a' })).toHaveLength(1);

  expect(() => storage.failNext('nope' as never)).toThrow('unknown storage fault action');
});

test('an upload URL works once and only for the path it was issued for', async () => {
  const meta = (await storage.handle(
    { action: 'storage.getUploadMetadata', path: 'once/a.txt', method: 'put' },
    {
      params: { action: 'storage.getUploadMetadata' },
    },
  )) as { data: { url: string } };
  const put1 = await fetch(meta.data.url, { method: 'PUT', body: 'one' });
  expect(put1.status).toBe(200);
  expect(await put1.text()).toBe('');
  const put2 = await fetch(meta.data.url, { method: 'PUT', body: 'two' });
  expect(put2.status).toBe(403);
  expect(await put2.text()).toContain('<Error>');
  expect((await cloud.downloadFile({ fileID: storage.fileIdOf('once/a.txt') })).fileContent.toString()).toBe('one');
});

test('a restarted backend on the same dir keeps files, metadata and URL signatures, and repairs torn writes', async () => {
  const { fileID } = await cloud.uploadFile({ cloudPath: 'restart/keep.txt', fileContent: Buffer.from('kept') });
  const { fileList } = await cloud.getTempFileURL({ fileList: [fileID] });
  // Simulate a crash between renames: a blob without sidecar, a sidecar without blob, a temp file.
  fs.mkdirSync(path.join(dir, 'files', 'restart'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'files', 'restart', 'orphan.pdf'), 'pdf');
  fs.writeFileSync(path.join(dir, 'meta', 'restart', 'ghost.txt.json'), JSON.stringify({ cloudPath: 'restart/ghost.txt', size: 1 }));
  fs.writeFileSync(path.join(dir, 'tmp', 'partial'), 'half');
  const before = storage.list({ prefix: 'restart/' });

  const first = storage;
  storage = createStorageBackend({ dir, envId: ENV, baseUrl: () => origin, now: () => clock });
  fixture.storage = storage;
  try {
    const after = storage.list({ prefix: 'restart/' });
    expect(after.map((f) => f.cloudPath)).toEqual(['restart/keep.txt', 'restart/orphan.pdf']);
    expect(after[0]).toEqual(before.find((f) => f.cloudPath === 'restart/keep.txt'));
    expect(after[1]).toMatchObject({ size: 3, contentType: 'application/pdf' });
    expect(fs.existsSync(path.join(dir, 'meta', 'restart', 'ghost.txt.json'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    const res = await fetch(fileList[0]?.tempFileURL ?? '');
    expect(await res.text()).toBe('kept');
  } finally {
    storage = first;
    fixture.storage = first;
  }
});
