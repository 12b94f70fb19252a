/**
 * The mini program's client SDK against the local cloud is judged by the
 * storage security rule with the caller's openid, as on the platform:
 * wx.cloud.uploadFile by `write` (the shipped rule), wx.cloud.downloadFile and
 * wx.cloud.getTempFileURL by `read` (a custom owner-only rule, since the
 * shipped one lets everyone read). Server SDK requests bypass the rule.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { tempFile, useCloud, wxState } from '../helpers/miniprogram';

const ALICE = 'o-client-alice-0001';
const BOB = 'o-client-bob-00002';

interface CloudFail {
  errMsg: string;
  errCode?: number;
}
interface UploadOk {
  fileID: string;
  errMsg: string;
}
interface TempFileEntry {
  fileID: string;
  tempFileURL: string;
  status: number;
  errMsg: string;
}
interface WxCloudClient {
  uploadFile(o: { cloudPath: string; filePath: string; success: (r: UploadOk) => void; fail: (e: CloudFail) => void }): unknown;
  downloadFile(o: { fileID: string }): Promise<{ tempFilePath: string; statusCode: number; errMsg: string }>;
  getTempFileURL(o: { fileList: (string | { fileID: string; maxAge?: number })[] }): Promise<{ fileList: TempFileEntry[]; errMsg: string }>;
}
const wxCloud = () => (global as unknown as { wx: { cloud: WxCloudClient } }).wx.cloud;

/** wx.cloud.uploadFile as `openid`, settled either way. */
function upload(
  openid: string | undefined,
  cloudPath: string,
  bytes: Buffer,
): Promise<{ ok: true; fileID: string } | { ok: false; fail: CloudFail }> {
  wxState.openid = openid;
  const filePath = tempFile('upload.bin', bytes);
  return new Promise((resolve) => {
    wxCloud().uploadFile({
      cloudPath,
      filePath,
      success: (r) => resolve({ ok: true, fileID: r.fileID }),
      fail: (e) => resolve({ ok: false, fail: e }),
    });
  });
}

function download(openid: string, fileID: string) {
  wxState.openid = openid;
  return wxCloud().downloadFile({ fileID });
}

function tempLinks(openid: string, fileList: string[]) {
  wxState.openid = openid;
  return wxCloud().getTempFileURL({ fileList });
}

/** What the server SDK's getUploadMetadata answers (the request wx-server-sdk's uploadFile makes first). */
async function serverUploadMetadata(t: TestCloud, cloudPath: string) {
  return (await t.cloud.storage.handle({ action: 'storage.getUploadMetadata', path: cloudPath }, { params: { action: '' } })) as {
    data?: { url: string; fileId: string };
  };
}

async function serverPut(t: TestCloud, cloudPath: string, bytes: Buffer): Promise<string> {
  const meta = await serverUploadMetadata(t, cloudPath);
  if (!meta.data) throw new Error('no upload metadata');
  const res = await fetch((await t.origin()) + new URL(meta.data.url).pathname, { method: 'PUT', body: bytes });
  expect(res.status).toBe(200);
  return meta.data.fileId;
}

describe('wx.cloud.uploadFile under the shipped rule', () => {
  let t: TestCloud;
  beforeAll(() => {
    t = startTestCloud();
    useCloud(t, ALICE);
  });
  afterAll(() => t.close());

  test('allowed in the caller’s own upload folders; the file is owned by the caller', async () => {
    const own = await upload(ALICE, `units/ssfj/${ALICE}/2021/r1/a-photo.jpg`, Buffer.from('alice photo'));
    expect(own).toEqual({ ok: true, fileID: t.cloud.storage.fileIdOf(`units/ssfj/${ALICE}/2021/r1/a-photo.jpg`) });
    const imported = await upload(ALICE, `imports/${ALICE}/plan.xlsx`, Buffer.from('sheet'));
    expect(imported.ok).toBe(true);
    expect(t.cloud.storage.list({ prefix: `units/ssfj/${ALICE}/` }).map((f) => f.owner)).toEqual([ALICE]);
    // Her own file again: an overwrite by its owner is allowed.
    expect((await upload(ALICE, `units/ssfj/${ALICE}/2021/r1/a-photo.jpg`, Buffer.from('alice photo v2'))).ok).toBe(true);
  });

  test.each([
    ['evidence/ (the server’s copies)', 'evidence/ssfj/r-1/photo.jpg'],
    ['the top of a unit folder', 'units/ssfj/notice.pdf'],
    ['a folder of its own choosing', 'public/page.html'],
  ])('refused outside the upload folders: %s, with the platform’s storage permission error', async (_label, cloudPath) => {
    const res = await upload(ALICE, cloudPath, Buffer.from('x'));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.fail.errCode).toBe(-503002);
    expect(res.fail.errMsg).toMatch(/^cloud\.uploadFile:fail STORAGE_EXCEED_AUTHORITY/);
    // Refused when asking for the signature: not one byte was sent.
    expect(wxState.uploads.at(-1)?.progress).toEqual([]);
    expect(t.cloud.storage.count({ prefix: cloudPath })).toBe(0);
  });

  test('another person’s existing file cannot be overwritten; its bytes and owner stay', async () => {
    const cloudPath = `units/ssfj/${BOB}/2021/r1/b-photo.jpg`;
    expect((await upload(BOB, cloudPath, Buffer.from('bob original'))).ok).toBe(true);
    const res = await upload(ALICE, cloudPath, Buffer.from('swapped by alice'));
    expect(res.ok ? 'allowed' : res.fail.errCode).toBe(-503002);
    expect(wxState.uploads.at(-1)?.progress).toEqual([]);
    const [file] = t.cloud.storage.list({ prefix: cloudPath });
    expect(file?.owner).toBe(BOB);
    const bytes = fs.readFileSync(await download(BOB, t.cloud.storage.fileIdOf(cloudPath)).then((r) => r.tempFilePath));
    expect(bytes.toString()).toBe('bob original');
  });

  test('without a signed-in user nothing is written', async () => {
    const res = await upload(undefined, `imports/${ALICE}/anon.xlsx`, Buffer.from('x'));
    expect(res.ok ? 'allowed' : res.fail.errCode).toBe(-503002);
  });

  test('a file created between the signature and the bytes is judged again when the bytes land', async () => {
    const cloudPath = `units/ssfj/${BOB}/2021/r1/race.jpg`;
    wxState.openid = ALICE;
    // Alice's client gets the signature for a new file (allowed: it would be hers) …
    const signed = await t.cloud.storage.client.uploadUrl(cloudPath, ALICE);
    expect(signed.ok).toBe(true);
    if (!signed.ok) return;
    // … Bob's upload lands first; Alice's PUT must not replace it.
    expect((await upload(BOB, cloudPath, Buffer.from('bob first'))).ok).toBe(true);
    const put = await fetch((await t.origin()) + new URL(signed.url).pathname, { method: 'PUT', body: Buffer.from('alice late') });
    expect(put.status).toBe(403);
    expect(t.cloud.storage.list({ prefix: cloudPath })[0]?.owner).toBe(BOB);
  });

  test('the server SDK still writes where no client may (evidence/), unowned', async () => {
    const fileID = await serverPut(t, 'evidence/ssfj/r-9/copy.jpg', Buffer.from('server copy'));
    expect(fileID).toBe(t.cloud.storage.fileIdOf('evidence/ssfj/r-9/copy.jpg'));
    expect(t.cloud.storage.list({ prefix: 'evidence/ssfj/r-9/' })[0]?.owner).toBeUndefined();
    // And no client may overwrite what the server wrote.
    const res = await upload(ALICE, 'evidence/ssfj/r-9/copy.jpg', Buffer.from('swap'));
    expect(res.ok ? 'allowed' : res.fail.errCode).toBe(-503002);
  });
});

describe('wx.cloud.downloadFile and getTempFileURL under an owner-only read rule', () => {
  let t: TestCloud;
  let ruleDir: string;
  let aliceFile: string;
  let serverFile: string;
  beforeAll(async () => {
    ruleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-rule-'));
    const ruleFile = path.join(ruleDir, 'storage.rules.json');
    fs.writeFileSync(
      ruleFile,
      JSON.stringify({ read: 'resource.openid == auth.openid', write: 'auth != null && resource.openid == auth.openid' }),
    );
    t = startTestCloud({ storageRuleFile: ruleFile });
    useCloud(t, ALICE);
    const up = await upload(ALICE, `units/ssfj/${ALICE}/a.txt`, Buffer.from('alice private'));
    if (!up.ok) throw new Error(up.fail.errMsg);
    aliceFile = up.fileID;
    serverFile = await serverPut(t, 'evidence/ssfj/r-1/copy.txt', Buffer.from('server only'));
  });
  afterAll(() => {
    t.close();
    fs.rmSync(ruleDir, { recursive: true, force: true });
  });

  test('the owner downloads her file', async () => {
    const res = await download(ALICE, aliceFile);
    expect(res.errMsg).toBe('cloud.downloadFile:ok');
    expect(fs.readFileSync(res.tempFilePath, 'utf8')).toBe('alice private');
    expect(wxState.cloudDownloads).toContain(aliceFile);
  });

  test('another person, and a file nobody owns (the server’s), are refused with the permission error', async () => {
    await expect(download(BOB, aliceFile)).rejects.toMatchObject({
      errCode: -503002,
      errMsg: expect.stringMatching(/^cloud\.downloadFile:fail STORAGE_EXCEED_AUTHORITY/) as unknown,
    });
    await expect(download(ALICE, serverFile)).rejects.toMatchObject({ errCode: -503002 });
  });

  test('a missing file fails as missing, not as refused', async () => {
    await expect(download(ALICE, t.cloud.storage.fileIdOf(`units/ssfj/${ALICE}/gone.txt`))).rejects.toMatchObject({ errCode: -503003 });
  });

  test('getTempFileURL answers per file: a link for what the caller may read, status -503002 for the rest', async () => {
    const res = await tempLinks(BOB, [aliceFile, serverFile]);
    expect(res.errMsg).toBe('cloud.getTempFileURL:ok');
    expect(res.fileList.map((f) => [f.status, f.tempFileURL])).toEqual([
      [-503002, ''],
      [-503002, ''],
    ]);
    const mine = await tempLinks(ALICE, [aliceFile]);
    const [entry] = mine.fileList;
    expect(entry?.status).toBe(0);
    // The link itself carries no identity: whoever holds it reads, as on the platform.
    const got = await fetch(entry?.tempFileURL ?? '');
    expect(await got.text()).toBe('alice private');
  });

  test('callbacks style: fail gets errCode and errMsg', async () => {
    wxState.openid = BOB;
    const failed = await new Promise<CloudFail>((resolve, reject) => {
      (wxCloud().downloadFile as unknown as (o: unknown) => void)({
        fileID: aliceFile,
        success: () => reject(new Error('allowed')),
        fail: resolve,
      });
    });
    expect(failed.errCode).toBe(-503002);
  });

  test('the server SDK reads any file regardless of the rule', async () => {
    const res = (await t.cloud.storage.handle(
      { action: 'storage.batchGetDownloadUrl', file_list: [{ fileid: aliceFile }, { fileid: serverFile }] },
      { params: { action: '' } },
    )) as { data: { download_list: { code: string; tempFileURL: string }[] } };
    expect(res.data.download_list.map((d) => d.code)).toEqual(['SUCCESS', 'SUCCESS']);
  });
});
