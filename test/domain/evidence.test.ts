import { fileExtension, fileIdProblem, fileNameProblem, linkProblem, parseFileId } from '../../cloudfunctions/common/domain/evidence';

const ENV = 'prod-1a2b';
const id = (path: string, env = ENV) => `cloud://${env}.7072-${env}-1300000000/${path}`;

describe('fileIdProblem', () => {
  test('a file under the unit’s own prefix in this environment is accepted', () => {
    expect(parseFileId(id('units/ssfj/2021/a.jpg'))).toEqual({ env: ENV, bucket: `7072-${ENV}-1300000000`, path: 'units/ssfj/2021/a.jpg' });
    expect(fileIdProblem(id('units/ssfj/2021/a.jpg'), 'ssfj', ENV)).toBeNull();
    // Without a known environment only the path decides.
    expect(fileIdProblem(id('units/ssfj/a.jpg', 'other-env'), 'ssfj', undefined)).toBeNull();
  });

  test.each([
    ['another unit', id('units/xiangcheng-zhen/a.jpg')],
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
    expect(fileIdProblem(fileID, 'ssfj', ENV)).toEqual(expect.any(String));
  });
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
