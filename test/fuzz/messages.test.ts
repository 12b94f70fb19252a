/**
 * Validation messages a civil servant understands: every field of every
 * action of the api and the ledger (their realistic payloads in bases.ts) is
 * left out, given the wrong kind of value, made too long, and joined by an
 * unknown field, and each refusal must
 *  - name nothing by its English key (the keys of every payload, nested
 *    ones too, must not appear in `message`),
 *  - say 请填写… when the field was left out,
 *  - keep the machine path in `field` for the page to highlight.
 * The label table must know every key a payload holds.
 */
import type { ActionName, ApiResult } from '../../miniprogram/shared/api';
import type { LedgerActionName } from '../../miniprogram/shared/ledger-api';
import { FIELD_LABELS, fieldLabel } from '../../miniprogram/shared/field-labels';
import { ADMIN, SETUP_CODE, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { BASES, LEDGER_BASES, type LedgerCtx } from './bases';

/** Ids of the right shape: the validators look at shapes only. */
const CTX: LedgerCtx = {
  roundId: 'round0001',
  spareRoundId: 'round0002',
  reportId: 'report0001',
  pending: 'o-pending-0001',
  spareAdmin: 'o-spare-admin-01',
  groupCloudId: 'group-cloud-id-0001',
  importFileID: 'cloud://local-env.local-bucket/imports/o-test-office-admin/a.xlsx',
};
/** Fields whose refusal when left out says what to do in other words than 请填写. */
const MISSING_SAID_OTHERWISE: Record<string, RegExp> = { secrecyConfirmed: /^请先确认/ };
const UNKNOWN_KEY = 'surpriseField';

type Path = (string | number)[];
const show = (p: Path) => p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');

/** Every path to a value in `v` (objects and the first item of lists), with the value. */
function leaves(v: unknown, at: Path = []): { path: Path; value: unknown }[] {
  const out: { path: Path; value: unknown }[] = at.length ? [{ path: at, value: v }] : [];
  if (Array.isArray(v)) {
    if (v.length) out.push(...leaves(v[0], [...at, 0]));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) out.push(...leaves(x, [...at, k]));
  }
  return out;
}

function edit(base: Record<string, unknown>, path: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void) {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  change(parent, path[path.length - 1] as string | number);
  return copy;
}

const wrongKind = (v: unknown): unknown =>
  typeof v === 'string' ? 12345 : typeof v === 'object' && v !== null ? 'x' : typeof v === 'number' ? 'x' : 'x';

interface Case {
  action: string;
  mutation: 'missing' | 'wrong' | 'long' | 'unknown';
  path: string;
  payload: Record<string, unknown>;
}

function casesOf(action: string, base: Record<string, unknown>): Case[] {
  const cases: Case[] = [{ action, mutation: 'unknown', path: UNKNOWN_KEY, payload: { ...base, [UNKNOWN_KEY]: 1 } }];
  for (const { path, value } of leaves(base)) {
    const at = show(path);
    // A list item itself (images[0]) has no name of its own: its fields are what is named.
    if (typeof path[path.length - 1] !== 'number')
      cases.push({ action, mutation: 'missing', path: at, payload: edit(base, path, (p, k) => void delete p[k]) });
    cases.push({ action, mutation: 'wrong', path: at, payload: edit(base, path, (p, k) => void (p[k] = wrongKind(value))) });
    if (typeof value === 'string')
      cases.push({ action, mutation: 'long', path: at, payload: edit(base, path, (p, k) => void (p[k] = '字'.repeat(5000))) });
    if (value && typeof value === 'object' && !Array.isArray(value) && path.length)
      cases.push({
        action,
        mutation: 'unknown',
        path: `${at}.${UNKNOWN_KEY}`,
        payload: edit(base, path, (p, k) => void ((p[k] as Record<string, unknown>)[UNKNOWN_KEY] = 1)),
      });
  }
  return cases;
}

const api = (Object.keys(BASES) as ActionName[]).map((action) => ({ fn: 'api' as const, action, base: BASES[action](CTX) }));
const ledger = (Object.keys(LEDGER_BASES) as LedgerActionName[]).map((action) => ({
  fn: 'ledger' as const,
  action,
  base: LEDGER_BASES[action](CTX),
}));
const ALL = [...api, ...ledger];

/** Every key any payload holds (record keys that are data, like task numbers, are digits or template ids). */
const KEYS = [...new Set(ALL.flatMap(({ base }) => leaves(base).map(({ path }) => path[path.length - 1])))].filter(
  (k): k is string => typeof k === 'string' && /^[A-Za-z]/.test(k) && !k.startsWith('tmpl-'),
);
const englishKey = (message: string) => [...KEYS, UNKNOWN_KEY].find((k) => new RegExp(`(?<![A-Za-z])${k}(?![A-Za-z])`).test(message));

let t: TestCloud;
beforeAll(async () => {
  t = startTestCloud();
  await t.origin();
  const boot = await t.as(ADMIN)('admin.bootstrap', { setupCode: SETUP_CODE, name: '测试管理员' });
  if (!boot.ok) throw new Error(boot.message);
});
afterAll(() => t.close());

test('the label table names every key a payload holds', () => {
  expect(KEYS.length).toBeGreaterThan(30);
  expect(KEYS.filter((k) => !(k in FIELD_LABELS))).toEqual([]);
});

test('nested paths read as Chinese', () => {
  expect(fieldLabel('files[2].name', 'report.submit')).toBe('第3个附件的文件名');
  expect(fieldLabel('images[0].size', 'report.submit')).toBe('第1张照片的文件大小');
  expect(fieldLabel('links[0].url', 'report.submit')).toBe('第1个链接的地址');
  expect(fieldLabel('overrides.24', 'round.create')).toBe('第24项任务的单独截止日期');
  expect(fieldLabel('name', 'contact.bind')).toBe('姓名');
  expect(fieldLabel('name', 'round.create')).toBe('轮次名称');
});

test.each(ALL.map((a) => [a.action, a] as const))('%s: every refusal names its field in Chinese', async (_name, { fn, action, base }) => {
  const call = async (payload: unknown) =>
    (fn === 'api'
      ? await t.as(ADMIN)(action as ActionName, payload as never)
      : await t.ledger(ADMIN)(action as LedgerActionName, payload as never)) as ApiResult<unknown>;
  // A realistic payload may itself be refused (an audit cursor from another data set): that field's refusal is no finding.
  const asIs = await call(base);
  const refusedAsIs = !asIs.ok && asIs.code === 'INVALID_INPUT' ? asIs.field : undefined;
  const problems: string[] = [];
  let refusals = 0;
  for (const c of casesOf(action, base)) {
    const res = await call(c.payload);
    if (res.ok || res.code !== 'INVALID_INPUT') continue;
    refusals++;
    const key = englishKey(res.message);
    if (key) problems.push(`${c.mutation} ${c.path}: "${res.message}" names ${key}`);
    if (c.mutation === 'missing' && res.field === c.path) {
      const said = MISSING_SAID_OTHERWISE[c.path.split('.').pop() as string] ?? /^请填写/;
      if (!said.test(res.message)) problems.push(`missing ${c.path}: "${res.message}"`);
    }
    if (
      c.mutation !== 'unknown' &&
      res.field !== undefined &&
      res.field !== refusedAsIs &&
      !res.field.startsWith(c.path.replace(/\[\d+\]$/, ''))
    )
      problems.push(`${c.mutation} ${c.path}: field ${res.field}`);
  }
  expect(problems).toEqual([]);
  // Every action refuses at least the unknown field.
  expect(refusals).toBeGreaterThan(0);
});

test('a field left out is asked for by name', async () => {
  const res = await t.as('o-new-person-0001')('contact.bind', { unitId: 'ssfj', phone: '13812345678' } as never);
  expect(res).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'name', message: '请填写姓名' });
  const long = await t.as('o-new-person-0001')('contact.bind', { unitId: 'ssfj', name: '张'.repeat(21), phone: '13812345678' });
  expect(long).toMatchObject({ ok: false, field: 'name', message: '姓名不能超过 20 个字（现有 21 个字）' });
  const nested = await t.as(ADMIN)('review.decide', { reportId: 'r1', decision: 'maybe' } as never);
  expect(nested).toMatchObject({ ok: false, field: 'decision', message: '请重新选择审核结果' });
});
