/**
 * Close names from the unit directory for a name that is not in it, so an
 * import can say "市发改局 — did you mean 市发展改革局?". Tables abbreviate
 * (市发改局, 市教体局), drop or add the 市 prefix or the 镇/街道 suffix, and
 * use older names; each of those scores high here, while two different
 * bureaus that only share 市…局 do not.
 */

export interface MatchCandidate {
  /** The unit's current name (what is suggested). */
  name: string;
  /** Other spellings that mean the unit (aliases, earlier names). */
  aliases?: readonly string[];
}

/** Below this nothing is suggested. */
const THRESHOLD = 0.6;

const PREFIX = /^(?:济宁市|邹城市|市)/;
const SUFFIX = /(?:办公室|办事处|委员会|街道|局|办|委|镇|乡)$/;

/** The distinctive part of a unit name: 市发展改革局 → 发展改革. */
export function nameCore(name: string): string {
  const compact = name.replace(/\s+/g, '');
  let core = compact.replace(PREFIX, '');
  // A second pass takes 街道办事处 → 街道 → ''.
  for (let i = 0; i < 2; i++) core = core.replace(SUFFIX, '');
  return core === '' ? compact : core;
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

function levenshtein(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Shared characters (as a multiset), 0…1. */
function dice(a: readonly string[], b: readonly string[]): number {
  if (a.length + b.length === 0) return 0;
  const left = new Map<string, number>();
  for (const ch of a) left.set(ch, (left.get(ch) ?? 0) + 1);
  let shared = 0;
  for (const ch of b) {
    const n = left.get(ch) ?? 0;
    if (n > 0) {
      shared++;
      left.set(ch, n - 1);
    }
  }
  return (2 * shared) / (a.length + b.length);
}

/** How alike two unit names are, 0…1. */
export function nameSimilarity(a: string, b: string): number {
  const x = a.replace(/\s+/g, '');
  const y = b.replace(/\s+/g, '');
  if (x === y) return 1;
  const cx = nameCore(x);
  const cy = nameCore(y);
  if (cx === cy) return 0.95;
  const [short, long] = [...x].length <= [...y].length ? [[...x], [...y]] : [[...y], [...x]];
  // An abbreviation keeps the characters in order: 市发改局 in 市发展改革局.
  const abbreviation = short.length >= 3 && isSubsequence(short.join(''), long.join('')) ? 0.6 + (0.4 * short.length) / long.length : 0;
  const ax = [...cx];
  const ay = [...cy];
  const edit = 1 - levenshtein(ax, ay) / Math.max(ax.length, ay.length);
  return Math.max(abbreviation, edit, dice(ax, ay));
}

/** Up to `max` directory names close to `name`, closest first (directory order on ties). */
export function suggestUnits(name: string, candidates: readonly MatchCandidate[], max = 3): string[] {
  const scored: { name: string; score: number; order: number }[] = [];
  candidates.forEach((c, order) => {
    const score = Math.max(...[c.name, ...(c.aliases ?? [])].map((n) => nameSimilarity(name, n)));
    if (score >= THRESHOLD) scored.push({ name: c.name, score, order });
  });
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  const out: string[] = [];
  for (const s of scored) if (!out.includes(s.name) && out.length < max) out.push(s.name);
  return out;
}
