/**
 * ledger.archive: the evidence files of the latest reports, a folder per
 * task / unit / round, byte for byte; an index of every file and link;
 * files storage cannot deliver listed as missing without failing the rest.
 */
import type ExcelJS from 'exceljs';
import { cloud, db } from '../../cloudfunctions/common/cloud';
import { uploadPrefix, type RoundView } from '../../miniprogram/shared/api';
import type { LedgerArchiveResult } from '../../miniprogram/shared/ledger-api';
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
import { landscapeScale, textHeight } from '../../cloudfunctions/common/domain/print-layout';
import { INDEX_COLUMNS } from '../../cloudfunctions/ledger/src/actions/archive';
import { BODY_PT } from '../../cloudfunctions/ledger/src/xlsx';
import { cellTypeInXml, fetchFile, quotePrefixed, readWorkbook, sheetXml, unzip } from '../helpers/ledger';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import type { ReportDoc } from '../../cloudfunctions/common/records';

const TOP = '邹城市2021年政务公开佐证材料（全年）';
const INJECTED = '=HYPERLINK("http://evil.example","点我")';

let t: TestCloud;
let up: Uploader;
let q3: RoundView;
let q4: RoundView;
/** What `label` holds: a photo's bytes for a .jpg, text otherwise. */
const bytes = (label: string) => (label.endsWith('.jpg') ? picture(`${label} `.repeat(200)) : Buffer.from(`${label} `.repeat(200)));
const BIG = Buffer.from(Array.from({ length: 1_600_000 }, (_v, i) => (i * 7919) % 251));

/** Uploads `label`'s bytes as `key`'s unit and names the evidence entry `name`. */
async function evidence(key: 'ssfj' | 'xiangcheng', label: string, name: string) {
  const c = CONTACTS[key];
  return evidenceOf(await up.upload(c.openid, `${uploadPrefix(c.unitId, c.openid)}archive/${label}`, bytes(label)), name, bytes(label));
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  up = await startUploader(t);
  await approveContacts(t, ['ssfj', 'xiangcheng']);
  q3 = await createRound(t, { name: '第三季度', dueDate: inDays(20) });
  q4 = await createRound(t, { name: '第四季度', dueDate: inDays(40), scope: [24] });
  const ssfj = t.as(CONTACTS.ssfj.openid);
  const xc = t.as(CONTACTS.xiangcheng.openid);
  // 市司法局, task 11: a superseded version, then the one the archive holds.
  okData(
    await ssfj(
      'report.submit',
      reportInput(assignmentOf(11, 'ssfj'), q3.id, 'archive-11-v1', {
        files: [await evidence('ssfj', 'old.pdf', '旧稿.pdf')],
      }),
    ),
  );
  okData(
    await ssfj(
      'report.submit',
      reportInput(assignmentOf(11, 'ssfj'), q3.id, 'archive-11-v2', {
        images: [await evidence('ssfj', 'a.jpg', `${INJECTED}.jpg`), await evidence('ssfj', 'b.jpg', '现场照片.jpg')],
        files: [await evidence('ssfj', 'plan.pdf', '实施方案.pdf')],
        links: [{ url: 'https://www.zoucheng.gov.cn/art/2021/9/1/art_1.html', title: '@SUM(1)' }],
      }),
    ),
  );
  // 香城镇, task 24 in both rounds; two photos of one name; one file deleted from storage afterwards.
  const gone = await evidence('xiangcheng', 'gone.jpg', '已删除.jpg');
  okData(
    await xc(
      'report.submit',
      reportInput(assignmentOf(24, 'xiangcheng-zhen'), q3.id, 'archive-24-q3', {
        images: [await evidence('xiangcheng', 'p1.jpg', 'photo.jpg'), await evidence('xiangcheng', 'p2.jpg', 'photo.jpg'), gone],
      }),
    ),
  );
  okData(
    await xc(
      'report.submit',
      reportInput(assignmentOf(24, 'xiangcheng-zhen'), q4.id, 'archive-24-q4', {
        files: [
          await evidence('xiangcheng', 'q4.docx', '第四季度总结.docx'),
          // Larger than what a download keeps in memory: it goes through the temp folder.
          evidenceOf(
            await up.upload(
              CONTACTS.xiangcheng.openid,
              `${uploadPrefix('xiangcheng-zhen', CONTACTS.xiangcheng.openid)}archive/big.pdf`,
              BIG,
            ),
            '扫描件.pdf',
            BIG,
          ),
        ],
      }),
    ),
  );
  // Deleting the upload changes nothing (the report names its copy); a copy lost from storage is what the index reports.
  await cloud.deleteFile({ fileList: [gone.fileID] });
  const lost = t.cloud.db.find('reports', { requestKey: `${CONTACTS.xiangcheng.openid}:archive-24-q3` })[0] as unknown as ReportDoc;
  await cloud.deleteFile({ fileList: [lost.evidence.images.find((i) => i.sourceFileID === gone.fileID)?.fileID as string] });
});
afterAll(() => t.close());

describe('the whole year', () => {
  let res: LedgerArchiveResult;
  let files: Map<string, Buffer>;
  let index: ExcelJS.Worksheet;
  let indexBytes: Buffer;

  beforeAll(async () => {
    res = okData(await t.ledger(ADMIN)('ledger.archive', { year: 2021 }));
    files = unzip(await fetchFile(res));
    indexBytes = files.get(`${TOP}/索引.xlsx`) as Buffer;
    index = (await readWorkbook(indexBytes)).getWorksheet('索引') as ExcelJS.Worksheet;
  });

  test('one folder per task / unit / round with the latest version’s files, byte for byte', () => {
    expect(res).toMatchObject({ name: `${TOP}.zip`, files: 7, missing: 1 });
    expect([...files.keys()].sort()).toEqual(
      [
        `${TOP}/索引.xlsx`,
        `${TOP}/第11项/市司法局/第三季度/=HYPERLINK(_http___evil.example_,_点我_).jpg`,
        `${TOP}/第11项/市司法局/第三季度/现场照片.jpg`,
        `${TOP}/第11项/市司法局/第三季度/实施方案.pdf`,
        `${TOP}/第24项/香城镇/第三季度/photo.jpg`,
        `${TOP}/第24项/香城镇/第三季度/photo (2).jpg`,
        `${TOP}/第24项/香城镇/第四季度/第四季度总结.docx`,
        `${TOP}/第24项/香城镇/第四季度/扫描件.pdf`,
      ].sort(),
    );
    expect(files.get(`${TOP}/第24项/香城镇/第四季度/扫描件.pdf`)).toEqual(BIG);
    expect(files.get(`${TOP}/第11项/市司法局/第三季度/实施方案.pdf`)).toEqual(bytes('plan.pdf'));
    expect(files.get(`${TOP}/第24项/香城镇/第三季度/photo (2).jpg`)).toEqual(bytes('p2.jpg'));
  });

  test('the index lists every file and link, and the file storage no longer has', () => {
    const rows: string[][] = [];
    for (let r = 3; r <= index.rowCount; r++) rows.push([1, 2, 3, 4, 5, 7, 8].map((c) => index.getRow(r).getCell(c).text));
    expect(rows).toContainEqual([
      '11',
      '市司法局',
      '第三季度',
      '文件',
      '实施方案.pdf',
      `${TOP}/第11项/市司法局/第三季度/实施方案.pdf`,
      '已打包',
    ]);
    expect(rows).toContainEqual(['24', '香城镇', '第三季度', '图片', '已删除.jpg', '', '未能获取：云存储中已没有这个文件']);
    expect(rows).toContainEqual([
      '11',
      '市司法局',
      '第三季度',
      '链接',
      '@SUM(1)',
      'https://www.zoucheng.gov.cn/art/2021/9/1/art_1.html',
      // The link check has not run in this test (test/links/ covers what it adds).
      '尚未检查',
    ]);
    expect(rows).toHaveLength(9);
    expect(rows.some((r) => r[4] === '旧稿.pdf')).toBe(false);
  });

  test('a file name that looks like a formula is a text cell in the index; no formulas anywhere', () => {
    const xml = sheetXml(indexBytes, 1);
    let r = 3;
    // Shown exactly as written: the quote-prefix style keeps it text, no apostrophe.
    while (index.getRow(r).getCell(5).text !== `${INJECTED}.jpg`) r++;
    expect(cellTypeInXml(xml, `E${r}`)).toBe('inlineStr');
    expect(quotePrefixed(indexBytes, xml, `E${r}`)).toBe(true);
    expect(quotePrefixed(indexBytes, xml, `B${r}`)).toBe(false);
    expect(xml).not.toMatch(/<f[\s>]/);
  });

  test('printed on A4 landscape at ≥ 9 pt, rows as high as their text, each link opening from its 类型 cell', () => {
    expect(index.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, printTitlesRow: '2:2' });
    expect(
      landscapeScale(
        INDEX_COLUMNS.map((c) => c.width),
        9,
        0.4,
      ) * BODY_PT,
    ).toBeGreaterThanOrEqual(900);
    const links: unknown[] = [];
    for (let r = 3; r <= index.rowCount; r++) {
      const row = index.getRow(r);
      const own = textHeight(
        INDEX_COLUMNS.map((c, i) => ({ text: row.getCell(i + 1).text, width: c.width })),
        BODY_PT,
      );
      expect([r, (row.height ?? 0) >= own]).toEqual([r, true]);
      if (row.getCell(4).text === '链接') links.push(row.getCell(4).value);
    }
    expect(links).toEqual([{ text: '链接', hyperlink: 'https://www.zoucheng.gov.cn/art/2021/9/1/art_1.html' }]);
    const rels = unzip(indexBytes).get('xl/worksheets/_rels/sheet1.xml.rels')?.toString('utf8') ?? '';
    expect(rels).toContain('Target="https://www.zoucheng.gov.cn/art/2021/9/1/art_1.html" TargetMode="External"');
  });

  test('is audited', () => {
    expect(t.cloud.db.find('audit', { action: 'ledger.archive' })).toContainEqual(
      expect.objectContaining({ actor: ADMIN, target: 'plan:plan-2021', detail: { year: 2021, roundId: null, files: 7, missing: 1 } }),
    );
  });
});

test('one round: only its folders', async () => {
  const res = okData(await t.ledger(ADMIN)('ledger.archive', { roundId: q4.id }));
  const names = [...unzip(await fetchFile(res)).keys()];
  expect(res).toMatchObject({ name: '邹城市2021年政务公开佐证材料（第四季度）.zip', files: 2, missing: 0 });
  expect(names.sort()).toEqual([
    '邹城市2021年政务公开佐证材料（第四季度）/第24项/香城镇/第四季度/扫描件.pdf',
    '邹城市2021年政务公开佐证材料（第四季度）/第24项/香城镇/第四季度/第四季度总结.docx',
    '邹城市2021年政务公开佐证材料（第四季度）/索引.xlsx',
  ]);
});

test('a download that fails is listed as missing; the other files are still packed', async () => {
  t.cloud.storage.failNext('downloadFile', 1);
  const res = okData(await t.ledger(ADMIN)('ledger.archive', { year: 2021 }));
  expect(res).toMatchObject({ files: 6, missing: 2 });
  const files = unzip(await fetchFile(res));
  const index = (await readWorkbook(files.get(`${TOP}/索引.xlsx`) as Buffer)).getWorksheet('索引') as ExcelJS.Worksheet;
  const reasons: string[] = [];
  for (let r = 3; r <= index.rowCount; r++) reasons.push(index.getRow(r).getCell(8).text);
  expect(reasons.filter((x) => x === '未能获取：下载失败（HTTP 503）')).toHaveLength(1);
});

test('past the size budget the rest is listed as not packed, with the advice to export per round', async () => {
  const small = startTestCloud({ env: { LEDGER_ARCHIVE_MAX_BYTES: '3000' } });
  try {
    await small.seed();
    const u = await startUploader(small);
    await approveContacts(small, ['ssfj']);
    const round = await createRound(small, { dueDate: inDays(20) });
    const photo = picture(2000 - picture().length);
    const one = evidenceOf(
      await u.upload(CONTACTS.ssfj.openid, `${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}x/1.jpg`, photo),
      '1.jpg',
      photo,
    );
    const two = evidenceOf(
      await u.upload(CONTACTS.ssfj.openid, `${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}x/2.jpg`, photo),
      '2.jpg',
      photo,
    );
    okData(
      await small.as(CONTACTS.ssfj.openid)(
        'report.submit',
        reportInput(assignmentOf(11, 'ssfj'), round.id, 'budget-1', { images: [one, two] }),
      ),
    );
    // A report on file from before submits were checked against storage: 1 byte reported, 5000
    // stored. The download itself is held to the budget.
    const three = await u.upload(CONTACTS.ssfj.openid, `${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}x/3.jpg`, picture(5000));
    const v1 = `${assignmentOf(25, 'ssfj')}-${round.id}-v1`;
    await db.collection('reports').add({
      data: {
        _id: v1,
        assignmentId: assignmentOf(25, 'ssfj'),
        planId: 'plan-2021',
        taskNo: 25,
        unitId: 'ssfj',
        roundId: round.id,
        version: 1,
        text: '旧数据',
        progress: 'done',
        evidence: { images: [{ fileID: three, name: '3.jpg', size: 1 }], files: [], links: [] },
        secrecyConfirmed: true,
        state: 'submitted',
        submittedBy: CONTACTS.ssfj.openid,
        submittedByName: CONTACTS.ssfj.name,
        submittedAt: new Date(),
        requestKey: `${CONTACTS.ssfj.openid}:old-${v1}`,
      },
    });
    const res = okData(await small.ledger(ADMIN)('ledger.archive', {}));
    expect(res).toMatchObject({ files: 1, missing: 2 });
    const files = unzip(await fetchFile(res));
    const index = (await readWorkbook(files.get(`${TOP}/索引.xlsx`) as Buffer)).getWorksheet('索引') as ExcelJS.Worksheet;
    const notPacked = '未打包：超出单次打包的时间或大小上限，请按报送轮次分别导出';
    expect([3, 4, 5].map((r) => [index.getRow(r).getCell(5).text, index.getRow(r).getCell(8).text])).toEqual([
      ['1.jpg', '已打包'],
      ['2.jpg', notPacked],
      ['3.jpg', notPacked],
    ]);
  } finally {
    small.close();
  }
});
