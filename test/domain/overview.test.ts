import { brokenLinksOf, overviewOf, roundGrid, type GridUnit, type LatestReport } from '../../cloudfunctions/common/domain/overview';
import { lateUnits, urgeMessage } from '../../cloudfunctions/common/domain/urge';
import type { RoundLike } from '../../cloudfunctions/common/domain/rounds';

// On 2021-10-05 in Zoucheng: the round's due day (9-30) has passed, task 32's (12-31) has not.
const NOW = new Date('2021-10-05T02:00:00Z');
const round: RoundLike = { dueDate: '2021-09-30', scope: [1, 2, 32], overrides: { '32': '2021-12-31' }, status: 'open' };
const tasks = [1, 2, 3, 32].map((no) => ({ id: `plan-2021-t${String(no).padStart(2, '0')}`, no }));
const units: GridUnit[] = [
  { id: 'b', name: '乙局', kind: 'department', active: true, order: 2 },
  { id: 'a', name: '甲局', kind: 'department', active: true, order: 1 },
  { id: 't', name: '香城镇', kind: 'town', active: true, order: 3 },
  { id: 'gone', name: '已撤销局', kind: 'department', active: false, order: 4 },
  { id: 'idle', name: '无任务局', kind: 'other', active: true, order: 5 },
];
const a = (unitId: string, taskNo: number) => ({ _id: `${taskNo}-${unitId}`, taskNo, unitId });
const assignments = [a('a', 1), a('a', 2), a('a', 32), a('b', 1), a('b', 3), a('t', 2), a('t', 32), a('gone', 1), a('idle', 3)];
const latest = new Map<string, LatestReport>([
  ['1-a', { reportId: 'r-1a-v2', version: 2, state: 'approved' }],
  ['2-a', { reportId: 'r-2a-v1', version: 1, state: 'returned' }],
  ['32-a', { reportId: 'r-32a-v1', version: 1, state: 'submitted' }],
  ['32-t', { reportId: 'r-32t-v1', version: 1, state: 'returned' }],
  ['1-gone', { reportId: 'r-1gone-v1', version: 1, state: 'submitted' }],
]);

const grid = () => roundGrid({ round, tasks, units, assignments, latest, now: NOW });

describe('roundGrid and overviewOf', () => {
  test('tasks in scope with their due days; active units with work in scope, in directory order', () => {
    const g = grid();
    expect(g.tasks).toEqual([
      { id: 'plan-2021-t01', no: 1, dueDate: '2021-09-30' },
      { id: 'plan-2021-t02', no: 2, dueDate: '2021-09-30' },
      { id: 'plan-2021-t32', no: 32, dueDate: '2021-12-31' },
    ]);
    // 乙局 has task 3 only outside the scope but task 1 inside; 无任务局 nothing in scope; the retired unit is left out.
    expect(g.units.map((u) => u.id)).toEqual(['a', 'b', 't']);
  });

  test('cells, per-unit and per-task counts, totals, overdue and never-submitted lists', () => {
    const view = overviewOf(grid());
    expect(view.units.map((u) => [u.id, u.cells, u.reports])).toEqual([
      ['a', 'aos', ['r-1a-v2', 'r-2a-v1', 'r-32a-v1']],
      ['b', 'o--', [null, null, null]],
      ['t', '-or', [null, null, 'r-32t-v1']],
    ]);
    expect(view.units[0]?.counts).toEqual({ assigned: 3, not_started: 0, submitted: 1, returned: 0, approved: 1, overdue: 1 });
    expect(view.tasks.map((x) => [x.no, x.counts.assigned, x.counts.overdue, x.counts.approved])).toEqual([
      [1, 2, 1, 1],
      [2, 2, 2, 0],
      [32, 2, 0, 0],
    ]);
    expect(view.totals).toEqual({ assigned: 6, not_started: 0, submitted: 1, returned: 1, approved: 1, overdue: 3 });
    expect(view.overdue).toEqual([
      { unitId: 'a', taskNos: [2] },
      { unitId: 'b', taskNos: [1] },
      { unitId: 't', taskNos: [2] },
    ]);
    expect(view.neverSubmitted).toEqual(['b']);
  });

  test('before the due day nothing is overdue', () => {
    const view = overviewOf(roundGrid({ round, tasks, units, assignments, latest, now: new Date('2021-09-30T15:59:59Z') }));
    expect(view.totals).toMatchObject({ overdue: 0, not_started: 2, returned: 2 });
  });
});

describe('lateUnits and urgeMessage', () => {
  test('late = returned (whatever the day) or past due with nothing in; submitted and approved are not late', () => {
    expect(lateUnits(grid())).toEqual([
      { unitId: 'a', unitName: '甲局', missing: [], returned: [2] },
      { unitId: 'b', unitName: '乙局', missing: [1], returned: [] },
      { unitId: 't', unitName: '香城镇', missing: [2], returned: [32] },
    ]);
  });

  test('the message lists each late unit with its contacts and tasks, the deadline and own due days', () => {
    const late = lateUnits(grid());
    const text = urgeMessage({
      roundName: '第三季度',
      dueDate: '2021-09-30',
      taskDue: new Map(grid().tasks.map((x) => [x.no, x.dueDate])),
      units: late.map((u) => ({ ...u, contactNames: u.unitId === 'a' ? ['张三', '李四'] : u.unitId === 't' ? ['王五'] : [] })),
      now: NOW,
    });
    expect(text.split('\n')).toEqual([
      '【催办】第三季度政务公开工作报送',
      '截至10月5日，以下3个单位仍有任务未完成报送，请联络员尽快在“政务公开任务台账”小程序中报送：',
      '1. 甲局（联络员：张三、李四）：第2项被退回，请修改后重新报送。',
      '2. 乙局（暂无联络员，请尽快指定）：第1项未报送。',
      '3. 香城镇（联络员：王五）：第2项未报送；第32项被退回，请修改后重新报送。',
      '本轮截止日期：9月30日（第32项为12月31日）。',
      '已报送的单位请忽略。如有疑问请联系市政府办公室政务公开科。',
    ]);
  });

  test('nobody late: no message; a due day of another year carries its year', () => {
    expect(urgeMessage({ roundName: 'x', dueDate: '2021-09-30', taskDue: new Map(), units: [], now: NOW })).toBe('');
    const text = urgeMessage({
      roundName: '年底回头看',
      dueDate: '2022-01-10',
      taskDue: new Map([[44, '2022-01-10']]),
      units: [{ unitId: 'a', unitName: '甲局', missing: [44], returned: [], contactNames: ['张三'] }],
      now: NOW,
    });
    expect(text).toContain('本轮截止日期：2022年1月10日。');
  });
});

describe('brokenLinksOf', () => {
  const view = {
    tasks: [{ no: 3 }, { no: 8 }],
    units: [
      { id: 'u1', reports: ['r1-v2', null] },
      { id: 'u2', reports: ['r2-v1', 'r3-v1'] },
    ],
  };
  test('latest reports with links that failed, in unit then task order, counted per report', () => {
    const broken = [{ reportId: 'r3-v1' }, { reportId: 'r1-v2' }, { reportId: 'r3-v1' }];
    expect(brokenLinksOf(view, broken)).toEqual([
      { unitId: 'u1', taskNo: 3, reportId: 'r1-v2', links: 1 },
      { unitId: 'u2', taskNo: 8, reportId: 'r3-v1', links: 2 },
    ]);
  });
  test('a failed link of an older version is not listed', () => {
    expect(brokenLinksOf(view, [{ reportId: 'r1-v1' }])).toEqual([]);
  });
});
