import {
  evidenceCopyPath,
  evidenceFolder,
  fileExtension,
  fileIdProblem,
  fileNameProblem,
  imageNameProblem,
  isPicture,
  linkProblem,
  parseFileId,
  sizeProblem,
  storedNameProblem,
  storedSizeProblem,
} from '../../cloudfunctions/common/domain/evidence';
import { REPORT_LIMITS } from '../../miniprogram/shared/api';
import { evidenceCloudPath } from '../../miniprogram/utils/ids';

const ENV = 'prod-1a2b';
const id = (path: string, env = ENV) => `cloud://${env}.7072-${env}-1300000000/${path}`;
const ME = 'o-ssfj-1';

describe('fileIdProblem', () => {
  test('a file under the caller’s own prefix (unit and openid) in this environment is accepted', () => {
    expect(parseFileId(id('units/ssfj/2021/a.jpg'))).toEqual({ env: ENV, bucket: `7072-${ENV}-1300000000`, path: 'units/ssfj/2021/a.jpg' });
    expect(fileIdProblem(id(`units/ssfj/${ME}/2021/a.jpg`), 'ssfj', ME, ENV)).toBeNull();
    // Without a known environment only the path decides.
    expect(fileIdProblem(id(`units/ssfj/${ME}/a.jpg`, 'other-env'), 'ssfj', ME, undefined)).toBeNull();
  });

  test('another person’s folder in the same unit, or the unit folder itself, is not the caller’s upload', () => {
    expect(fileIdProblem(id('units/ssfj/o-someone-else/a.jpg'), 'ssfj', ME, ENV)).toBe('附件不是您本人上传的，请重新上传');
    expect(fileIdProblem(id('units/ssfj/2021/a.jpg'), 'ssfj', ME, ENV)).toBe('附件不是您本人上传的，请重新上传');
    expect(fileIdProblem(id(`units/xiangcheng-zhen/${ME}/a.jpg`), 'ssfj', ME, ENV)).toBe('附件不是本单位上传的，请重新上传');
    // An empty openid (no caller) owns no folder.
    expect(fileIdProblem(id('units/ssfj/a.jpg'), 'ssfj', '', ENV)).toEqual(expect.any(String));
  });

  test('a copy the server took for an earlier report of the unit is accepted (引用上次报送)', () => {
    expect(fileIdProblem(id('evidence/ssfj/0123456789abcdef01234567/1-a1b2c3d4.jpg'), 'ssfj', ME, ENV)).toBeNull();
  });

  test.each([
    ['another unit', id('units/xiangcheng-zhen/a.jpg')],
    ['another unit under my openid', id(`units/xiangcheng-zhen/${ME}/a.jpg`)],
    ['my bare folder', id(`units/ssfj/${ME}/`)],
    ['climbing out of my folder', id(`units/ssfj/${ME}/../o-other/a.jpg`)],
    ['another unit’s evidence copy', id('evidence/xiangcheng-zhen/0123456789abcdef01234567/1-a1b2c3d4.jpg')],
    ['the bare evidence folder', id('evidence/ssfj/')],
    ['climbing out of the evidence folder', id('evidence/ssfj/../xiangcheng-zhen/1-a.jpg')],
    ['a prefix that only starts the same', id('units/ssfj2/a.jpg')],
    ['the bare prefix', id('units/ssfj/')],
    ['outside units/', id('tmp/ssfj/a.jpg')],
    ['climbing out with ..', id('units/ssfj/../xiangcheng-zhen/a.jpg')],
    ['a . segment', id('units/ssfj/./a.jpg')],
    ['an empty segment', id('units/ssfj//a.jpg')],
    ['a backslash', id('units/ssfj/..\\a.jpg')],
    ['another environment', id('units/ssfj/a.jpg', 'test-9z')],
    ['not a cloud fileID', 'https://example.com/units/ssfj/a.jpg'],
    ['no bucket', 'cloud://prod-1a2b/units/ssfj/a.jpg'],
    ['empty', ''],
  ])('refuses %s', (_what, fileID) => {
    expect(fileIdProblem(fileID, 'ssfj', ME, ENV)).toEqual(expect.any(String));
  });
});

test('evidence copies: one folder per report under the unit, position, attempt token and the original extension; ASCII only', () => {
  const folder = evidenceFolder('ssfj', '0123456789abcdef01234567');
  expect(folder).toBe('evidence/ssfj/0123456789abcdef01234567/');
  expect(evidenceCopyPath(folder, 2, 'a1b2c3d4', '会议纪要.PDF')).toBe(`${folder}2-a1b2c3d4.pdf`);
  expect(evidenceCopyPath(folder, 1, 'a1b2c3d4', '无扩展名')).toBe(`${folder}1-a1b2c3d4`);
});

describe('file names', () => {
  test.each([
    ['方案.PDF', 'pdf'],
    ['a.b.docx', 'docx'],
    ['noext', ''],
    ['.hidden', ''],
    ['trailing.', ''],
  ])('%s has extension %j', (name, ext) => {
    expect(fileExtension(name)).toBe(ext);
  });

  test('only the office’s formats are accepted', () => {
    expect(fileNameProblem('工作台账.xlsx')).toBeNull();
    expect(fileNameProblem('照片.JPEG')).toBeNull();
    expect(fileNameProblem('setup.exe')).toMatch(/pdf/);
    expect(fileNameProblem('说明')).toMatch(/格式/);
  });
});

describe('stored files', () => {
  const bytes = (...xs: (number | string)[]) =>
    Buffer.concat(xs.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from([x]))));

  test.each([
    ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe1)],
    ['png', bytes(0x89, 'PNG\r\n\x1a\n')],
    ['gif87a', bytes('GIF87a')],
    ['gif89a', bytes('GIF89a')],
    ['webp', bytes('RIFF', 0, 0, 0, 0, 'WEBP')],
    ['heic', bytes(0, 0, 0, 0x18, 'ftypheic')],
    ['heif (mif1)', bytes(0, 0, 0, 0x18, 'ftypmif1')],
  ])('%s is a picture', (_what, head) => {
    expect(isPicture(head)).toBe(true);
  });

  test.each([
    ['html', bytes('<html>')],
    ['pdf', bytes('%PDF-1.7')],
    ['exe', bytes('MZ', 0x90, 0)],
    ['zip', bytes('PK', 3, 4)],
    ['mp4 (ftyp isom)', bytes(0, 0, 0, 0x18, 'ftypisom')],
    ['RIFF without WEBP (wav)', bytes('RIFF', 0, 0, 0, 0, 'WAVE')],
    ['empty', Buffer.alloc(0)],
    ['a truncated jpeg start', bytes(0xff, 0xd8)],
  ])('%s is not a picture', (_what, head) => {
    expect(isPicture(head)).toBe(false);
  });

  test('sizes: empty and over the limit are refused; stored must equal reported', () => {
    expect(sizeProblem(0)).toMatch(/空文件/);
    expect(sizeProblem(1)).toBeNull();
    expect(sizeProblem(REPORT_LIMITS.fileBytes)).toBeNull();
    expect(sizeProblem(REPORT_LIMITS.fileBytes + 1)).toMatch(/20 MB/);
    expect(storedSizeProblem(100, 100)).toBeNull();
    expect(storedSizeProblem(100, 101)).toMatch(/不一致/);
    expect(storedSizeProblem(REPORT_LIMITS.fileBytes + 1, REPORT_LIMITS.fileBytes + 1)).toMatch(/20 MB/);
  });

  test('names: photo formats, and the stored file’s extension must be the name’s', () => {
    expect(imageNameProblem('照片1.JPG')).toBeNull();
    expect(imageNameProblem('照片1.heic')).toBeNull();
    expect(imageNameProblem('照片1.bmp')).toMatch(/jpg/);
    expect(imageNameProblem('照片')).toMatch(/jpg/);
    expect(storedNameProblem(id('units/ssfj/2021/r/ab12-1.jpg'), '照片1.JPG')).toBeNull();
    expect(storedNameProblem(id('units/ssfj/2021/r/ab12-fang-an.pdf'), '方案.pdf')).toBeNull();
    expect(storedNameProblem(id('units/ssfj/2021/r/ab12-setup.exe'), '方案.pdf')).toMatch(/不一致/);
    expect(storedNameProblem(id('units/ssfj/2021/r/noext'), '方案.pdf')).toMatch(/不一致/);
    expect(storedNameProblem('not-a-file-id', '方案.pdf')).toMatch(/格式/);
  });

  test('the paths the app uploads to always pass the server’s checks for their names', () => {
    const names = [
      ...REPORT_LIMITS.fileExtensions.map((ext) => `2021年 政务公开（第三季度）工作方案.${ext.toUpperCase()}`),
      ...REPORT_LIMITS.imageExtensions.map((ext) => `照片12.${ext}`),
    ];
    for (const name of names) {
      const fileID = id(evidenceCloudPath('ssfj', ME, 2021, 'round-q3', name));
      expect([name, fileIdProblem(fileID, 'ssfj', ME, ENV), storedNameProblem(fileID, name)]).toEqual([name, null, null]);
    }
  });
});

describe('linkProblem', () => {
  test('http and https URLs are accepted', () => {
    expect(linkProblem('http://www.zoucheng.gov.cn/art/2021/7/1/art_1.html')).toBeNull();
    expect(linkProblem('https://www.zoucheng.gov.cn/')).toBeNull();
  });

  test.each(['javascript:alert(1)', 'ftp://example.com/a', 'www.zoucheng.gov.cn', 'https://', 'file:///etc/passwd', 'data:text/html,hi'])(
    'refuses %s',
    (url) => {
      expect(linkProblem(url)).toEqual(expect.any(String));
    },
  );

  test('at most 500 characters', () => {
    const base = 'https://www.zoucheng.gov.cn/';
    expect(linkProblem(base + 'a'.repeat(500 - base.length))).toBeNull();
    expect(linkProblem(base + 'a'.repeat(501 - base.length))).toMatch(/500/);
  });
});
