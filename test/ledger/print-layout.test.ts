import {
  blockHeights,
  displayWidth,
  landscapeScale,
  lineHeight,
  MAX_ROW_HEIGHT,
  textHeight,
  wrappedLines,
} from '../../cloudfunctions/common/domain/print-layout';

describe('print layout', () => {
  test('CJK and full-width characters count double', () => {
    expect(displayWidth('2021-07-01 09:30')).toBe(16);
    expect(displayWidth('市政府办公室')).toBe(12);
    expect(displayWidth('第1项，ＡＢ')).toBe(11);
    expect(displayWidth('')).toBe(0);
  });

  test('wrapped lines count each paragraph and the wrapping inside it', () => {
    // 11 units per line in a 12-wide column.
    expect(wrappedLines('', 12)).toBe(1);
    expect(wrappedLines('市政府办公室', 12)).toBe(2);
    expect(wrappedLines('市政府办公', 12)).toBe(1);
    expect(wrappedLines('一\n\n二', 12)).toBe(3);
    expect(wrappedLines('链'.repeat(100), 36)).toBe(Math.ceil(200 / 35));
    expect(wrappedLines('a\r\nb', 5)).toBe(2);
  });

  test('a row is as high as its tallest cell, capped at the spreadsheet maximum', () => {
    const line = lineHeight(10);
    expect(line).toBeGreaterThanOrEqual(13);
    expect(textHeight([{ text: '短', width: 10 }], 10)).toBe(line + 4);
    expect(
      textHeight(
        [
          { text: '短', width: 10 },
          { text: '长'.repeat(40), width: 11 },
        ],
        10,
      ),
    ).toBe(8 * line + 4);
    expect(textHeight([{ text: '长'.repeat(5000), width: 20 }], 10)).toBe(MAX_ROW_HEIGHT);
  });

  test('rows sharing a merged cell grow at the end when the merged text needs more', () => {
    expect(blockHeights([20, 20], 30)).toEqual([20, 20]);
    expect(blockHeights([20, 20], 100)).toEqual([20, 80]);
    expect(blockHeights([], 100)).toEqual([]);
  });

  test('the fit-to-width scale of the chosen paper', () => {
    expect(landscapeScale([10], 9, 0.4)).toBe(100);
    const wide = Array.from({ length: 18 }, () => 14);
    expect(landscapeScale(wide, 9, 0.4)).toBeLessThan(landscapeScale(wide, 8, 0.4));
  });
});
