import { REFUSED, canSend, holding, recordEffect, spendsQuota } from '../../cloudfunctions/common/domain/subscriptions';
import { templateRef } from '../../cloudfunctions/common/templates';

describe('recordEffect: what an answer to the subscribe dialog does to the ledger', () => {
  test.each([
    ['one-time', 'accept', 'add-one'],
    ['one-time', 'reject', 'none'],
    ['one-time', 'ban', 'none'],
    ['one-time', 'filter', 'none'],
    ['long-term', 'accept', 'hold'],
    ['long-term', 'reject', 'release'],
    ['long-term', 'ban', 'release'],
    // filter: WeChat dropped a duplicate title, the person chose nothing.
    ['long-term', 'filter', 'none'],
  ] as const)('%s %s → %s', (kind, result, op) => {
    expect(recordEffect(kind, result)).toEqual({ op });
  });
});

describe('canSend', () => {
  test('one-time needs quota left; a long-term flag does not count', () => {
    expect(canSend('one-time', { quota: 1 })).toBe(true);
    expect(canSend('one-time', { quota: 0, longTerm: true })).toBe(false);
    expect(canSend('one-time', undefined)).toBe(false);
  });
  test('long-term needs an accept that holds; leftover one-time quota does not count', () => {
    expect(canSend('long-term', { longTerm: true, quota: 0 })).toBe(true);
    expect(canSend('long-term', { longTerm: false, quota: 5 })).toBe(false);
    expect(canSend('long-term', {})).toBe(false);
  });
  test('after a 43101 neither kind can send', () => {
    const before = { quota: 3, longTerm: true };
    expect(canSend('one-time', { ...before, ...REFUSED })).toBe(false);
    expect(canSend('long-term', { ...before, ...REFUSED })).toBe(false);
  });
});

test('only one-time sends spend the ledger', () => {
  expect(spendsQuota('one-time')).toBe(true);
  expect(spendsQuota('long-term')).toBe(false);
});

test('holding names the kind the office sees, or null', () => {
  expect(holding('long-term', { longTerm: true })).toBe('long-term');
  expect(holding('one-time', { quota: 2 })).toBe('one-time');
  expect(holding('one-time', { quota: 0 })).toBeNull();
  expect(holding('long-term', undefined)).toBeNull();
});

describe('templateRef: one SUBSCRIBE_TEMPLATES entry', () => {
  test('a plain id stays one-time (backward compatible)', () => {
    expect(templateRef('tmpl-a_1')).toEqual({ id: 'tmpl-a_1', kind: 'one-time' });
  });
  test('an object names the kind, one-time by default', () => {
    expect(templateRef({ id: 'tmpl-b', kind: 'long-term' })).toEqual({ id: 'tmpl-b', kind: 'long-term' });
    expect(templateRef({ id: 'tmpl-b' })).toEqual({ id: 'tmpl-b', kind: 'one-time' });
  });
  test.each([['bad id!'], [{ id: 'x', kind: 'forever' }], [{ kind: 'long-term' }], [['tmpl-a']], [null], [42]])('%j is refused', (v) => {
    expect(templateRef(v)).toBeUndefined();
  });
});
