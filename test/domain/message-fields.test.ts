import {
  clip,
  DEFAULT_KEYWORDS,
  deadlineFields,
  digestFields,
  FIELD_NAMES,
  formatValue,
  gist,
  KEYWORD_TYPES,
  keywordType,
  parseKeywordMaps,
  renderData,
  returnedFields,
  tasksLabel,
  urgeFields,
  type Fields,
} from '../../cloudfunctions/common/domain/message-fields';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import { keywordValueProblem } from '../../scripts/local-cloud/openapi';

const now = new Date('2021-09-27T09:00:00+08:00');
const chars = (s: string) => [...s].length;

const tasks = TABLE_2021.tasks;
const longestTasks = [...tasks].sort((a, b) => b.requirement.length - a.requirement.length).slice(0, 5);
const unitNames = DIRECTORY.units.map((u) => u.name);
const longestUnit = [...unitNames].sort((a, b) => chars(b) - chars(a))[0] as string;
const LONG_ROUND = '2021年度政务公开工作任务第三季度落实情况报送（含年底回头看）'.slice(0, 30);
const NOTE = '请补充：\n1. 政府网站“政策解读”栏目截图；\n2. 发布日期与链接地址。\t另外请注意保密审查！！😀';

/** Every kind of message over the whole table, the longest names and notes. */
function allFields(): Fields[] {
  const out: Fields[] = [];
  for (const t of tasks) {
    for (const unitName of [longestUnit, '钢山街道']) {
      out.push(
        deadlineFields({ tasks: [{ taskNo: t.no, requirement: t.requirement }], due: '2021-09-30', roundName: LONG_ROUND, unitName, now }),
      );
      out.push(
        returnedFields({
          task: { taskNo: t.no, requirement: t.requirement },
          note: NOTE,
          at: now,
          due: null,
          roundName: LONG_ROUND,
          unitName,
          now,
        }),
      );
    }
  }
  const many = tasks.map((t) => ({ taskNo: t.no, requirement: t.requirement, status: 'overdue' as const, due: '2021-09-30' }));
  for (const due of ['2021-09-20', '2021-09-27', '2021-10-30', '2022-01-05']) {
    out.push(deadlineFields({ tasks: many, due, roundName: LONG_ROUND, unitName: longestUnit, now }));
  }
  out.push(urgeFields({ tasks: many, roundName: LONG_ROUND, unitName: longestUnit, note: NOTE, at: now, now }));
  out.push(urgeFields({ tasks: many.slice(0, 1), roundName: '第三季度', unitName: '市委编办', at: now, now }));
  out.push(digestFields({ units: 35, firstUnit: longestUnit, now }));
  out.push(
    returnedFields({ task: { taskNo: 1, requirement: '' }, note: '   ', at: now, due: '2021-09-30', roundName: '', unitName: '', now }),
  );
  return out;
}

test('every field, formatted for every keyword type, passes WeChat’s rule for that type (local cloud validator)', () => {
  const fields = allFields();
  let checked = 0;
  for (const f of fields) {
    for (const name of FIELD_NAMES) {
      for (const type of KEYWORD_TYPES) {
        const value = formatValue(type, f[name], now);
        const problem = keywordValueProblem(type, value);
        if (problem) throw new Error(`${name} as ${type}: ${JSON.stringify(value)} is ${problem}`);
        checked++;
      }
    }
  }
  expect(checked).toBe(fields.length * FIELD_NAMES.length * KEYWORD_TYPES.length);
});

test('the default maps produce the documented messages', () => {
  const task20 = tasks.find((t) => t.no === 20);
  if (!task20) throw new Error('no task 20');
  const dl = renderData(
    DEFAULT_KEYWORDS.deadline,
    deadlineFields({
      tasks: [{ taskNo: 20, requirement: task20.requirement }],
      due: '2021-09-30',
      roundName: '第三季度',
      unitName: longestUnit,
      now,
    }),
    now,
  );
  expect(dl).toEqual({
    thing1: { value: '第20项 重要政策文件起草部门要积极解…' },
    time2: { value: '2021年9月30日 23:59' },
    thing3: { value: '还有3天截止，请及时报送' },
  });
  const rt = renderData(
    DEFAULT_KEYWORDS.returned,
    returnedFields({
      task: { taskNo: 1, requirement: tasks[0]?.requirement ?? '' },
      note: NOTE,
      at: now,
      due: null,
      roundName: '',
      unitName: '',
      now,
    }),
    now,
  );
  expect(rt).toEqual({
    thing1: { value: '第1项 做好各类规划主动公开' },
    thing2: { value: '请补充： 1. 政府网站“政策解读”栏…' },
    time3: { value: '2021年9月27日 09:00' },
  });
  const ur = renderData(
    DEFAULT_KEYWORDS.urge,
    urgeFields({
      tasks: [{ taskNo: 3, requirement: '', due: '2021-09-24', status: 'overdue' }],
      roundName: '第三季度',
      unitName: 'x',
      at: now,
      now,
    }),
    now,
  );
  expect(ur).toEqual({
    thing1: { value: '第三季度有1项任务待报送' },
    time2: { value: '2021年9月24日 23:59' },
    thing3: { value: '市政府办公室' },
  });
});

test('truncation: at most the limit, ending in … without a dangling comma; one line', () => {
  expect(clip('一二三四五六七八九十', 10)).toBe('一二三四五六七八九十');
  expect(clip('一二三四五六七八，九十一', 10)).toBe('一二三四五六七八…');
  expect(gist('做好各类规划主动公开。公开邹城市国民经济')).toBe('做好各类规划主动公开');
  expect(gist('加大“互联网+执法”、公共法律服务等信息公开力度')).toBe('加大“互联网+执法”、公共法律服务等信息公开力度');
  for (const t of longestTasks) {
    const v = formatValue('thing', { text: `第${t.no}项 ${t.requirement}` }, now);
    expect(chars(v)).toBeLessThanOrEqual(20);
    expect(v.endsWith('…')).toBe(true);
  }
  expect(formatValue('thing', { text: 'a\nb\r\nc' }, now)).toBe('a b c');
});

test('several tasks are named by number, as many as fit', () => {
  const refs = (nos: number[]) => nos.map((taskNo) => ({ taskNo, requirement: '' }));
  expect(tasksLabel(refs([8, 20]))).toBe('第8、20项');
  expect(tasksLabel(refs([1, 2, 3, 6, 8, 9, 11, 16, 17, 18, 19, 20]))).toBe('第1、2、3、6、8、9项等12项任务');
  expect(chars(tasksLabel(refs(tasks.map((t) => t.no))))).toBeLessThanOrEqual(20);
});

test('names, phrases, strings and numbers take the form their type allows', () => {
  // Chinese names longer than 10: the distinctive tail of the organisation's name.
  expect(formatValue('name', { text: longestUnit }, now)).toBe('生态环境局邹城市分局');
  expect(formatValue('name', { text: '市委编办' }, now)).toBe('市委编办');
  expect(formatValue('phrase', { text: '还有3天截止', phrase: '即将到期' }, now)).toBe('即将到期');
  expect(formatValue('phrase', { text: 'OK 123' }, now)).toBe('提醒');
  expect(formatValue('character_string', { text: '第8项', ascii: 'plan-2021-t08-xiangcheng-zhen-0123456789' }, now)).toHaveLength(32);
  expect(formatValue('number', { text: '12项', number: 12 }, now)).toBe('12');
  expect(formatValue('date', { text: '', day: '2021-10-08' }, now)).toBe('2021年10月8日');
  expect(formatValue('time', { text: '', at: new Date('2021-09-27T01:05:00Z') }, now)).toBe('2021年9月27日 09:05');
});

describe('SUBSCRIBE_KEYWORDS', () => {
  test('the keyword’s type comes from its name, as WeChat names keywords', () => {
    expect(keywordType('thing1')).toBe('thing');
    expect(keywordType('character_string12')).toBe('character_string');
    expect(keywordType('amount3')).toBeUndefined();
    expect(keywordType('thing')).toBeUndefined();
  });

  test('a kind may be remapped; a bad map is reported and the default kept', () => {
    const { maps, problems } = parseKeywordMaps(
      JSON.stringify({ deadline: { thing2: 'task', date5: 'due', phrase7: 'status' }, urge: { amount1: 'count' }, other: {} }),
    );
    expect(maps.deadline).toEqual({ thing2: 'task', date5: 'due', phrase7: 'status' });
    expect(maps.urge).toEqual(DEFAULT_KEYWORDS.urge);
    expect(maps.returned).toEqual(DEFAULT_KEYWORDS.returned);
    expect(problems).toHaveLength(2);
    expect(parseKeywordMaps('{').problems).toHaveLength(1);
    expect(parseKeywordMaps(JSON.stringify({ returned: { thing1: 'nope' } })).problems[0]).toMatch(/nope is not a field/);
  });
});
