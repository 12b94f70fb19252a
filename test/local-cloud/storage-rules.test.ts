/**
 * The storage security rule language the local cloud evaluates: the
 * documented booleans and expressions over auth / resource, the platform
 * default, the project's shipped rule, and refusal of anything it cannot
 * evaluate (never a silent allow).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LocalCloud, STORAGE_RULE_FILE } from '../../scripts/local-cloud/runtime';
import { PLATFORM_DEFAULT_RULE, StorageRuleError, compileStorageRule, loadStorageRule } from '../../scripts/local-cloud/storage-rules';

const A = { auth: { openid: 'o-a' }, resource: { openid: 'o-a' } };
const OTHERS = { auth: { openid: 'o-a' }, resource: { openid: 'o-b' } };
const SERVERS = { auth: { openid: 'o-a' }, resource: {} };
const ANON = { auth: null, resource: { openid: 'o-a' } };

test('a missing key or false denies; true allows; {} denies everything (the security rule default)', () => {
  const none = compileStorageRule({});
  expect([none.read(A), none.write(A)]).toEqual([false, false]);
  const open = compileStorageRule({ read: true, write: false });
  expect([open.read(ANON), open.write(A)]).toEqual([true, false]);
});

test('owner-only write: the owner may, another user may not, nobody may touch a file the server wrote, anonymous may not', () => {
  const rule = compileStorageRule({ write: 'resource.openid == auth.openid' });
  expect([rule.write(A), rule.write(OTHERS), rule.write(SERVERS), rule.write(ANON)]).toEqual([true, false, false, false]);
});

test('&&, ||, !, != , parentheses, null, string literals and auth.uid (the non-WeChat login name) evaluate as documented', () => {
  const rule = compileStorageRule({
    read: 'auth != null && (resource.openid == auth.uid || resource.openid == "o-b")',
    write: "!(auth == null) && resource.openid != 'o-b'",
  });
  expect([rule.read(A), rule.read(OTHERS), rule.read(ANON), rule.read(SERVERS)]).toEqual([true, true, false, false]);
  expect([rule.write(A), rule.write(OTHERS), rule.write(ANON)]).toEqual([true, false, false]);
});

test('resource.path is the file’s path in the bucket, compared as a string', () => {
  const rule = compileStorageRule({ write: "resource.path != 'units/ssfj/notice.pdf'" });
  const at = (p: string) => ({ auth: { openid: 'o-a' }, resource: { openid: 'o-a', path: p } });
  expect([rule.write(at('units/ssfj/notice.pdf')), rule.write(at('units/ssfj/o-a/x.jpg'))]).toEqual([false, true]);
});

test('a regular expression literal tests a path when compared with true or false; a value that is not a string denies', () => {
  const rule = compileStorageRule({
    write: '/^units\\/[^\\/]+\\//.test(resource.path) == true && /\\.exe$/i.test(resource.path) != true',
    read: '/^public\\//.test(resource.path) == false',
  });
  const at = (p?: string) => ({ auth: { openid: 'o-a' }, resource: p === undefined ? { openid: 'o-a' } : { openid: 'o-a', path: p } });
  expect([rule.write(at('units/ssfj/a.jpg')), rule.write(at('units/a.jpg')), rule.write(at('units/ssfj/A.EXE'))]).toEqual([
    true,
    false,
    false,
  ]);
  expect([rule.read(at('public/a')), rule.read(at('units/a')), rule.read(at())]).toEqual([false, true, false]);
});

test('a member of null auth denies instead of throwing', () => {
  const rule = compileStorageRule({ read: 'auth.openid == resource.openid' });
  expect(rule.read(ANON)).toBe(false);
});

test.each([
  [{ read: 'resource.size < 100' }, /cannot read|unexpected/],
  [{ read: 'request.path == "a"' }, /"request.path" is not something/],
  [{ write: 'auth.openid ==' }, /expected/],
  [{ write: 'auth.openid == resource.openid)' }, /unexpected/],
  [{ write: 1 }, /must be true, false or an expression/],
  [{ delete: true }, /unknown operation "delete"/],
  // No string functions in the documented language; a regular expression's test(…) is read only when compared.
  [{ write: "resource.path.startsWith('units/')" }, /function calls such as "resource.path.startsWith\(…\)" are not part/],
  [{ write: '/^units\\//.test(resource.path)' }, /compare test\(…\) with true or false/],
  [{ write: 'auth != null && /^units\\//.test(resource.path)' }, /compare test\(…\) with true or false/],
  [{ write: '!/^units\\//.test(resource.path) == true' }, /compare test\(…\) with false instead/],
  [{ write: '/^units\\//.test(resource.path) == resource.openid' }, /compare test\(…\) with true or false/],
  [{ write: '/^units\\//.exec(resource.path) == true' }, /through test\(…\), not exec/],
  [{ write: '/^units\\//g.test(resource.path) == true' }, /flags g and y/],
  [{ write: '/^units[/.test(resource.path) == true' }, /cannot read/],
  [{ write: 'resource.path.indexOf(auth.openid) != null' }, /function calls such as "resource.path.indexOf\(…\)"/],
  [[], /JSON object/],
])('refuses %j rather than guessing', (rule, message) => {
  expect(() => compileStorageRule(rule)).toThrow(StorageRuleError);
  expect(() => compileStorageRule(rule)).toThrow(message);
});

test('the platform default (no custom rule): everyone reads, only a file’s creator writes', () => {
  const rule = loadStorageRule(null);
  expect(PLATFORM_DEFAULT_RULE).toEqual({ read: true, write: 'resource.openid == auth.openid' });
  expect([rule.read(ANON), rule.write(A), rule.write(OTHERS)]).toEqual([true, true, false]);
});

test('the shipped rule: signed-in owners write their own files only; files the server wrote are nobody’s to change', () => {
  const rule = loadStorageRule(STORAGE_RULE_FILE);
  const inUnit = (c: { auth: { openid: string } | null; resource: { openid?: string } }) => ({
    ...c,
    resource: { ...c.resource, path: 'units/ssfj/o-a/2021/r1/x-photo.jpg' },
  });
  expect([rule.write(inUnit(A)), rule.write(inUnit(OTHERS)), rule.write(inUnit(SERVERS)), rule.write(inUnit(ANON))]).toEqual([
    true,
    false,
    false,
    false,
  ]);
});

test('the shipped rule keeps clients in the upload folders: units/<unit>/<person>/… and imports/<person>/…', () => {
  const rule = loadStorageRule(STORAGE_RULE_FILE);
  const write = (p: string) => rule.write({ auth: { openid: 'o-a' }, resource: { openid: 'o-a', path: p } });
  const allowed = ['units/ssfj/o-a/2021/r1/x-photo.jpg', 'imports/o-a/k-2021.xlsx'];
  // The server's folders (evidence copies, link snapshots, ledgers), the unit's folder itself, the bucket's root.
  const refused = [
    'evidence/ssfj/r1/1-photo.jpg',
    'evidence/ssfj/links/r1/1-abc.txt',
    'ledger/2021/工作台账.xlsx',
    'units/ssfj/notice.pdf',
    'units/ssfj/o-a/',
    'imports/k.xlsx',
    'photo.jpg',
  ];
  expect(allowed.map(write)).toEqual(allowed.map(() => true));
  expect(refused.map(write)).toEqual(refused.map(() => false));
});

test('the local cloud refuses to start on a rule it cannot evaluate', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-rule-'));
  const file = path.join(dir, 'rule.json');
  fs.writeFileSync(file, JSON.stringify({ read: true, write: 'resource.contentType == "image/png"' }));
  try {
    expect(() => new LocalCloud({ dir: path.join(dir, 'data'), fsync: false, storageRuleFile: file })).toThrow(StorageRuleError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
