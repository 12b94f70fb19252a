import { ApiFailure } from '../../cloudfunctions/common/envelope';
import { maskPhone } from '../../cloudfunctions/common/mask';
import { array, boolean, integer, object, oneOf, optional, string } from '../../cloudfunctions/common/validate';

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
    [{ text: '' }, 'text', '不能为空'],
    [{ text: 1 }, 'text', '应为文字'],
    [{ text: '一二三四五六' }, 'text', '不能超过 5 个字'],
    [{ text: 'a', year: 1999 }, 'year', '2000 到 2100'],
    [{ text: 'a', year: 2021.5 }, 'year', '整数'],
    [{ text: 'a', done: 'yes' }, 'done', '是或否'],
    [{ text: 'a', state: 'c' }, 'state', 'a / b'],
    [{ text: 'a', links: ['ftp://x'] }, 'links[0]', 'http://'],
    [{ text: 'a', links: ['http://a', 'http://b', 'http://c'] }, 'links', '最多 2 项'],
    [{ text: 'a', extra: 1 }, 'extra', '未知字段'],
    [{ text: { $ne: null } }, 'text', '应为文字'],
    [{ text: 'a', $where: '1' }, '$where', '不允许'],
    [JSON.parse('{"text":"a","__proto__":{"x":1}}'), '__proto__', '不允许'],
    ['string', '', '应为对象'],
  ])('%j fails on %s', (input, field, message) => {
    const err = failure(input);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.field).toBe(field);
    expect(err.message).toContain(message);
  });

  test('length counts characters as people see them (emoji = 1)', () => {
    expect(schema({ text: '👍👍👍👍👍' }, '').text).toBe('👍👍👍👍👍');
  });
});

describe('maskPhone', () => {
  test('keeps the first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0537-5212345')).toBe('053*****2345');
    expect(maskPhone('12345')).toBe('*****');
  });
});
