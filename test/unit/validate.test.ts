import { ApiFailure } from '../../cloudfunctions/common/envelope';
import { maskPhone } from '../../cloudfunctions/common/mask';
import {
  array,
  boolean,
  integer,
  object,
  oneOf,
  optional,
  phone,
  record,
  string,
  type Validator,
} from '../../cloudfunctions/common/validate';

const schema = object({
  text: string({ max: 5 }),
  year: optional(integer(2000, 2100)),
  done: optional(boolean()),
  state: optional(oneOf(['a', 'b'] as const)),
  links: optional(array(string({ max: 20, pattern: /^https?:\/\//, patternMessage: '链接应以 http:// 或 https:// 开头' }), 2)),
});

function failure(input: unknown): ApiFailure {
  try {
    schema(input, '');
  } catch (err) {
    if (err instanceof ApiFailure) return err;
    throw err;
  }
  throw new Error('expected a validation failure');
}

describe('payload validation', () => {
  test('accepts and trims a valid payload, dropping absent optionals', () => {
    expect(schema({ text: ' 你好 ', year: 2021, links: ['https://a.cn'] }, '')).toEqual({
      text: '你好',
      year: 2021,
      links: ['https://a.cn'],
    });
  });

  test.each([
    [{ text: '' }, 'text', '请填写报送内容'],
    [{ text: 1 }, 'text', '报送内容的格式不正确'],
    [{ text: '一二三四五六' }, 'text', '报送内容不能超过 5 个字（现有 6 个字）'],
    [{ text: 'a', year: 1999 }, 'year', '年度应在 2000 到 2100 之间'],
    [{ text: 'a', year: 2021.5 }, 'year', '整数'],
    [{ text: 'a', done: 'yes' }, 'done', '格式不正确'],
    [{ text: 'a', state: 'c' }, 'state', '请重新选择'],
    [{ text: 'a', links: ['ftp://x'] }, 'links[0]', 'http://'],
    [{ text: 'a', links: ['http://a', 'http://b', 'http://c'] }, 'links', '链接最多 2 项'],
    [{ text: 'a', extra: 1 }, 'extra', '本系统不认识的内容'],
    [{ text: { $ne: null } }, 'text', '报送内容的格式不正确'],
    [{ text: 'a', $where: '1' }, '$where', '不允许'],
    [JSON.parse('{"text":"a","__proto__":{"x":1}}'), '__proto__', '不允许'],
    ['string', '', '请求内容的格式不正确'],
  ])('%j fails on %s', (input, field, message) => {
    const err = failure(input);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.field).toBe(field);
    expect(err.message).toContain(message);
  });

  test.each([
    [Object.assign(['https://a.cn'], { constructor: 'x' }), 'links.constructor'],
    [Object.assign(['https://a.cn'], { map: 1 }), 'links.map'],
  ])('a list carrying a named key is refused, not a crash (%#)', (links, field) => {
    const err = failure({ text: 'a', links });
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.field).toBe(field);
  });

  test('length counts characters as people see them (emoji = 1)', () => {
    expect(schema({ text: '👍👍👍👍👍' }, '').text).toBe('👍👍👍👍👍');
  });
});

/** The INVALID_INPUT a validator raises for `input`, checked to name `field`. */
function refusal<T>(check: Validator<T>, input: unknown): ApiFailure {
  try {
    check(input, 'f');
  } catch (err) {
    if (err instanceof ApiFailure) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('record', () => {
  const overrides = record(string({ max: 10 }), { maxKeys: 3, key: /^[1-9]\d*$/, keyMessage: '应为任务序号' });

  test('accepts a map of valid keys and values, trimming values', () => {
    expect(overrides({ '32': ' 2021-12-31 ', '5': 'x' }, 'f')).toEqual({ '32': '2021-12-31', '5': 'x' });
    expect(overrides({}, 'f')).toEqual({});
  });

  test.each([
    [[], 'f', '格式不正确'],
    ['x', 'f', '格式不正确'],
    [null, 'f', '请填写'],
    [{ '1': 'a', '2': 'b', '3': 'c', '4': 'd' }, 'f', '最多 3 项'],
    [{ '032': 'a' }, 'f.032', '应为任务序号'],
    [{ abc: 'a' }, 'f.abc', '应为任务序号'],
    [{ '1.2': 'a' }, 'f.1.2', '不允许'],
    [{ $gt: 'a' }, 'f.$gt', '不允许'],
    [JSON.parse('{"__proto__":"a"}'), 'f.__proto__', '不允许'],
    [{ '7': 5 }, 'f.7', '格式不正确'],
    [{ '7': '' }, 'f.7', '请填写'],
  ])('%j fails on %s', (input, field, message) => {
    const err = refusal(overrides, input);
    expect([err.code, err.field]).toEqual(['INVALID_INPUT', field]);
    expect(err.message).toContain(message);
  });
});

describe('phone', () => {
  const check = phone();

  test.each([
    ['13812345678', '13812345678'],
    [' 138 1234 5678 ', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['0537-5212345', '0537-5212345'],
    ['0537 5212345', '0537-5212345'],
    ['0537－5212345', '0537-5212345'],
    ['(0537)5212345', '0537-5212345'],
    ['010-12345678', '010-12345678'],
  ])('%j is stored as %s', (input, stored) => {
    expect(check(input, 'phone')).toBe(stored);
  });

  test.each([
    ['12812345678'],
    ['1381234567'],
    ['138123456789'],
    ['05375212345'],
    ['0537-521234'],
    ['5212345'],
    ['abc'],
    ['   '],
    [13812345678],
  ])('%j is refused', (input) => {
    const err = refusal(check, input);
    expect([err.code, err.field]).toEqual(['INVALID_INPUT', 'f']);
  });
});

describe('maskPhone', () => {
  test('keeps the first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0537-5212345')).toBe('053*****2345');
    expect(maskPhone('12345')).toBe('*****');
  });
});
