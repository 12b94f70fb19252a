import { groupMessage, stillOwed, unitReason, type DigestEntry, type LatestState } from '../../cloudfunctions/common/domain/digest';

const entry = (over: Partial<DigestEntry>): DigestEntry => ({
  group: 'g',
  kind: 'deadline',
  unitId: 'u',
  unitName: '单位',
  unitOrder: 0,
  roundId: 'r1',
  roundName: '第三季度',
  dueDate: '2021-09-30',
  taskNos: [8, 20],
  pending: 2,
  overdue: 0,
  reason: 'no_contact',
  people: [],
  at: new Date('2021-09-27T01:00:00Z'),
  ...over,
});

test('the group message lists units in directory order with what each owes, and no personal data', () => {
  const message = groupMessage('2021-10-02', [
    entry({
      unitId: 'xc',
      unitName: '香城镇',
      unitOrder: 30,
      overdue: 2,
      reason: 'no_quota',
      people: [{ name: '香城乙', reason: 'no_quota' }],
    }),
    entry({ unitId: 'ssfj', unitName: '市司法局', unitOrder: 5, kind: 'returned', taskNos: [25], pending: 1, dueDate: '2021-10-08' }),
    entry({
      unitId: 'szfbgs',
      unitName: '市政府办公室',
      unitOrder: 1,
      kind: 'urge',
      taskNos: Array.from({ length: 12 }, (_, i) => i + 1),
      pending: 12,
    }),
  ]);
  expect(message.split('\n')).toEqual([
    '【政务公开任务提醒】10月2日',
    '以下单位有任务需要处理，请联络员打开「政务公开任务台账」小程序查看并报送：',
    '1. 市政府办公室：收到催办，第三季度 12项任务待报送，9月30日截止',
    '2. 市司法局：第三季度 第25项报送被退回，请按退回意见修改后重新报送',
    '3. 香城镇：第三季度 第8、20项已逾期（截止日9月30日），请尽快报送',
    '尚未绑定联络员的单位，请尽快在小程序中完成绑定，以便及时收到提醒。',
    '已报送的单位请忽略本消息。',
  ]);
  expect(message).not.toContain('香城乙');
  expect(groupMessage('2021-10-02', [])).toBe('');
});

test('a unit’s reason: nobody bound, else what most of its people ran into', () => {
  expect(unitReason([])).toBe('no_contact');
  expect(
    unitReason([
      { name: 'a', reason: 'refused' },
      { name: 'b', reason: 'no_quota' },
      { name: 'c', reason: 'refused' },
    ]),
  ).toBe('refused');
  expect(
    unitReason([
      { name: 'a', reason: 'unconfirmed' },
      { name: 'b', reason: 'no_quota' },
    ]),
  ).toBe('no_quota');
});

describe('stillOwed: what a unit reported since the line was written is left out', () => {
  const states: Record<string, ReturnType<LatestState>> = { 'r1|u|8': 'approved', 'r1|u|20': 'returned', 'r1|v|11': 'submitted' };
  const latest: LatestState = (round, unit, no) => states[`${round}|${unit}|${no}`];

  test('a task approved or resubmitted is dropped; one still returned stays; a line with nothing left goes', () => {
    const out = stillOwed(
      [
        entry({ taskNos: [8, 20], pending: 2, overdue: 2 }),
        entry({ unitId: 'v', kind: 'returned', taskNos: [11], pending: 1 }),
        entry({ unitId: 'w', taskNos: [1, 2], pending: 2 }),
      ],
      latest,
    );
    expect(out.map((e) => [e.unitId, e.taskNos, e.pending, e.overdue])).toEqual([
      ['u', [20], 1, 1],
      ['w', [1, 2], 2, 0],
    ]);
  });

  test('a line without a round is kept as it is', () => {
    const line = entry({ roundId: null, taskNos: [8] });
    expect(stillOwed([line], latest)).toEqual([line]);
  });
});
