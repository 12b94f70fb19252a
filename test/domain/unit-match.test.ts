import { nameCore, nameSimilarity, suggestUnits } from '../../cloudfunctions/common/domain/unit-match';
import { DIRECTORY } from '../../cloudfunctions/common/table';

const directory = [...DIRECTORY.units.map((u) => ({ name: u.name })), ...DIRECTORY.groups.map((g) => ({ name: g.name }))];

describe('nameCore', () => {
  test.each([
    ['市发展改革局', '发展改革'],
    ['邹城市司法局', '司法'],
    ['香城镇', '香城'],
    ['钢山街道办事处', '钢山'],
    ['市委编办', '委编'],
    ['局', '局'],
  ])('%s → %s', (name, core) => expect(nameCore(name)).toBe(core));
});

describe('suggestUnits over the 2021 directory', () => {
  test.each([
    ['市发改局', '市发展改革局'],
    ['发展改革局', '市发展改革局'],
    ['邹城市司法局', '市司法局'],
    ['市教体局', '市教育体育局'],
    ['市卫健局', '市卫生健康局'],
    ['市人社局', '市人力资源社会保障局'],
    ['市住建局', '市住房城乡建设局'],
    ['市自然资源局', '市自然资源和规划局'],
    ['市市场监督管理局', '市市场监管局'],
    ['市生态环境局', '济宁市生态环境局邹城市分局'],
    ['香城', '香城镇'],
    ['千泉街道办事处', '千泉街道'],
    ['市直各部门', '市政府各部门'],
  ])('%s → %s first', (unknown, expected) => {
    expect(suggestUnits(unknown, directory)[0]).toBe(expected);
  });

  test.each(['市审计局', '市水务局', '市交通运输局', '某某公司'])('%s: nothing close (only 市…局 in common)', (unknown) => {
    expect(suggestUnits(unknown, directory)).toEqual([]);
  });

  test('at most three, closest first, aliases count for their unit', () => {
    const units = [
      { name: '市文化和旅游局', aliases: ['市文化旅游局'] },
      { name: '市文旅中心' },
      { name: '市旅游服务中心' },
      { name: '市文化馆' },
    ];
    const got = suggestUnits('市文化旅游局', units);
    expect(got[0]).toBe('市文化和旅游局');
    expect(got.length).toBeLessThanOrEqual(3);
    expect(nameSimilarity('市文化旅游局', '市文化旅游局')).toBe(1);
  });
});
