import { parseResponsibility, ResponsibilityParseError } from '../../cloudfunctions/common/domain/responsibility';

describe('parseResponsibility', () => {
  test('lead + cooperating units', () => {
    expect(parseResponsibility('市发展改革局、市自然资源和规划局牵头,市政府各部门、各镇街配合')).toEqual({
      lead: ['市发展改革局', '市自然资源和规划局'],
      cooperate: ['市政府各部门', '各镇街'],
      responsible: [],
    });
  });

  test('jointly responsible units, separated by 、 or a comma', () => {
    expect(parseResponsibility('市发展改革局、市商务局')).toEqual({ lead: [], cooperate: [], responsible: ['市发展改革局', '市商务局'] });
    expect(parseResponsibility('市民政局,各镇街').responsible).toEqual(['市民政局', '各镇街']);
  });

  test('a single unit', () => {
    expect(parseResponsibility('市司法局')).toEqual({ lead: [], cooperate: [], responsible: ['市司法局'] });
  });

  test('plain segments take the role of the next suffixed segment (task 40)', () => {
    expect(parseResponsibility('市政府办公室牵头,市行政审批服务局,各镇街配合')).toEqual({
      lead: ['市政府办公室'],
      cooperate: ['市行政审批服务局', '各镇街'],
      responsible: [],
    });
  });

  test('trailing plain names after a lead cooperate; full-width commas and extraction spaces are tolerated', () => {
    expect(parseResponsibility('市财政局牵头， 市政府 各部门')).toEqual({
      lead: ['市财政局'],
      cooperate: ['市政府各部门'],
      responsible: [],
    });
  });

  test('a unit written twice keeps its strongest role', () => {
    expect(parseResponsibility('市政府办公室牵头,市政府办公室、各镇街配合')).toEqual({
      lead: ['市政府办公室'],
      cooperate: ['各镇街'],
      responsible: [],
    });
  });

  test.each([
    ['', '责任单位为空'],
    ['市司法局,,市财政局', '多余的逗号'],
    ['市司法局、、市财政局', '空的单位名称'],
    ['各镇街配合', '没有牵头单位'],
  ])('refuses %j with a clear message', (cell, message) => {
    expect(() => parseResponsibility(cell)).toThrow(ResponsibilityParseError);
    expect(() => parseResponsibility(cell)).toThrow(message);
  });
});
