/**
 * The options each `npm run ledger` command accepts. Anything else is refused before the
 * data folder is opened: a misspelled `--rnd` must not quietly export the whole year.
 */

/** Options taking a value, and bare flags, per command (plus the common ones). */
const VALUE_OPTIONS: Record<string, readonly string[]> = {
  export: ['plan', 'round', 'out'],
  archive: ['plan', 'round', 'out'],
  template: ['plan', 'out'],
  import: ['year'],
  current: ['plan'],
};
const FLAGS: Record<string, readonly string[]> = { import: ['dry-run', 'current'] };
const COMMON_VALUES = ['dir', 'as'] as const;
/** Commands taking one positional argument (the file to import). */
const POSITIONAL: Record<string, number> = { import: 1 };

export const LEDGER_COMMANDS = Object.keys(VALUE_OPTIONS);

/** Edit distance, to name the option a typo most likely meant. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return d[b.length]!;
}

/**
 * Problems with `argv` (command first), in Chinese; empty when it can run.
 * Unknown commands are left to the caller's usage text.
 */
export function ledgerArgProblems(argv: readonly string[]): string[] {
  const command = argv[0] ?? '';
  if (!(command in VALUE_OPTIONS)) return [];
  const values = [...(VALUE_OPTIONS[command] ?? []), ...COMMON_VALUES];
  const flags = FLAGS[command] ?? [];
  const known = [...values, ...flags];
  const problems: string[] = [];
  let positionals = 0;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      positionals++;
      if (positionals > (POSITIONAL[command] ?? 0)) problems.push(`多余的参数 ${arg}`);
      continue;
    }
    const name = arg.replace(/^--?/, '');
    if (values.includes(name)) {
      i++; // its value (a missing one is reported where it is read)
      continue;
    }
    if (flags.includes(name)) continue;
    const near = known.filter((k) => distance(name, k) <= 2).sort((a, b) => distance(name, a) - distance(name, b));
    const hint = near.length ? `，是否为 --${near[0]}？` : '';
    // Its value, if any, belongs to it: one message per mistake.
    if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) i++;
    problems.push(`${command} 不认识选项 ${arg}${hint}（可用：${known.map((k) => `--${k}`).join(' ')}）`);
  }
  return problems;
}
