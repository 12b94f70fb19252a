import {
  blockHeights,
  displayWidth,
  landscapeScale,
  lineHeight,
  MAX_ROW_HEIGHT,
  paginate,
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

describe('pagination of task blocks', () => {
  test('a block longer than a page is split into labelled segments with a break after each full page', () => {
    const [segments] = paginate([{ own: [40, 40, 40, 40, 40], need: 30 }], 100);
    expect(segments).toEqual([
      { from: 0, to: 2, heights: [40, 40], pageBreakAfter: true },
      { from: 2, to: 4, heights: [40, 40], pageBreakAfter: true },
      { from: 4, to: 5, heights: [40], pageBreakAfter: false },
    ]);
  });

  test('a block whose labels do not fit in the rest of a page starts on the next one', () => {
    const out = paginate(
      [
        { own: [30, 30], need: 20 },
        { own: [20], need: 60 },
      ],
      100,
      10,
    );
    expect(out[0]).toEqual([{ from: 0, to: 2, heights: [30, 30], pageBreakAfter: true }]);
    expect(out[1]).toEqual([{ from: 0, to: 1, heights: [60], pageBreakAfter: false }]);
  });

  test('blocks that fit share a page; no page holds more than its capacity unless one row alone is taller', () => {
    const blocks = Array.from({ length: 30 }, (_, i) => ({
      own: Array.from({ length: (i % 7) + 1 }, (_, j) => 15 + ((i * j) % 40)),
      need: 50,
    }));
    const out = paginate(blocks, 300, 40);
    let onPage = 40;
    for (const seg of out.flat()) {
      onPage += seg.heights.reduce((a, b) => a + b, 0);
      expect(onPage <= 300 || seg.heights.length === 1).toBe(true);
      if (seg.pageBreakAfter) onPage = 0;
    }
    expect(out.flat().filter((s) => s.pageBreakAfter).length).toBeGreaterThan(3);
  });
});
