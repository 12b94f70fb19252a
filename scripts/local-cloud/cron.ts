/**
 * The 7-field cron of 云开发 timer triggers: `sec min hour day month weekday year`,
 * evaluated in UTC+8, weekday 0 = Sunday. Supports `*`, numbers, lists,
 * ranges and `/` steps, which is what trigger configs use in practice.
 */
const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'weekday', min: 0, max: 6 },
  { name: 'year', min: 1970, max: 2199 },
] as const;

export interface Cron {
  source: string;
  sets: Set<number>[];
}

function parseField(text: string, min: number, max: number, name: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [rangeText, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron ${name}: bad step in "${part}"`);
    let lo = min;
    let hi = max;
    if (rangeText !== '*' && rangeText !== undefined) {
      const [a, b] = rangeText.split('-');
      lo = Number(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : Number(b);
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || lo > hi) {
      throw new Error(`cron ${name}: "${part}" is outside ${min}-${max}`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(source: string): Cron {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 7) throw new Error(`cron "${source}" must have 7 fields (sec min hour day month weekday year)`);
  return { source, sets: FIELDS.map((f, i) => parseField(parts[i] ?? '', f.min, f.max, f.name)) };
}

const OFFSET_MS = 8 * 3600 * 1000;

/** Calendar fields of `t` in UTC+8. */
function fieldsAt(t: number): number[] {
  const d = new Date(t + OFFSET_MS);
  return [d.getUTCSeconds(), d.getUTCMinutes(), d.getUTCHours(), d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCDay(), d.getUTCFullYear()];
}

export function matches(cron: Cron, at: Date): boolean {
  const f = fieldsAt(at.getTime());
  return cron.sets.every((set, i) => set.has(f[i] ?? -1));
}

/** The first whole second strictly after `from` that matches, within ~1 year. */
export function nextFire(cron: Cron, from: Date): Date | undefined {
  let t = Math.floor(from.getTime() / 1000) * 1000 + 1000;
  const limit = t + 366 * 24 * 3600 * 1000;
  while (t <= limit) {
    const [, , , day, month, weekday, year] = fieldsAt(t);
    const [, , , daySet, monthSet, weekdaySet, yearSet] = cron.sets;
    // Skip whole days that cannot match, then whole minutes, so the search stays cheap.
    if (!yearSet?.has(year ?? 0) || !monthSet?.has(month ?? 0) || !daySet?.has(day ?? 0) || !weekdaySet?.has(weekday ?? 0)) {
      t = Math.floor((t + OFFSET_MS) / 86400000) * 86400000 + 86400000 - OFFSET_MS;
      continue;
    }
    const f = fieldsAt(t);
    if (!cron.sets[2]?.has(f[2] ?? -1) || !cron.sets[1]?.has(f[1] ?? -1)) {
      t = Math.floor(t / 60000) * 60000 + 60000;
      continue;
    }
    if (matches(cron, new Date(t))) return new Date(t);
    t += 1000;
  }
  return undefined;
}
