import { reviewRefusal, STATE_AFTER, type ReviewCheck } from '../../cloudfunctions/common/domain/review';

const base: ReviewCheck = { state: 'submitted', version: 1, superseded: false, decision: 'approve', roundStatus: 'open' };

describe('reviewRefusal', () => {
  test('the latest submitted version of an open round can be approved or returned', () => {
    expect(reviewRefusal(base)).toBeNull();
    expect(reviewRefusal({ ...base, decision: 'return' })).toBeNull();
    expect(reviewRefusal({ ...base, expectedState: 'submitted' })).toBeNull();
    expect(STATE_AFTER).toEqual({ approve: 'approved', return: 'returned' });
  });

  test.each([
    ['a superseded version', { superseded: true, version: 1 }, 'CONFLICT', '更新的版本'],
    ['an approved version', { state: 'approved' }, 'CONFLICT', '「已通过」'],
    ['a returned version', { state: 'returned' }, 'CONFLICT', '「已退回」，正等待单位重新报送'],
    ['a state other than the one the office saw', { expectedState: 'returned' }, 'CONFLICT', '与您看到的不同'],
    ['a 退回 in a closed round', { decision: 'return', roundStatus: 'closed' }, 'ROUND_CLOSED', '新建一个轮次'],
  ] as const)('refuses %s', (_what, change, code, message) => {
    const refusal = reviewRefusal({ ...base, ...change });
    expect(refusal?.code).toBe(code);
    expect(refusal?.message).toContain(message);
  });

  test('approving in a closed round is still possible', () => {
    expect(reviewRefusal({ ...base, roundStatus: 'closed' })).toBeNull();
  });
});
