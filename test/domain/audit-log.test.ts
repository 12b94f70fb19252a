import { auditCursor, parseAuditCursor, scrubDetail } from '../../cloudfunctions/common/domain/audit-log';

describe('audit cursor', () => {
  test('round-trips time and id', () => {
    const at = new Date('2021-10-05T02:00:00.123Z');
    const cursor = auditCursor(at, 'abc123');
    expect(cursor).toBe(`${at.getTime()}_abc123`);
    expect(parseAuditCursor(cursor)).toEqual({ at, id: 'abc123' });
  });

  test.each(['', 'abc', '12_', '_abc', '12_a b', '12_{"$gt":1}'])('refuses %j', (cursor) => {
    expect(parseAuditCursor(cursor)).toBeUndefined();
  });
});

describe('scrubDetail', () => {
  test('drops phone fields and masks numbers in text, keeps everything else', () => {
    const at = new Date('2021-10-05T02:00:00Z');
    expect(
      scrubDetail({
        unitId: 'ssfj',
        phone: '13812345678',
        note: '请联系 13812345678 或 0537-5212345',
        previous: { Mobile: '13900000000', status: 'active' },
        list: ['13700001111', 2],
        at,
        count: 3,
      }),
    ).toEqual({
      unitId: 'ssfj',
      note: '请联系 138****5678 或 053*****2345',
      previous: { status: 'active' },
      list: ['137****1111', 2],
      at: at.toISOString(),
      count: 3,
    });
  });

  test('longer digit runs (ids, timestamps) are left alone', () => {
    expect(scrubDetail({ requestId: 'req-163312345678901' })).toEqual({ requestId: 'req-163312345678901' });
  });
});
