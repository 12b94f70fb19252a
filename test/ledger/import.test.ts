/**
 * Importing a year's 任务分解表 through the real functions: the 2021 table
 * exported as a template, its title changed to a new year, comes back as that
 * year with the same tasks, texts, units and roles; a year other than the
 * title's is refused naming both; every kind of bad row is named by row and
 * column and nothing is written; the new year becomes current only when asked.
 */
import { db, fetchAll } from '../../cloudfunctions/common/cloud';
import type { AssignmentDoc } from '../../cloudfunctions/common/domain/plan-docs';
import type { PlanTaskView, PlanView } from '../../miniprogram/shared/api';
import { uploadPrefix } from '../../miniprogram/shared/api';
import { importPrefix, IMPORT_MAX_BYTES, YEAR_MISSING_TEXT, type ImportCheckResult } from '../../miniprogram/shared/ledger-api';
import { CONTACTS, approveContacts, startUploader, type Uploader } from '../helpers/journey';
import { fetchFile, withTitleYear, xlsxOf } from '../helpers/ledger';
import { ADMIN, SETUP_CODE, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';

const COLLECTIONS = ['plans', 'tasks', 'assignments', 'imports', 'audit', 'units'] as const;
const HEADER = ['大项', '小项', '序号', '任务要求', '责任单位'];
const TITLE = ['邹城市2031年政务公开工作任务分解表'];

let t: TestCloud;
let up: Uploader;
let seq = 0;
beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  up = await startUploader(t);
  await approveContacts(t, ['ssfj']);
});
afterAll(() => t.close());

const ledger = () => t.ledger(ADMIN);
/** Uploads `bytes` where the office's page puts files to import; returns the fileID. */
const uploadImport = (bytes: Buffer, name = '任务分解表.xlsx') => up.upload(ADMIN, `${importPrefix(ADMIN)}${++seq}-${name}`, bytes);
const counts = () => Object.fromEntries(COLLECTIONS.map((c) => [c, t.cloud.db.count(c, {})]));
/** A task as plan.get shows it, without what names its year. */
const content = ({ id: _id, ...task }: PlanTaskView) => task;
const planOf = async (year: number): Promise<PlanView> => okData(await t.as(ADMIN)('plan.get', { year }));
const assignmentsOf = async (planId: string) =>
  (await fetchAll<AssignmentDoc>(db.collection('assignments').where({ planId })))
    .map((a) => `${a.taskNo}|${a.unitId}|${a.role}|${a.via}`)
    .sort();

describe('the 2021 table, exported as a template, retitled 2031 and imported', () => {
  let check: ImportCheckResult;
  let template: Buffer;
  let fileID: string;
  let before2021: unknown;

  beforeAll(async () => {
    const view = okData(await ledger()('ledger.template', { year: 2021 }));
    expect(view.name).toBe('邹城市2021年政务公开工作任务分解表（导入模板）.xlsx');
    template = await fetchFile(view);
    fileID = await uploadImport(await withTitleYear(template, 2031));
    check = okData(await ledger()('import.check', { fileID }));
    before2021 = { plan: await planOf(2021), assignments: await assignmentsOf('plan-2021') };
  });

  test('the check finds nothing to fix and counts the table', () => {
    expect(check).toEqual({
      yearInFile: 2031,
      title: '邹城市2031年政务公开工作任务分解表',
      sections: 5,
      categories: 20,
      tasks: 44,
      units: 35,
      assignments: 805,
      problems: [],
    });
  });

  test('a year other than the title’s is refused naming both, by the check and the commit; nothing written', async () => {
    const before = counts();
    const message = '表格标题是2031年，所选年度是2032年：请核对文件或年度（要导入为2032年，请先把表格标题中的年度改为2032年）';
    expect(await ledger()('import.check', { fileID, year: 2032 })).toEqual({ ok: false, code: 'INVALID_INPUT', field: 'year', message });
    const commit = await ledger()('import.commit', { fileID, year: 2032, makeCurrent: true, requestId: 'import-other-year' });
    expect(commit).toEqual({ ok: false, code: 'INVALID_INPUT', field: 'year', message });
    // The 2021 template as it was downloaded: the year it names exists, the year asked is not its own.
    const as2021 = await uploadImport(template);
    const refused = await ledger()('import.commit', { fileID: as2021, year: 2035, makeCurrent: false, requestId: 'import-2021-as-2035' });
    expect(refused).toMatchObject({ ok: false, field: 'year', message: expect.stringMatching(/^表格标题是2021年，所选年度是2035年/) });
    expect(counts()).toEqual(before);
    // The year the title names is accepted when given.
    expect(okData(await ledger()('import.check', { fileID, year: 2031 })).yearInFile).toBe(2031);
  });

  test('the import creates 2031 with the same tasks, texts, units and roles, and leaves 2021 as it was', async () => {
    const res = okData(await ledger()('import.commit', { fileID, year: 2031, makeCurrent: false, requestId: 'import-2031-a' }));
    expect(res).toEqual({ planId: 'plan-2031', year: 2031, tasks: 44, assignments: 805, current: false, duplicate: false });
    const [p2021, p2031] = [await planOf(2021), await planOf(2031)];
    expect(p2031.tasks.map(content)).toEqual(p2021.tasks.map(content));
    expect(p2031.tasks.find((x) => x.no === 32)).toMatchObject({ deadline: '2021-12-31', deadlineText: '2021年年底前' });
    expect(p2031.sections).toEqual(p2021.sections);
    expect(p2031.categories).toEqual(p2021.categories);
    expect(p2031.assignmentCount).toBe(805);
    expect(await assignmentsOf('plan-2031')).toEqual(await assignmentsOf('plan-2021'));
    expect({ plan: p2021, assignments: await assignmentsOf('plan-2021') }).toEqual(before2021);
    const audit = t.cloud.db.find('audit', { action: 'import.commit' });
    expect(audit).toEqual([expect.objectContaining({ actor: ADMIN, target: 'plan:plan-2031' })]);
  });

  test('not made current: contacts still see 2021, plan.list marks 2021 current', async () => {
    const list = okData(await t.as(ADMIN)('plan.list', {}));
    expect(list.map((p) => [p.year, p.current])).toEqual([
      [2031, false],
      [2021, true],
    ]);
    const mine = okData(await t.as(CONTACTS.ssfj.openid)('tasks.mine', {}));
    expect(mine.items.every((i) => i.assignmentId.startsWith('plan-2021-'))).toBe(true);
  });

  test('a retry returns the first result and writes nothing; another import of 2031 is a conflict', async () => {
    const before = counts();
    const again = okData(await ledger()('import.commit', { fileID, year: 2031, makeCurrent: false, requestId: 'import-2031-a' }));
    expect(again).toMatchObject({ planId: 'plan-2031', tasks: 44, assignments: 805, duplicate: true });
    const other = await ledger()('import.commit', { fileID, year: 2031, makeCurrent: true, requestId: 'import-2031-b' });
    expect(other).toMatchObject({ ok: false, code: 'CONFLICT', field: 'year' });
    expect(counts()).toEqual(before);
  });

  test('plan.setCurrent switches the year contacts see, and back', async () => {
    expect(okData(await ledger()('plan.setCurrent', { year: 2031 }))).toEqual({ planId: 'plan-2031', year: 2031, changed: true });
    expect(okData(await t.as(ADMIN)('plan.list', {})).find((p) => p.current)?.year).toBe(2031);
    const mine = okData(await t.as(CONTACTS.ssfj.openid)('tasks.mine', {}));
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((i) => i.assignmentId.startsWith('plan-2031-'))).toBe(true);
    expect(okData(await ledger()('plan.setCurrent', { year: 2031 })).changed).toBe(false);
    expect(okData(await ledger()('plan.setCurrent', { year: 2021 })).changed).toBe(true);
    expect(okData(await t.as(ADMIN)('plan.list', {})).find((p) => p.current)?.year).toBe(2021);
    expect(await ledger()('plan.setCurrent', { year: 2040 })).toMatchObject({ ok: false, code: 'NOT_FOUND', field: 'year' });
  });

  test('made current at import, the year taken from the title: the new year is what contacts see at once', async () => {
    const as2032 = await uploadImport(await withTitleYear(template, 2032));
    const res = okData(await ledger()('import.commit', { fileID: as2032, makeCurrent: true, requestId: 'import-2032' }));
    expect(res).toMatchObject({ planId: 'plan-2032', year: 2032, current: true, duplicate: false });
    expect((await planOf(2032)).title).toBe('邹城市2032年政务公开工作任务分解表');
    expect(okData(await t.as(ADMIN)('plan.list', {})).find((p) => p.current)?.year).toBe(2032);
    okData(await ledger()('plan.setCurrent', { year: 2021 }));
  });
});

describe('a title without a year: the year given is used, and without one the import asks for it', () => {
  const task = ['一、深化重点领域政府信息公开', '(一)立足实施重大战略推进政务公开', 1, '做好规划公开', '市司法局'];

  test('the check reads it without a year; the commit asks for one, then imports as the year given', async () => {
    const fileID = await uploadImport(await xlsxOf([['附件'], ['邹政办字〔2036〕3号'], ['政务公开工作任务分解表'], HEADER, task]));
    const check = okData(await ledger()('import.check', { fileID }));
    expect(check).toMatchObject({ yearInFile: null, title: '政务公开工作任务分解表', tasks: 1, problems: [] });
    // A year given is no mismatch: there is nothing to differ from.
    expect(okData(await ledger()('import.check', { fileID, year: 2036 })).problems).toEqual([]);
    const before = counts();
    expect(await ledger()('import.commit', { fileID, makeCurrent: false, requestId: 'no-year-1' })).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      field: 'year',
      message: YEAR_MISSING_TEXT,
    });
    expect(counts()).toEqual(before);
    const res = okData(await ledger()('import.commit', { fileID, year: 2036, makeCurrent: false, requestId: 'no-year-2' }));
    expect(res).toMatchObject({ planId: 'plan-2036', year: 2036, tasks: 1, current: false, duplicate: false });
    // The plan keeps the table's own title.
    expect((await planOf(2036)).title).toBe('政务公开工作任务分解表');
  });

  test('no title row at all: the year given names the plan', async () => {
    const fileID = await uploadImport(await xlsxOf([HEADER, task]));
    expect(okData(await ledger()('import.check', { fileID }))).toMatchObject({ yearInFile: null, title: '', problems: [] });
    okData(await ledger()('import.commit', { fileID, year: 2037, makeCurrent: false, requestId: 'no-title' }));
    expect((await planOf(2037)).title).toBe('邹城市2037年政务公开工作任务分解表');
  });

  test('a title naming a year the system does not keep is refused at the year', async () => {
    const fileID = await uploadImport(await xlsxOf([['邹城市1998年政务公开工作任务分解表'], HEADER, task]));
    const before = counts();
    expect(await ledger()('import.commit', { fileID, makeCurrent: false, requestId: 'old-year' })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
      field: 'year',
      message: expect.stringContaining('1998年'),
    });
    expect(counts()).toEqual(before);
  });
});

describe('bad rows: every problem by row and column, and nothing written', () => {
  const body = (...rows: (string | number | null)[][]) => [TITLE, HEADER, ...rows];
  const ok1 = ['一、深化重点领域政府信息公开', '(一)立足实施重大战略推进政务公开', 1, '做好规划公开', '市发展改革局'];
  const cases: [string, (string | number | null)[][], { row: number; column: string; message: RegExp; suggestions?: string[] }][] = [
    ['missing 序号', body([...ok1.slice(0, 2), null, '要求', '市司法局']), { row: 3, column: 'C', message: /缺少序号/ }],
    ['序号 not a number', body([...ok1.slice(0, 2), '第一', '要求', '市司法局']), { row: 3, column: 'C', message: /不是正整数/ }],
    ['duplicate 序号', body(ok1, [null, null, 1, '要求', '市司法局']), { row: 4, column: 'C', message: /与第 3 行重复/ }],
    ['a gap in 序号', body(ok1, [null, null, 3, '要求', '市司法局']), { row: 4, column: 'C', message: /缺少序号 2/ }],
    ['empty 任务要求', body([...ok1.slice(0, 3), null, '市司法局']), { row: 3, column: 'D', message: /任务要求为空/ }],
    ['empty 责任单位', body([...ok1.slice(0, 4), null]), { row: 3, column: 'E', message: /责任单位为空/ }],
    ['unparseable 责任单位', body([...ok1.slice(0, 4), '各镇街配合']), { row: 3, column: 'E', message: /没有牵头单位/ }],
    [
      'a unit not in the directory',
      body([...ok1.slice(0, 4), '市发改局牵头,各镇街配合']),
      { row: 3, column: 'E', message: /单位名录中没有“市发改局”/, suggestions: ['市发展改革局'] },
    ],
    ['missing 大项', body([null, ...ok1.slice(1)]), { row: 3, column: 'A', message: /缺少大项/ }],
    ['the example row left in', body([...ok1.slice(0, 3), '【示例】做好……', '市司法局']), { row: 3, column: '', message: /示例行/ }],
    [
      'the 2021 print layout’s header',
      [TITLE, ['工作任务', '任务要求', '责任单位'], ['一、甲', '要求', '市司法局']],
      { row: 2, column: '', message: /表头缺少“大项、小项、序号”列/ },
    ],
    ['no header at all', [TITLE, ['一、甲', '要求', '市司法局']], { row: 1, column: '', message: /找不到表头/ }],
  ];

  test.each(cases)('%s', async (_kind, rows, problem) => {
    const fileID = await uploadImport(await xlsxOf(rows));
    const before = counts();
    const check = okData(await ledger()('import.check', { fileID }));
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatchObject({ ...problem, message: expect.stringMatching(problem.message) });
    // No year given: the title's (2031, imported above) would be used, but the file's problems come first.
    const res = await ledger()('import.commit', { fileID, makeCurrent: true, requestId: `bad-${seq}` });
    expect(res).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'fileID' });
    expect(counts()).toEqual(before);
  });

  test('merged 大项 and 小项 carry down; several problems in one file are all listed in order', async () => {
    const rows = body(ok1, [null, null, 2, null, '市司法局'], [null, '(二)着眼畅通经济循环推进政务公开', 3, '要求', '市审计局']);
    const fileID = await uploadImport(await xlsxOf(rows, ['A3:A5']));
    const check = okData(await ledger()('import.check', { fileID }));
    expect(check.problems.map((p) => `${p.column}${p.row}`)).toEqual(['D4', 'E5']);
    expect(check.problems[1]?.suggestions).toBeUndefined();
    expect(check).toMatchObject({ sections: 1, categories: 2, tasks: 2 });
  });

  test('the blank template has one example row, which the check asks to delete', async () => {
    const blank = okData(await ledger()('ledger.template', {}));
    expect(blank.name).toBe('政务公开工作任务分解表（导入模板）.xlsx');
    const check = okData(await ledger()('import.check', { fileID: await uploadImport(await fetchFile(blank)) }));
    expect(check.yearInFile).toBe(2022);
    expect(check.problems).toEqual([{ row: 3, column: '', header: '', message: expect.stringContaining('示例行') }]);
  });
});

describe('files that cannot be imported', () => {
  test.each([
    ['not a spreadsheet', Buffer.from('大项,小项,序号\n'), /不是 Excel 工作簿/],
    ['an old .xls', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]), /旧版 Excel/],
    ['larger than the limit', Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x41), /超过 2 MB/],
  ])('%s: INVALID_INPUT naming the file', async (_kind, bytes, message) => {
    const fileID = await uploadImport(bytes);
    const res = await ledger()('import.check', { fileID });
    expect(res).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'fileID', message: expect.stringMatching(message) });
  });

  test('another person’s upload, a unit’s evidence folder, a file that is gone, a fileID of another environment', async () => {
    const other = await up.upload('o-someone-else', `${importPrefix('o-someone-else')}t.xlsx`, await xlsxOf([TITLE, HEADER]));
    expect(await ledger()('import.check', { fileID: other })).toMatchObject({ ok: false, code: 'FORBIDDEN', field: 'fileID' });
    const evidence = await up.upload(
      CONTACTS.ssfj.openid,
      `${uploadPrefix('ssfj', CONTACTS.ssfj.openid)}t.xlsx`,
      await xlsxOf([TITLE, HEADER]),
    );
    expect(await ledger()('import.check', { fileID: evidence })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const gone = t.cloud.storage.fileIdOf(`${importPrefix(ADMIN)}never-uploaded.xlsx`);
    expect(await ledger()('import.check', { fileID: gone })).toMatchObject({ ok: false, code: 'NOT_FOUND', field: 'fileID' });
    expect(await ledger()('import.check', { fileID: 'cloud://prod-env.bucket/imports/x.xlsx' })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
      field: 'fileID',
    });
    expect(await ledger()('import.check', { fileID: 'https://example.com/a.xlsx' })).toMatchObject({ ok: false, field: 'fileID' });
  });

  test('commit input is checked before anything else', async () => {
    const fileID = await uploadImport(await xlsxOf([TITLE, HEADER]));
    const commit = (data: object) => ledger()('import.commit', data as never);
    expect(await commit({ fileID, year: 1999, makeCurrent: false, requestId: 'r1' })).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'year',
    });
    expect(await commit({ fileID, year: 2040, makeCurrent: 'yes', requestId: 'r1' })).toMatchObject({ field: 'makeCurrent' });
    expect(await commit({ fileID, year: 2040, makeCurrent: false, requestId: 'a b' })).toMatchObject({ field: 'requestId' });
    expect(await commit({ fileID, year: 2021, makeCurrent: false, requestId: 'r2' })).toMatchObject({ code: 'CONFLICT', field: 'year' });
  });
});

describe('an import that stops half-way', () => {
  let as2033: string;
  let as2034: string;
  const TITLE_2034 = ['邹城市2034年政务公开工作任务分解表'];
  beforeAll(async () => {
    const template = await fetchFile(okData(await ledger()('ledger.template', { year: 2021 })));
    as2033 = await uploadImport(await withTitleYear(template, 2033));
    as2034 = await uploadImport(await withTitleYear(template, 2034));
  });

  /** The next `add` to `collection` fails as the service's error would, after everything before it was written. */
  function failNextAdd(collection: string): void {
    // The function logs the internal error (without the event); keep the test output clean.
    jest.spyOn(console, 'error').mockImplementationOnce(() => undefined);
    t.cloud.db.failNext({ action: 'database.insertDocument', collection });
  }

  test('shows no partial year; the retry completes it exactly once', async () => {
    failNextAdd('plans');
    const failed = await ledger()('import.commit', { fileID: as2033, year: 2033, makeCurrent: true, requestId: 'import-2033' });
    expect(failed).toMatchObject({ ok: false, code: 'INTERNAL' });
    // Tasks and assignments were written; without their plan nobody sees them.
    expect(t.cloud.db.count('tasks', { planId: 'plan-2033' })).toBe(44);
    expect(okData(await t.as(ADMIN)('plan.list', {})).map((p) => p.year)).not.toContain(2033);
    expect(await t.as(ADMIN)('plan.get', { year: 2033 })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(okData(await t.as(CONTACTS.ssfj.openid)('tasks.mine', {})).items[0]?.assignmentId).toMatch(/^plan-2021-/);

    // Someone else cannot start over while the first import may still be running.
    expect(
      await ledger()('import.commit', { fileID: as2033, year: 2033, makeCurrent: true, requestId: 'import-2033-other' }),
    ).toMatchObject({
      ok: false,
      code: 'CONFLICT',
    });
    const done = okData(await ledger()('import.commit', { fileID: as2033, year: 2033, makeCurrent: true, requestId: 'import-2033' }));
    expect(done).toMatchObject({ planId: 'plan-2033', tasks: 44, assignments: 805, current: true, duplicate: false });
    expect(t.cloud.db.count('assignments', { planId: 'plan-2033' })).toBe(805);
    expect(t.cloud.db.count('audit', { action: 'import.commit', target: 'plan:plan-2033' })).toBe(1);
    okData(await ledger()('plan.setCurrent', { year: 2021 }));
  });

  test('after the lease runs out another import takes over and clears what the first one left', async () => {
    failNextAdd('plans');
    expect(await ledger()('import.commit', { fileID: as2034, year: 2034, makeCurrent: false, requestId: 'import-2034' })).toMatchObject({
      ok: false,
    });
    await db
      .collection('imports')
      .doc('plan-2034')
      .update({ data: { leaseUntil: new Date(Date.now() - 1000) } });
    const small = await uploadImport(
      await xlsxOf([
        TITLE_2034,
        HEADER,
        ['一、甲', '(一)乙', 1, '公开规划', '市司法局'],
        [null, null, 2, '公开预算', '市财政局牵头,市审计局配合'],
      ]),
    );
    // The second file has a problem: refused before anything is touched.
    expect(await ledger()('import.commit', { fileID: small, year: 2034, makeCurrent: false, requestId: 'import-2034-b' })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    expect(t.cloud.db.count('tasks', { planId: 'plan-2034' })).toBe(44);
    const fixed = await uploadImport(
      await xlsxOf([
        TITLE_2034,
        HEADER,
        ['一、甲', '(一)乙', 1, '公开规划', '市司法局'],
        [null, null, 2, '公开预算', '市财政局牵头,市政府各部门配合'],
      ]),
    );
    const res = okData(await ledger()('import.commit', { fileID: fixed, year: 2034, makeCurrent: false, requestId: 'import-2034-c' }));
    expect(res).toMatchObject({ tasks: 2, current: false, duplicate: false });
    expect(t.cloud.db.count('tasks', { planId: 'plan-2034' })).toBe(2);
    expect(t.cloud.db.count('assignments', { planId: 'plan-2034' })).toBe(res.assignments);
    expect((await planOf(2034)).tasks.map((x) => x.requirement)).toEqual(['公开规划', '公开预算']);
  });
});

test('the first plan of an environment is current even when imported as not current', async () => {
  const fresh = startTestCloud();
  try {
    okData(await fresh.as(ADMIN)('admin.bootstrap', { setupCode: SETUP_CODE, name: '管理员' }));
    // No table seeded: the office builds its directory and imports its first year.
    okData(await fresh.as(ADMIN)('unit.create', { name: '市司法局', kind: 'department', code: 'ssfj' }));
    const u = await startUploader(fresh);
    const fileID = await u.upload(
      ADMIN,
      `${importPrefix(ADMIN)}first.xlsx`,
      await xlsxOf([TITLE, HEADER, ['一、甲', '(一)乙', 1, '公开规划', '市司法局']]),
    );
    const res = okData(await fresh.ledger(ADMIN)('import.commit', { fileID, year: 2031, makeCurrent: false, requestId: 'first-import' }));
    expect(res).toMatchObject({ planId: 'plan-2031', tasks: 1, assignments: 1, current: true });
    expect(okData(await fresh.as(ADMIN)('plan.list', {}))).toEqual([expect.objectContaining({ year: 2031, current: true })]);
    expect(okData(await fresh.as(ADMIN)('plan.get', {})).title).toBe('邹城市2031年政务公开工作任务分解表');
  } finally {
    fresh.close();
  }
});
