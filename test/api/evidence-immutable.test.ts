/**
 * Evidence cannot change after it is submitted: report.submit copies each
 * file into the report's evidence folder (written by functions only), with
 * its size and sha256, and every later read — report.get, the review, the
 * archive — uses the copy. What a contact, a stranger or another unit does
 * to the uploads afterwards changes nothing.
 */
import crypto from 'crypto';
import { uploadPrefix, type RoundView } from '../../miniprogram/shared/api';
import { fetchFile, unzip } from '../helpers/ledger';
import { ADMIN, okData, refused, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import {
  CONTACTS,
  approveContacts,
  assignmentOf,
  createRound,
  evidenceOf,
  inDays,
  picture,
  reportInput,
  startUploader,
  type Uploader,
} from '../helpers/journey';
import type { ReportDoc } from '../../cloudfunctions/common/records';

const SSFJ = CONTACTS.ssfj;
const STRANGER = 'o-stranger-00000001';
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

let t: TestCloud;
let up: Uploader;
let round: RoundView;
const ORIGINAL = picture('会场照片 原件 '.repeat(50));
const SWAPPED = picture('换过的照片 '.repeat(50));
let uploadPath: string;
let uploadId: string;
let reportId: string;

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  up = await startUploader(t);
  await approveContacts(t, ['ssfj', 'xiangcheng']);
  round = await createRound(t, { dueDate: inDays(20) });
  uploadPath = `${uploadPrefix(SSFJ.unitId, SSFJ.openid)}evidence-test/photo.jpg`;
  uploadId = await up.upload(SSFJ.openid, uploadPath, ORIGINAL);
  const view = okData(
    await t.as(SSFJ.openid)(
      'report.submit',
      reportInput(assignmentOf(11, SSFJ.unitId), round.id, 'immutable-1', { images: [evidenceOf(uploadId, '会场.jpg', ORIGINAL)] }),
    ),
  );
  reportId = view.report.id;
  okData(await t.as(ADMIN)('review.decide', { reportId, decision: 'approve' }));
}, 30_000);
afterAll(() => t.close());

const stored = () => t.cloud.db.find('reports', { _id: reportId })[0] as unknown as ReportDoc;

test('the report names a server-side copy with the size and sha256 of the bytes submitted', () => {
  const [image] = stored().evidence.images;
  expect(image).toMatchObject({ sourceFileID: uploadId, size: ORIGINAL.length, sha256: sha256(ORIGINAL), name: '会场.jpg' });
  expect(image?.fileID).toMatch(new RegExp(`^cloud://[^/]+/evidence/${SSFJ.unitId}/[0-9a-f]{24}/1-[0-9a-f]{8}\\.jpg$`));
  // The evidence collection the office exports from names the copy too.
  expect(t.cloud.db.find('evidence', { reportId }).map((d) => d.fileID)).toEqual([image?.fileID]);
});

test("a stranger cannot overwrite a unit's upload (the storage rule refuses it)", async () => {
  await expect(up.upload(STRANGER, uploadPath, SWAPPED)).rejects.toThrow(/403|PERMISSION/);
});

test("another unit's contact cannot overwrite a file in units/ssfj/", async () => {
  await expect(up.upload(CONTACTS.xiangcheng.openid, uploadPath, SWAPPED)).rejects.toThrow(/403|PERMISSION/);
});

test('no client writes into the server’s folders: the evidence copy, a new file beside it, a ledger, the bucket root', async () => {
  const copy = (stored().evidence.images[0]?.fileID ?? '').replace(/^cloud:\/\/[^/]+\//, '');
  expect(copy).toMatch(/^evidence\//);
  for (const at of [copy, copy.replace(/[^/]+$/, 'planted.jpg'), 'ledger/2021/工作台账.xlsx', 'photo.jpg']) {
    await expect(up.upload(SSFJ.openid, at, SWAPPED)).rejects.toThrow(/403|PERMISSION/);
  }
  expect(stored().evidence.images[0]?.sha256).toBe(sha256(ORIGINAL));
});

test('a file another unit writes into units/ssfj/ cannot become evidence of any report', async () => {
  const planted = await up.upload(CONTACTS.xiangcheng.openid, `${uploadPrefix(SSFJ.unitId, SSFJ.openid)}planted.jpg`, SWAPPED);
  // Not the xiangcheng unit's folder: refused for its own report.
  const res = await t.as(CONTACTS.xiangcheng.openid)(
    'report.submit',
    reportInput(assignmentOf(24, 'xiangcheng-zhen'), round.id, 'immutable-planted', { images: [evidenceOf(planted, '照片.jpg', SWAPPED)] }),
  );
  expect(refused(res)).toMatchObject({ code: 'INVALID_INPUT', field: 'images[0].fileID' });
});

test("a file another person puts in 市司法局's folder is not the 市司法局 contact's upload: refused for their report, naming the field", async () => {
  // The storage rule cannot match a folder to the caller (README «云存储安全规则与佐证»): creating the file succeeds, owned by its creator.
  const theirs = await up.upload(
    CONTACTS.xiangcheng.openid,
    `${uploadPrefix(SSFJ.unitId, CONTACTS.xiangcheng.openid)}planted.jpg`,
    SWAPPED,
  );
  const res = await t.as(SSFJ.openid)(
    'report.submit',
    reportInput(assignmentOf(24, SSFJ.unitId), round.id, 'immutable-not-mine', { images: [evidenceOf(theirs, '照片.jpg', SWAPPED)] }),
  );
  expect(refused(res)).toMatchObject({ code: 'INVALID_INPUT', field: 'images[0].fileID', message: '附件不是您本人上传的，请重新上传' });
  // Nor can the 市司法局 contact then overwrite it: it is the other person's file.
  await expect(up.upload(SSFJ.openid, `${uploadPrefix(SSFJ.unitId, CONTACTS.xiangcheng.openid)}planted.jpg`, ORIGINAL)).rejects.toThrow(
    /403|PERMISSION/,
  );
});

test('after approval the contact overwrites the upload: review, report.get and the archive still show the original bytes', async () => {
  await up.upload(SSFJ.openid, uploadPath, SWAPPED);
  const image = stored().evidence.images[0];
  const detail = okData(await t.as(ADMIN)('report.get', { reportId }));
  expect(detail.report.evidence.images.map((i) => i.fileID)).toEqual([image?.fileID]);

  const archive = okData(await t.ledger(ADMIN)('ledger.archive', { year: 2021 }));
  const files = unzip(await fetchFile(archive));
  const photos = [...files.entries()].filter(([name]) => name.endsWith('.jpg'));
  expect(photos).toHaveLength(1);
  expect(sha256(photos[0]?.[1] as Buffer)).toBe(sha256(ORIGINAL));
}, 30_000);
