import { TABLE_2021, DIRECTORY } from '../../cloudfunctions/common/table';
import { parseResponsibility } from '../../cloudfunctions/common/domain/responsibility';

const GROUPS = new Set(DIRECTORY.groups.map((g) => g.name));

describe('the bundled 2021 table', () => {
  test('has 5 sections, 20 categories and 44 tasks numbered 1..44', () => {
    expect(TABLE_2021.sections).toHaveLength(5);
    expect(TABLE_2021.categories).toHaveLength(20);
    expect(TABLE_2021.tasks.map((t) => t.no)).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
    expect(TABLE_2021.document).toMatchObject({ docNo: '邹政办字〔2021〕29号', year: 2021, issuedOn: '2021-06-26' });
  });

  test('categories (九) and (十四), reprinted at page breaks, appear once each', () => {
    const labels = TABLE_2021.categories.map((c) => c.label);
    expect(new Set(labels).size).toBe(20);
    expect(labels.filter((l) => l === '(九)')).toHaveLength(1);
    expect(labels.filter((l) => l === '(十四)')).toHaveLength(1);
    const tasksOf = (label: string) => {
      const no = TABLE_2021.categories.find((c) => c.label === label)?.no;
      return TABLE_2021.tasks.filter((t) => t.category === no).map((t) => t.no);
    };
    // The continuation rows belong to the same category as the rows before the break.
    expect(tasksOf('(九)')).toEqual([21, 22, 23, 24]);
    expect(tasksOf('(十四)')).toEqual([34, 35]);
  });

  test('every category belongs to an existing section, every task to an existing category', () => {
    const sections = new Set(TABLE_2021.sections.map((s) => s.no));
    const categories = new Set(TABLE_2021.categories.map((c) => c.no));
    for (const c of TABLE_2021.categories) expect(sections.has(c.section)).toBe(true);
    for (const t of TABLE_2021.tasks) expect(categories.has(t.category)).toBe(true);
  });

  test('requirement texts are whole: no extraction spaces, no leaked header or unit cells', () => {
    for (const t of TABLE_2021.tasks) {
      expect(t.requirement).not.toMatch(/\s/);
      expect(t.requirement).not.toMatch(/任务要求|责任单位|牵头|配合$/);
      expect(t.requirement.length).toBeGreaterThan(15);
    }
    // The source's wording is kept, typo included.
    expect(TABLE_2021.tasks[21]?.requirement).toContain('民生事实');
    expect(TABLE_2021.tasks[0]?.requirement).toBe(
      '做好各类规划主动公开。公开邹城市国民经济和社会发展第十四个五年规划纲要,公开邹城市教育、卫生、农业、交通等领域专项规划,公开邹城市城乡规划,公开邹城市国土空间规划,做好历史规划(计划)归集整理和公开',
    );
  });

  test('names 19 distinct units besides the two groups, all in the directory', () => {
    const named = new Set<string>();
    for (const t of TABLE_2021.tasks) {
      for (const n of [...t.lead, ...t.cooperate, ...t.responsible]) if (!GROUPS.has(n)) named.add(n);
    }
    expect(named.size).toBe(19);
    const directoryNamed = DIRECTORY.units.filter((u) => u.named).map((u) => u.name);
    expect(new Set(directoryNamed)).toEqual(named);
  });

  test('task 32 carries its own deadline, 2021年年底前', () => {
    const t32 = TABLE_2021.tasks[31];
    expect(t32).toMatchObject({ no: 32, deadline: '2021-12-31', deadlineText: '2021年年底前' });
    expect(TABLE_2021.tasks.filter((t) => t.deadline)).toHaveLength(1);
  });

  test.each(TABLE_2021.tasks.map((t) => [t.no, t] as const))('cell of task %i parses to its recorded roles', (_no, task) => {
    expect(parseResponsibility(task.unitsText)).toEqual({
      lead: task.lead,
      cooperate: task.cooperate,
      responsible: task.responsible,
    });
  });
});

describe('the unit directory', () => {
  test('holds the 19 named units and the 16 towns and subdistricts, with unique codes', () => {
    expect(DIRECTORY.units.filter((u) => u.named)).toHaveLength(19);
    const towns = DIRECTORY.units.filter((u) => u.kind === 'town').map((u) => u.name);
    expect(towns).toEqual([
      '钢山街道',
      '千泉街道',
      '凫山街道',
      '香城镇',
      '城前镇',
      '大束镇',
      '北宿镇',
      '中心店镇',
      '唐村镇',
      '太平镇',
      '石墙镇',
      '峄山镇',
      '看庄镇',
      '张庄镇',
      '田黄镇',
      '郭里镇',
    ]);
    const codes = DIRECTORY.units.map((u) => u.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[a-z0-9-]+$/);
  });

  test('groups expand by kind: 市政府各部门 to departments, 各镇街 to towns', () => {
    expect(DIRECTORY.groups).toEqual([
      { name: '市政府各部门', kind: 'department' },
      { name: '各镇街', kind: 'town' },
    ]);
    // 市委编办 is a Party-committee body, not a city government department.
    expect(DIRECTORY.units.find((u) => u.name === '市委编办')?.kind).toBe('other');
  });
});
