import { generatedUnitCode, nameProblem, nextAliases, UNIT_CODE } from '../../cloudfunctions/common/domain/directory';
import { DIRECTORY } from '../../cloudfunctions/common/table';

const GROUPS = DIRECTORY.groups.map((g) => g.name);
const units = [
  { _id: 'ssfj', name: '市司法局', aliases: ['市司法行政局'] },
  { _id: 'xiangcheng-zhen', name: '香城镇' },
];

describe('unit codes', () => {
  test('every bundled code is a valid code; generated codes are too', () => {
    for (const u of DIRECTORY.units) expect(u.code).toMatch(UNIT_CODE);
    const code = generatedUnitCode('0A1b2C3d9f');
    expect(code).toBe('unit-0a1b2c3d');
    expect(code).toMatch(UNIT_CODE);
  });

  test.each(['', '-ssfj', 'ssfj-', 'SSFJ', '市司法局', 'a b', 'a_b', 'x'.repeat(41)])('%j is not a code', (code) => {
    expect(UNIT_CODE.test(code)).toBe(false);
  });

  test('too little randomness is a programming error', () => {
    expect(() => generatedUnitCode('abc')).toThrow(RangeError);
  });
});

describe('nameProblem', () => {
  test('free names pass; the unit may keep its own name', () => {
    expect(nameProblem('市统计局', undefined, units, GROUPS)).toBeUndefined();
    expect(nameProblem('市司法局', 'ssfj', units, GROUPS)).toBeUndefined();
    expect(nameProblem('市司法行政局', 'ssfj', units, GROUPS)).toBeUndefined();
  });

  test('another unit’s name or alias, or a group of the table, is refused with the reason', () => {
    expect(nameProblem('市司法局', undefined, units, GROUPS)).toBe('已有名为「市司法局」的单位');
    expect(nameProblem('市司法行政局', 'xiangcheng-zhen', units, GROUPS)).toBe('「市司法行政局」已是「市司法局」的曾用名或别名');
    expect(nameProblem('各镇街', undefined, units, GROUPS)).toContain('单位分组');
    expect(nameProblem('市政府各部门', 'ssfj', units, GROUPS)).toContain('单位分组');
  });
});

describe('nextAliases', () => {
  const unit = { name: '市司法局', aliases: ['司法局'] };

  test('a rename keeps the old name as an alias', () => {
    expect(nextAliases(unit, { name: '市司法行政局' })).toEqual(['司法局', '市司法局']);
  });

  test('renaming back to an alias moves it out of the list', () => {
    expect(nextAliases({ name: '市司法行政局', aliases: ['司法局', '市司法局'] }, { name: '市司法局' })).toEqual([
      '司法局',
      '市司法行政局',
    ]);
  });

  test('a given list replaces the aliases, and a rename still adds the old name; no repeats, never the name itself', () => {
    expect(nextAliases(unit, { aliases: ['邹城市司法局'] })).toEqual(['邹城市司法局']);
    expect(nextAliases(unit, { name: '市司法行政局', aliases: [] })).toEqual(['市司法局']);
    expect(nextAliases(unit, { aliases: ['市司法局', 'A', 'A'] })).toEqual(['A']);
    expect(nextAliases({ name: '香城镇' }, {})).toEqual([]);
  });
});
