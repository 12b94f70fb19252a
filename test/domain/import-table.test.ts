import {
  categoryCell,
  chineseNumber,
  columnLetter,
  deadlineIn,
  EXAMPLE_MARK,
  importYearOf,
  otherYearThanTitle,
  readImportSheet,
  sectionCell,
  unitProblems,
} from '../../cloudfunctions/common/domain/import-table';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import { YEAR_MISSING_TEXT } from '../../miniprogram/shared/ledger-api';

const HEADER = ['大项', '小项', '序号', '任务要求', '责任单位'];
const TITLE = ['邹城市2022年政务公开工作任务分解表'];
const directory = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));

/** The 2021 table as the template lays it out: 大项 / 小项 only on the first row of their run. */
function grid2021(): string[][] {
  const rows: string[][] = [['邹城市2021年政务公开工作任务分解表'], HEADER];
  let lastCategory = 0;
  let lastSection = 0;
  for (const t of TABLE_2021.tasks) {
    const c = TABLE_2021.categories.find((x) => x.no === t.category)!;
    const s = TABLE_2021.sections.find((x) => x.no === c.section)!;
    rows.push([
      s.no !== lastSection ? sectionCell(s) : '',
      c.no !== lastCategory ? categoryCell(c) : '',
      String(t.no),
      t.requirement,
      t.unitsText,
    ]);
    lastSection = s.no;
    lastCategory = c.no;
  }
  return rows;
}

describe('readImportSheet', () => {
  test('reads the 2021 table back exactly: sections, categories, tasks, roles and task 32’s deadline', () => {
    const got = readImportSheet(grid2021());
    expect(got.problems).toEqual([]);
    expect(got.yearInFile).toBe(2021);
    expect(got.title).toBe('邹城市2021年政务公开工作任务分解表');
    expect(got.sections).toEqual(TABLE_2021.sections);
    expect(got.categories).toEqual(TABLE_2021.categories);
    expect(got.tasks.map(({ row: _row, ...t }) => t)).toEqual(TABLE_2021.tasks);
    expect(got.tasks[0]?.row).toBe(3);
    expect(unitProblems(got, directory, DIRECTORY.groups)).toEqual([]);
  });

  test('merged cells (the value repeated down the rows) mean the same as blanks below the first row', () => {
    const rows = grid2021();
    let s = '';
    let c = '';
    for (const row of rows.slice(2)) {
      s = row[0] || s;
      c = row[1] || c;
      row[0] = s;
      row[1] = c;
    }
    expect(readImportSheet(rows).tasks.map(({ row: _row, ...t }) => t)).toEqual(TABLE_2021.tasks);
  });

  test('finds the header below extra rows and in other columns; headings on their own rows are headings', () => {
    const rows = [
      ['', '邹城市2022年政务公开工作任务分解表'],
      ['', '（印发稿）'],
      ['', '序 号', '大项', '小项', '任务要求', '责任单位'],
      ['', '', '一、重点领域公开'],
      ['', '', '', '(一)规划公开'],
      ['', '1', '', '', '公开规划', '市发展改革局'],
      ['', '', '', '', '', ''],
      ['', '2', '', '', '公开预算', '市财政局牵头,市政府各部门配合'],
    ];
    const got = readImportSheet(rows);
    expect(got.problems).toEqual([]);
    expect(got.columns).toEqual({ 序号: 1, 大项: 2, 小项: 3, 任务要求: 4, 责任单位: 5 });
    expect(got.yearInFile).toBe(2022);
    expect(got.sections).toEqual([{ no: 1, label: '一', title: '重点领域公开' }]);
    expect(got.categories).toEqual([{ no: 1, label: '(一)', title: '规划公开', section: 1 }]);
    expect(got.tasks.map((t) => [t.row, t.no, t.lead, t.responsible, t.cooperate])).toEqual([
      [6, 1, [], ['市发展改革局'], []],
      [8, 2, ['市财政局'], [], ['市政府各部门']],
    ]);
  });

  test('a 附件 mark or a 文号 above the title is skipped: the title is the table’s, its year the title’s', () => {
    const rows = [['附件1'], ['邹政办字〔2021〕12号'], ...grid2021()];
    const t = readImportSheet(rows);
    expect(t).toMatchObject({ title: '邹城市2021年政务公开工作任务分解表', yearInFile: 2021, problems: [] });
    expect(t.tasks).toHaveLength(TABLE_2021.tasks.length);
    // Without a year, a 任务 / 分解表 line is still the title, not the 附件 mark.
    // …and the year in a 文号 is no year of the table: the import then asks for one.
    expect(readImportSheet([['附件2'], ['邹政办字〔2021〕12号'], ['政务公开工作任务分解表'], ...grid2021().slice(1)])).toMatchObject({
      title: '政务公开工作任务分解表',
      yearInFile: null,
    });
  });

  test('a 完成时限 column is read (a date or 年底前), never dropped; what it cannot read is refused by row and column', () => {
    const header = [...HEADER, '完成时限'];
    const row = (no: number, due: string) => ['一、甲', '(一)乙', String(no), `要求${no}`, '市司法局', due];
    const t = readImportSheet([
      TITLE,
      header,
      row(1, '2022-06-30'),
      row(2, '2022年年底前'),
      row(3, ''),
      row(4, '2022/9/1'),
      row(5, '尽快'),
    ]);
    expect(t.tasks.map((x) => [x.no, x.deadline, x.deadlineText])).toEqual([
      [1, '2022-06-30', '2022-06-30'],
      [2, '2022-12-31', '2022年年底前'],
      [3, undefined, undefined],
      [4, '2022-09-01', '2022/9/1'],
      [5, undefined, undefined],
    ]);
    expect(t.problems).toEqual([
      { row: 7, column: 'F', header: '', message: expect.stringContaining('“完成时限”列的“尽快”无法识别为日期') },
    ]);
  });

  test('a date typed into 任务要求 is refused by row and column, never imported as the requirement', () => {
    const t = readImportSheet([TITLE, HEADER, ['一、甲', '(一)乙', '1', '2022-06-30', '市司法局']]);
    // A problem: the import refuses the file until it is fixed.
    expect(t.problems).toEqual([
      { row: 3, column: 'D', header: '任务要求', message: expect.stringContaining('任务要求是一个日期（2022-06-30）') },
    ]);
  });

  test('headings without a 一、 / (一) label get one in order', () => {
    const got = readImportSheet([
      TITLE,
      HEADER,
      ['重点领域', '规划', '1', '公开规划', '市司法局'],
      ['', '预算', '2', '公开预算', '市司法局'],
    ]);
    expect(got.sections).toEqual([{ no: 1, label: '一', title: '重点领域' }]);
    expect(got.categories.map((c) => [c.label, c.title])).toEqual([
      ['(一)', '规划'],
      ['(二)', '预算'],
    ]);
  });

  test.each([
    [[['一、甲', '(一)乙', '', '要求', '市司法局']], { row: 3, column: 'C', header: '序号', message: '缺少序号' }],
    [[['一、甲', '(一)乙', '一', '要求', '市司法局']], { row: 3, column: 'C', header: '序号', message: '序号“一”不是正整数' }],
    [[['一、甲', '(一)乙', '1', '', '市司法局']], { row: 3, column: 'D', header: '任务要求', message: '任务要求为空' }],
    [[['一、甲', '(一)乙', '1', '要求', '']], { row: 3, column: 'E', header: '责任单位', message: '责任单位为空' }],
    [[['', '(一)乙', '1', '要求', '市司法局']], { row: 3, column: 'A', header: '大项' }],
    [[['一、甲', '', '1', '要求', '市司法局']], { row: 3, column: 'B', header: '小项' }],
    [[['一、甲', '(一)乙', '1', '要求', '各镇街配合']], { row: 3, column: 'E', header: '责任单位' }],
    [[['一、甲', '(一)乙', '1', '要求', '市司法局,,市财政局']], { row: 3, column: 'E', header: '责任单位' }],
    [
      [
        ['一、甲', '(一)乙', '1', '要求', '市司法局'],
        ['', '', '1', '要求二', '市司法局'],
      ],
      { row: 4, column: 'C', header: '序号', message: '序号 1 与第 3 行重复' },
    ],
    [
      [
        ['一、甲', '(一)乙', '1', '要求', '市司法局'],
        ['', '', '3', '要求二', '市司法局'],
      ],
      { row: 4, column: 'C', header: '序号', message: '缺少序号 2（序号应从 1 起连续编排）' },
    ],
    [
      [['一、甲', '(一)乙', '1', `${EXAMPLE_MARK}做好…`, '市司法局']],
      { row: 3, column: '', header: '', message: '这是模板中的示例行，请删除这一行后再导入' },
    ],
  ])('names the row and column of a bad row (%#)', (body, problem) => {
    const got = readImportSheet([TITLE, HEADER, ...body]);
    expect(got.problems).toHaveLength(1);
    expect(got.problems[0]).toMatchObject(problem);
  });

  test('every problem is reported, in row order, not just the first', () => {
    const got = readImportSheet([TITLE, HEADER, ['一、甲', '(一)乙', '', '', '市司法局'], ['', '', '2', '要求', '']]);
    expect(got.problems.map((p) => `${p.column}${p.row}`)).toEqual(['C3', 'D3', 'E4']);
  });

  test('an unknown header row, and a sheet without tasks', () => {
    expect(
      readImportSheet([
        ['任务', '内容', '单位'],
        ['1', '公开', '市司法局'],
      ]).problems,
    ).toEqual([expect.objectContaining({ row: 1, column: '', message: expect.stringContaining('找不到表头') })]);
    expect(readImportSheet([['序号', '任务要求', '责任单位']]).problems).toEqual([
      expect.objectContaining({ row: 1, message: expect.stringContaining('表头缺少“大项、小项”列') }),
    ]);
    expect(readImportSheet([TITLE, HEADER]).problems).toEqual([
      expect.objectContaining({ row: 3, message: expect.stringContaining('没有任务') }),
    ]);
  });
});

describe('unitProblems', () => {
  const table = (units: string) => readImportSheet([TITLE, HEADER, ['一、甲', '(一)乙', '1', '要求', units]]);

  test('a name not in the directory, with close names to choose from', () => {
    expect(unitProblems(table('市发改局牵头,各镇街配合'), directory, DIRECTORY.groups)).toEqual([
      {
        row: 3,
        column: 'E',
        header: '责任单位',
        message: expect.stringContaining('单位名录中没有“市发改局”'),
        suggestions: ['市发展改革局'],
      },
    ]);
  });

  test('units on separate lines of a cell (Alt+Enter) or after spaces are separate units, like 、 and ，', () => {
    const t = table('市司法局\n市财政局牵头,\n各镇街配合');
    expect(t.tasks[0]).toMatchObject({ lead: ['市司法局', '市财政局'], cooperate: ['各镇街'] });
    expect(unitProblems(t, directory, DIRECTORY.groups)).toEqual([]);
    expect(table('市司法局\r\n  市财政局').tasks[0]).toMatchObject({ responsible: ['市司法局', '市财政局'] });
    expect(table('市司法局、市财政局，各镇街').tasks[0]).toMatchObject({ responsible: ['市司法局', '市财政局', '各镇街'] });
    // Spaces between names that end like units separate them; a space inside a name does not.
    expect(table('市司法局 市财政局　各镇街').tasks[0]).toMatchObject({ responsible: ['市司法局', '市财政局', '各镇街'] });
    expect(table('市司法局 牵头,市政府 各部门配合').tasks[0]).toMatchObject({ lead: ['市司法局'], cooperate: ['市政府各部门'] });
  });

  test('a separator the table does not read is named in the problem', () => {
    const problems = unitProblems(table('市司法局/市财政局'), directory, DIRECTORY.groups);
    expect(problems).toEqual([
      expect.objectContaining({ row: 3, column: 'E', message: expect.stringContaining('“市司法局/市财政局”中的“/”不能用来分隔单位') }),
    ]);
    expect(unitProblems(table('市司法局；市财政局'), directory, DIRECTORY.groups)[0]?.message).toContain('中的“；”');
  });

  test('aliases and groups are known; a retired unit must be restored first', () => {
    const units = [
      { id: 'a', name: '市文化和旅游局', kind: 'department' as const, active: true, aliases: ['市文旅局'] },
      { id: 'b', name: '市体育局', kind: 'department' as const, active: false },
    ];
    expect(unitProblems(table('市文旅局、市政府各部门'), units, DIRECTORY.groups)).toEqual([]);
    const [p] = unitProblems(table('市体育局'), units, DIRECTORY.groups);
    expect(p?.message).toContain('已停用');
    expect(p?.suggestions).toBeUndefined();
  });
});

test('deadlineIn reads the deadlines tables write into the task text', () => {
  expect(deadlineIn('……2021年年底前系统清理……')).toEqual({ deadline: '2021-12-31', deadlineText: '2021年年底前' });
  expect(deadlineIn('2022年6月底前完成')).toEqual({ deadline: '2022-06-30', deadlineText: '2022年6月底前' });
  expect(deadlineIn('2024年2月底前完成')).toEqual({ deadline: '2024-02-29', deadlineText: '2024年2月底前' });
  expect(deadlineIn('2022年13月底前')).toBeUndefined();
  expect(deadlineIn('持续推进')).toBeUndefined();
});

test('labels and column letters', () => {
  expect([1, 9, 10, 11, 20, 21].map(chineseNumber)).toEqual(['一', '九', '十', '十一', '二十', '二十一']);
  expect([0, 4, 25, 26, 27].map(columnLetter)).toEqual(['A', 'E', 'Z', 'AA', 'AB']);
});

describe('the year an import creates', () => {
  test('the title’s year when none is given, or the same one given', () => {
    expect(importYearOf(2022, undefined)).toEqual({ year: 2022 });
    expect(importYearOf(2022, 2022)).toEqual({ year: 2022 });
    expect(otherYearThanTitle(2022, 2022)).toBeUndefined();
    expect(otherYearThanTitle(2022, undefined)).toBeUndefined();
  });

  test('another year than the title’s is refused naming both', () => {
    const message = '表格标题是2021年，所选年度是2032年：请核对文件或年度（要导入为2032年，请先把表格标题中的年度改为2032年）';
    expect(otherYearThanTitle(2021, 2032)).toBe(message);
    expect(importYearOf(2021, 2032)).toEqual({ refusal: message });
  });

  test('a title without a year takes the year given; with none given the year is asked for', () => {
    expect(otherYearThanTitle(null, 2036)).toBeUndefined();
    expect(importYearOf(null, 2036)).toEqual({ year: 2036 });
    expect(importYearOf(null, undefined)).toEqual({ refusal: YEAR_MISSING_TEXT });
    expect(YEAR_MISSING_TEXT).toMatch(/^请填写年度/);
  });

  test('a title naming a year outside 2000–2100 is refused naming it', () => {
    expect(importYearOf(1998, undefined)).toEqual({ refusal: expect.stringContaining('表格标题中的年度是1998年') });
    expect(importYearOf(2000, undefined)).toEqual({ year: 2000 });
    expect(importYearOf(2100, undefined)).toEqual({ year: 2100 });
  });
});
