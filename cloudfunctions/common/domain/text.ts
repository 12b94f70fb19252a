/** The first `n` characters of a text without its whitespace, with … when cut: a task's requirement in a list row. */
export function firstChars(text: string, n: number): string {
  const chars = [...text.replace(/\s+/g, '')];
  return chars.length > n ? `${chars.slice(0, n).join('')}…` : chars.join('');
}
