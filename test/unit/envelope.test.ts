import { ApiFailure, failure, scrub } from '../../cloudfunctions/common/envelope';

describe('failure', () => {
  let logged: string[];
  beforeEach(() => {
    logged = [];
    jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
  });
  afterEach(() => jest.restoreAllMocks());

  test('a refusal is passed on as it is and not logged', () => {
    expect(failure(new ApiFailure('INVALID_INPUT', '请填写工作进展', 'text'), 'api')).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      message: '请填写工作进展',
      field: 'text',
    });
    expect(logged).toEqual([]);
  });

  test('anything else is INTERNAL to the caller, and logged without the values a database error quotes', () => {
    const err = new Error(
      'collection.add:fail -502001 database request fail. [FailedOperation] E11000 duplicate key error collection: reports ' +
        'index: request_unique dup key: { requestKey: "o-contact-ssfj-0001:req-1" } phone 13800000001',
    );
    expect(failure(err, 'api')).toEqual({ ok: false, code: 'INTERNAL', message: '系统繁忙，请稍后重试' });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('[api] internal error: Error: collection.add:fail -502001');
    expect(logged[0]).toContain('index: request_unique dup key: {…}');
    expect(logged[0]).not.toMatch(/o-contact-ssfj-0001|13800000001/);
  });

  test('scrub keeps error codes and short numbers, masks long digit runs and caps the length', () => {
    expect(scrub('-501001 resource system error, 42 docs')).toBe('-501001 resource system error, 42 docs');
    expect(scrub('id 370883199001011234')).toBe('id 370…34');
    expect(scrub('x'.repeat(600))).toHaveLength(500);
  });
});
