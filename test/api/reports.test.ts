import { cloud, db } from '../../cloudfunctions/common/cloud';
import type { ApiResult, EvidenceInput, RoundView, SubmitReportInput } from '../../miniprogram/shared/api';
import { REPORT_LIMITS, uploadPrefix } from '../../miniprogram/shared/api';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import {
  CONTACTS,
  approveContacts,
  assignmentOf,
  createRound,
  evidenceOf,
  inDays,
  picture,
  startUploader,
  type Uploader,
} from '../helpers/journey';

let t: TestCloud;
let up: Uploader;
let round: RoundView;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['ssfj', 'xiangcheng', 'szfbgs']);
  round = await createRound(t, { dueDate: inDays(30) });
  up = await startUploader(t);
});
afterEach(async () => {
  await up.close();
  t.close();
});

const SSFJ = CONTACTS.ssfj;
const AID = assignmentOf(24, 'ssfj');
let seq = 0;
const nextRequestId = () => `req-reports-${++seq}`;

function base(over: Partial<SubmitReportInput> = {}): SubmitReportInput {
  return {
    assignmentId: AID,
    roundId: round.id,
    text: '已在政府网站政务公开专栏发布解读材料。',
    progress: 'ongoing',
    images: [],
    files: [],
    links: [],
    secrecyConfirmed: true,
    requestId: nextRequestId(),
    ...over,
  };
}

const submit = (input: SubmitReportInput, openid: string = SSFJ.openid) => t.as(openid)('report.submit', input);

/** Reports and evidence on file: every refusal must leave both unchanged. */
const written = () => ({ reports: t.cloud.db.count('reports', {}), evidence: t.cloud.db.count('evidence', {}) });

async function expectRefused(res: Promise<ApiResult<unknown>>, expected: { code: string; field?: string }) {
  const before = written();
  const out = await res;
  expect(out).toMatchObject({ ok: false, ...expected });
  if (!out.ok) expect(out.message).toMatch(/[\u4e00-\u9fff]/);
  if (!out.ok && expected.field === undefined) expect(out.field).toBeUndefined();
  expect(written()).toEqual(before);
}

/** Two photos, a file from a chat and a portal link, uploaded under 市司法局's prefix. */
async function evidence(tag: string) {
  const p = uploadPrefix('ssfj', CONTACTS.ssfj.openid);
  const bytes = [picture('1'), picture('22'), Buffer.from('%PDF-1.4')] as const;
  const [img1, img2, doc] = await Promise.all([
    up.upload(SSFJ.openid, `${p}${tag}/photo-1.jpg`, bytes[0]),
    up.upload(SSFJ.openid, `${p}${tag}/photo-2.jpg`, bytes[1]),
    up.upload(SSFJ.openid, `${p}${tag}/方案.pdf`, bytes[2]),
  ]);
  return {
    images: [evidenceOf(img1, 'photo-1.jpg', bytes[0]), evidenceOf(img2, 'photo-2.jpg', bytes[1])],
    files: [evidenceOf(doc, '2021年政务公开工作方案.pdf', bytes[2])],
    links: [{ url: 'http://www.zoucheng.gov.cn/art/2021/7/1/art_1.html', title: '政策解读' }],
  };
}

/** What a report shows of submitted files: the server's copies in the unit's evidence folder, same names and sizes. */
const copied = (ev: { images: EvidenceInput[]; files: EvidenceInput[] }) => {
  const copy = (f: EvidenceInput) => ({
    name: f.name,
    size: f.size,
    fileID: expect.stringMatching(/^cloud:\/\/[^/]+\/evidence\/ssfj\/[0-9a-f]{24}\//),
  });
  return { images: ev.images.map(copy), files: ev.files.map(copy) };
};

describe('report.submit', () => {
  test('a report with photos, a file and a link becomes version 1, the next one version 2; v1 is kept', async () => {
    const ev = await evidence('a');
    const first = okData(await submit(base({ ...ev, progress: 'done' })));
    expect(first.duplicate).toBe(false);
    expect(first.report).toMatchObject({
      assignmentId: AID,
      unitId: 'ssfj',
      unitName: '市司法局',
      roundId: round.id,
      roundName: round.name,
      version: 1,
      progress: 'done',
      state: 'submitted',
      submittedByName: SSFJ.name,
      review: null,
      evidence: { ...copied(ev), links: ev.links },
    });
    expect(Date.parse(first.report.submittedAt)).toBeGreaterThan(Date.now() - 60_000);

    const stored = t.cloud.db.find('reports', { _id: first.report.id })[0];
    expect(stored).toMatchObject({ planId: 'plan-2021', taskNo: 24, secrecyConfirmed: true, submittedBy: SSFJ.openid });
    expect(stored?.requestKey).toBe(`${SSFJ.openid}:req-reports-${seq}`);
    const files = t.cloud.db.find('evidence', { reportId: first.report.id });
    const copyOf = (upload: string | undefined) =>
      first.report.evidence.images.concat(first.report.evidence.files)[[...ev.images, ...ev.files].findIndex((f) => f.fileID === upload)]
        ?.fileID;
    expect(files.map((f) => [f.kind, f.name, f.fileID, f.unitId, f.uploadedBy, f.roundId, f.taskNo]).sort()).toEqual(
      [
        ['file', '2021年政务公开工作方案.pdf', copyOf(ev.files[0]?.fileID), 'ssfj', SSFJ.openid, round.id, 24],
        ['image', 'photo-1.jpg', copyOf(ev.images[0]?.fileID), 'ssfj', SSFJ.openid, round.id, 24],
        ['image', 'photo-2.jpg', copyOf(ev.images[1]?.fileID), 'ssfj', SSFJ.openid, round.id, 24],
      ].sort(),
    );

    const second = okData(await submit(base({ text: '补充了第二季度的工作。', links: ev.links })));
    expect(second).toMatchObject({ duplicate: false, report: { version: 2, text: '补充了第二季度的工作。' } });
    expect(second.report.id).not.toBe(first.report.id);
    expect(t.cloud.db.find('reports', { _id: first.report.id })[0]).toMatchObject({ version: 1, text: base().text, progress: 'done' });
    expect(t.cloud.db.count('reports', { assignmentId: AID })).toBe(2);
    expect(t.cloud.db.count('evidence', {})).toBe(3);
  });

  test('a retried submit returns the first result and writes nothing', async () => {
    const ev = await evidence('retry');
    const input = base(ev);
    const first = okData(await submit(input));
    const before = written();
    const again = okData(await submit(input));
    expect(again.duplicate).toBe(true);
    expect(again.report).toEqual(first.report);
    expect(written()).toEqual(before);
    // The id is per person: someone else's same id is a different request.
    const other = okData(
      await submit(
        { ...base(), assignmentId: assignmentOf(24, 'xiangcheng-zhen'), requestId: input.requestId },
        CONTACTS.xiangcheng.openid,
      ),
    );
    expect(other.duplicate).toBe(false);
  });

  test('simultaneous copies of one submit create one version; simultaneous different submits get distinct versions', async () => {
    const ev = await evidence('race');
    const input = base(ev);
    const copies = await Promise.all([submit(input), submit(input), submit(input), submit(input)]);
    const results = copies.map(okData);
    expect(new Set(results.map((r) => r.report.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(t.cloud.db.count('reports', { assignmentId: AID })).toBe(1);
    expect(t.cloud.db.count('evidence', {})).toBe(3);

    const different = (await Promise.all([1, 2, 3, 4].map((i) => submit(base({ text: `并发报送 ${i}` }))))).map(okData);
    expect(different.every((r) => !r.duplicate)).toBe(true);
    expect(different.map((r) => r.report.version).sort()).toEqual([2, 3, 4, 5]);
    expect(t.cloud.db.count('reports', { assignmentId: AID })).toBe(5);
  });

  test('a retry completes evidence records an interrupted first attempt left out', async () => {
    const ev = await evidence('heal');
    const input = base(ev);
    const first = okData(await submit(input));
    await db.collection('evidence').where({ reportId: first.report.id, kind: 'file' }).remove();
    expect(t.cloud.db.count('evidence', { reportId: first.report.id })).toBe(2);
    const again = okData(await submit(input));
    expect(again.duplicate).toBe(true);
    expect(t.cloud.db.count('evidence', { reportId: first.report.id })).toBe(3);
  });

  test('another unit’s assignment is FORBIDDEN; an unknown one NOT_FOUND', async () => {
    await expectRefused(submit(base({ assignmentId: assignmentOf(24, 'xiangcheng-zhen') })), { code: 'FORBIDDEN' });
    await expectRefused(submit(base({ assignmentId: 'plan-2021-t24-nosuchunit' })), { code: 'NOT_FOUND', field: 'assignmentId' });
    // Even the lead unit cannot answer for a cooperating unit.
    await expectRefused(submit(base(), CONTACTS.szfbgs.openid), { code: 'FORBIDDEN' });
    // Not a contact at all.
    await expectRefused(submit(base(), 'o-stranger-0001'), { code: 'NOT_BOUND' });
  });

  test('fileIDs that are not this unit’s existing uploads are refused, naming the field', async () => {
    const ev = await evidence('forge');
    const good = ev.images[0] as { fileID: string; name: string; size: number };
    const otherUnit = await up.upload(
      CONTACTS.xiangcheng.openid,
      `${uploadPrefix('xiangcheng-zhen', CONTACTS.xiangcheng.openid)}x/photo.jpg`,
    );
    const bucket = t.cloud.storage.bucket;
    const forged = {
      'another unit’s upload': otherUnit,
      'a made-up path under my prefix': t.cloud.storage.fileIdOf(`${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}never-uploaded.jpg`),
      'a wrong environment': `cloud://other-env.${bucket}/${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}forge/photo-1.jpg`,
      'climbing out of my prefix': t.cloud.storage.fileIdOf(`${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}../xiangcheng-zhen/x/photo.jpg`),
      'not a cloud fileID': 'https://example.com/photo.jpg',
    };
    for (const [what, fileID] of Object.entries(forged)) {
      const images = [good, { fileID, name: 'photo.jpg', size: 1 }];
      await expectRefused(submit(base({ images })), { code: 'INVALID_INPUT', field: 'images[1].fileID' }).catch((err: Error) => {
        throw new Error(`${what}: ${err.message}`);
      });
    }
    // Files are checked the same way.
    await expectRefused(submit(base({ files: [{ fileID: otherUnit, name: 'a.pdf', size: 1 }] })), {
      code: 'INVALID_INPUT',
      field: 'files[0].fileID',
    });
    // The same file twice.
    await expectRefused(submit(base({ images: [good, good] })), { code: 'INVALID_INPUT', field: 'images[1].fileID' });
    // A file deleted after upload.
    await cloud.deleteFile({ fileList: [good.fileID] });
    await expectRefused(submit(base({ images: [good] })), { code: 'INVALID_INPUT', field: 'images[0].fileID' });
  });

  test('a storage outage while checking files refuses without writing', async () => {
    const ev = await evidence('outage');
    t.cloud.storage.failNext('getTempFileURL');
    await expectRefused(submit(base(ev)), { code: 'INTERNAL' });
    expect(okData(await submit(base(ev))).report.version).toBe(1);
  });

  test('every invalid field gets its own error', async () => {
    const ev = await evidence('fields');
    const img = ev.images[0] as { fileID: string; name: string; size: number };
    const link = { url: 'https://www.zoucheng.gov.cn/a.html' };
    const cases: [Partial<SubmitReportInput> | Record<string, unknown>, string][] = [
      [{ text: '   ' }, 'text'],
      [{ text: '字'.repeat(REPORT_LIMITS.text + 1) }, 'text'],
      [{ progress: 'finished' as never }, 'progress'],
      [{ images: Array.from({ length: REPORT_LIMITS.images + 1 }, () => img) }, 'images'],
      [{ images: [{ fileID: img.fileID, name: 'a.jpg', size: -1 }] }, 'images[0].size'],
      [{ images: [{ fileID: img.fileID, size: 1 }] as never }, 'images[0].name'],
      [{ files: Array.from({ length: REPORT_LIMITS.files + 1 }, (_, i) => ({ ...img, name: `${i}.pdf` })) }, 'files'],
      [{ files: [{ fileID: img.fileID, name: '安装包.exe', size: 1 }] }, 'files[0].name'],
      [{ files: [{ fileID: img.fileID, name: '无扩展名', size: 1 }] }, 'files[0].name'],
      [{ links: Array.from({ length: REPORT_LIMITS.links + 1 }, () => link) }, 'links'],
      [{ links: [link, { url: 'javascript:alert(1)' }] }, 'links[1].url'],
      [{ links: [{ url: 'ftp://www.zoucheng.gov.cn/a' }] }, 'links[0].url'],
      [{ links: [{ url: 'www.zoucheng.gov.cn' }] }, 'links[0].url'],
      [{ links: [{ url: `https://www.zoucheng.gov.cn/${'a'.repeat(480)}` }] }, 'links[0].url'],
      [{ links: [{ url: link.url, title: '题'.repeat(51) }] }, 'links[0].title'],
      [{ secrecyConfirmed: false }, 'secrecyConfirmed'],
      [{ secrecyConfirmed: undefined }, 'secrecyConfirmed'],
      [{ requestId: 'short' }, 'requestId'],
      [{ requestId: 'has space in it' }, 'requestId'],
      [{ requestId: 'x'.repeat(65) }, 'requestId'],
      [{ assignmentId: '' }, 'assignmentId'],
      [{ roundId: 42 as never }, 'roundId'],
      [{ unitId: 'xiangcheng-zhen' }, 'unitId'],
      [{ $where: '1' }, '$where'],
    ];
    for (const [over, field] of cases) {
      const input = { ...base(), ...over } as SubmitReportInput;
      await expectRefused(submit(input), { code: 'INVALID_INPUT', field }).catch((err: Error) => {
        throw new Error(`${field} ${JSON.stringify(over).slice(0, 80)}: ${err.message}`);
      });
    }
    const secrecy = await submit(base({ secrecyConfirmed: false }));
    expect(!secrecy.ok && secrecy.message).toMatch(/保密审查/);
    // At the limits everything is accepted.
    const atLimit = base({
      text: '字'.repeat(REPORT_LIMITS.text),
      links: Array.from({ length: REPORT_LIMITS.links }, (_, i) => ({
        url: `https://www.zoucheng.gov.cn/${i}.html`,
        title: '题'.repeat(50),
      })),
    });
    expect(okData(await submit(atLimit)).report.version).toBe(1);
  });

  test('a closed round, a round that does not ask about the task, an unknown round', async () => {
    okData(await t.as(ADMIN)('round.close', { id: round.id }));
    await expectRefused(submit(base()), { code: 'ROUND_CLOSED', field: 'roundId' });
    const chosen = await createRound(t, { name: '年底回头看', scope: [44] });
    await expectRefused(submit(base({ roundId: chosen.id })), { code: 'INVALID_INPUT', field: 'roundId' });
    await expectRefused(submit(base({ roundId: 'no-such-round' })), { code: 'NOT_FOUND', field: 'roundId' });
  });

  test('a retry after the round closed still returns the first result', async () => {
    const input = base();
    const first = okData(await submit(input));
    okData(await t.as(ADMIN)('round.close', { id: round.id }));
    const again = okData(await submit(input));
    expect(again).toEqual({ report: first.report, duplicate: true });
  });
});

describe('report.submit: what storage holds', () => {
  const p = uploadPrefix('ssfj', CONTACTS.ssfj.openid);
  const put = (path: string, bytes: Buffer) => up.upload(SSFJ.openid, `${p}${path}`, bytes);
  /** Straight to storage as wx.cloud.uploadFile does, past the local bridge's 20 MB cap. */
  const putDirect = async (path: string, bytes: Buffer) =>
    ((await cloud.uploadFile({ cloudPath: `${p}${path}`, fileContent: bytes })) as { fileID: string }).fileID;
  const html = Buffer.from('<html><script>alert(1)</script></html>');

  test('the size reported must be the size stored, within 20 MB; a photo must be a picture; the name’s type must be the file’s', async () => {
    const photo = picture(100);
    const overLimit = Buffer.alloc(REPORT_LIMITS.fileBytes + 1, 'x');
    const cases: [string, () => Promise<Partial<SubmitReportInput>>, string][] = [
      [
        'a photo reported smaller than stored',
        async () => ({ images: [{ ...evidenceOf(await put('a/1.jpg', photo), '照片1.jpg', photo), size: 50 }] }),
        'images[0].size',
      ],
      [
        'a file reported larger than stored',
        async () => ({ files: [{ ...evidenceOf(await put('a/2.pdf', html), 'a.pdf', html), size: 5000 }] }),
        'files[0].size',
      ],
      [
        'an empty file reported as empty',
        async () => ({ files: [{ fileID: await put('a/3.pdf', Buffer.alloc(0)), name: 'a.pdf', size: 0 }] }),
        'files[0].size',
      ],
      [
        'an empty file reported as not',
        async () => ({ files: [{ fileID: await put('a/4.pdf', Buffer.alloc(0)), name: 'a.pdf', size: 10 }] }),
        'files[0].size',
      ],
      [
        'over 20 MB, reported honestly',
        async () => ({ files: [{ fileID: t.cloud.storage.fileIdOf(`${p}a/big.pdf`), name: 'a.pdf', size: overLimit.length }] }),
        'files[0].size',
      ],
      [
        'over 20 MB in storage, reported small',
        async () => ({ files: [{ fileID: await putDirect('a/big2.pdf', overLimit), name: 'a.pdf', size: 1000 }] }),
        'files[0].size',
      ],
      ['a web page as a photo', async () => ({ images: [evidenceOf(await put('a/5.jpg', html), '照片1.jpg', html)] }), 'images[0].fileID'],
      [
        'a photo with a program’s name',
        async () => ({ images: [evidenceOf(await put('a/6.exe', photo), '照片1.exe', photo)] }),
        'images[0].name',
      ],
      [
        'a photo in a format the office cannot open',
        async () => ({ images: [evidenceOf(await put('a/7.bmp', photo), '照片1.bmp', photo)] }),
        'images[0].name',
      ],
      [
        'a program behind a document’s name',
        async () => ({ files: [evidenceOf(await put('a/setup.exe', html), '工作方案.pdf', html)] }),
        'files[0].fileID',
      ],
      [
        'a web page behind a photo’s name',
        async () => ({ images: [evidenceOf(await put('a/8.html', photo), '照片1.jpg', photo)] }),
        'images[0].fileID',
      ],
    ];
    for (const [what, make, field] of cases) {
      const over = await make();
      await expectRefused(submit(base(over)), { code: 'INVALID_INPUT', field }).catch((err: Error) => {
        throw new Error(`${what}: ${err.message}`);
      });
    }
    const refused = await submit(base({ images: [evidenceOf(await put('b/1.jpg', html), '照片1.jpg', html)] }));
    expect(!refused.ok && refused.message).toBe('这张照片不是有效的图片文件，请删除后重新选择');
    const big = await submit(
      base({ files: [{ fileID: t.cloud.storage.fileIdOf(`${p}b/big.pdf`), name: 'a.pdf', size: REPORT_LIMITS.fileBytes + 1 }] }),
    );
    expect(!big.ok && big.message).toBe('单个附件不能超过 20 MB，请压缩或拆分后再上传');
  });

  test('pictures in every accepted format, a 20 MB file, and documents whatever their bytes are accepted', async () => {
    const formats: [string, Buffer][] = [
      ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])],
      ['gif', Buffer.from('GIF89a\x01\x00\x01\x00')],
      ['webp', Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')])],
      ['heic', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(8)])],
      ['jpeg', picture('x')],
    ];
    const images = await Promise.all(
      formats.map(async ([ext, bytes], i) => evidenceOf(await put(`ok/${i}.${ext}`, bytes), `照片${i}.${ext}`, bytes)),
    );
    // An "Excel" export of a web system is HTML inside: the office opens those every day.
    const limit = Buffer.alloc(REPORT_LIMITS.fileBytes, ' ');
    const files = [
      evidenceOf(await put('ok/export.xls', html), '台账导出.xls', html),
      evidenceOf(await putDirect('ok/scan.pdf', limit), '扫描件.pdf', limit),
    ];
    const done = okData(await submit(base({ images, files })));
    expect(done.report.evidence.images.map((f) => f.size)).toEqual(formats.map(([, b]) => b.length));
    expect(t.cloud.db.count('evidence', { reportId: done.report.id })).toBe(formats.length + 2);
  });

  test('fileIDs that only look like mine are refused: encoded dots, another bucket, a look-alike prefix', async () => {
    const theirs = await up.upload(CONTACTS.xiangcheng.openid, `${uploadPrefix('xiangcheng-zhen', CONTACTS.xiangcheng.openid)}x/photo.jpg`);
    const path = theirs.slice(theirs.indexOf('/units/') + 1);
    const env = t.cloud.envId;
    const forged: Record<string, string> = {
      'percent-encoded dots': t.cloud.storage.fileIdOf(`${p}%2e%2e/${path.slice('units/'.length)}`),
      'another bucket of this environment': `cloud://${env}.other-bucket-1300000000/${p}x/photo.jpg`,
      'a capitalised prefix': t.cloud.storage.fileIdOf(`Units/ssfj/../../${path}`),
      'full-width letters': t.cloud.storage.fileIdOf(`units/ｓｓｆｊ/x/photo.jpg`),
      'the unit id with a dot': t.cloud.storage.fileIdOf(`units/ssfj./x/photo.jpg`),
      'a query string': `${theirs}?units/ssfj/x.jpg`,
    };
    for (const [what, fileID] of Object.entries(forged)) {
      await expectRefused(submit(base({ images: [{ fileID, name: 'photo.jpg', size: 20 }] })), {
        code: 'INVALID_INPUT',
        field: 'images[0].fileID',
      }).catch((err: Error) => {
        throw new Error(`${what}: ${err.message}`);
      });
    }
  });
});

describe('report.latest', () => {
  test('null before any report; then my unit’s newest version across rounds', async () => {
    const ssfj = t.as(SSFJ.openid);
    expect(okData(await ssfj('report.latest', { assignmentId: AID }))).toBeNull();
    okData(await submit(base({ text: '第一版' })));
    okData(await submit(base({ text: '第二版' })));
    expect(okData(await ssfj('report.latest', { assignmentId: AID }))).toMatchObject({ version: 2, text: '第二版', roundId: round.id });

    okData(await t.as(ADMIN)('round.close', { id: round.id }));
    const next = await createRound(t, { name: '第四季度', dueDate: inDays(60) });
    okData(await submit(base({ roundId: next.id, text: '四季度第一版' })));
    expect(okData(await ssfj('report.latest', { assignmentId: AID }))).toMatchObject({
      version: 1,
      text: '四季度第一版',
      roundId: next.id,
      roundName: '第四季度',
    });
  });

  test('another unit’s assignment is FORBIDDEN, an unknown one NOT_FOUND', async () => {
    okData(await submit(base()));
    expect(await t.as(CONTACTS.xiangcheng.openid)('report.latest', { assignmentId: AID })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await t.as(SSFJ.openid)('report.latest', { assignmentId: 'plan-2021-t24-nosuchunit' })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    expect(await t.as('o-stranger-0001')('report.latest', { assignmentId: AID })).toMatchObject({ ok: false, code: 'NOT_BOUND' });
  });
});
