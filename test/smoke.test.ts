test('toolchain runs TypeScript tests', () => {
  const n: number = [1, 2, 3].reduce((a, b) => a + b, 0);
  expect(n).toBe(6);
});
