/**
 * Rules of the unit directory the office edits: what a unit code may look
 * like, which names are free, and how a rename keeps the old name as an
 * alias so table cells printed with it still find the unit.
 */

/** A unit's code is its id and the folder of its uploads: ASCII only, no leading or trailing `-`. */
export const UNIT_CODE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const MAX_ALIASES = 10;

/** A unit as stored (`_id`) for the name checks. */
export interface NamedUnit {
  _id: string;
  name: string;
  aliases?: readonly string[];
}

/** A code for a unit the office added without one: `unit-` and 8 hex digits from `random`. */
export function generatedUnitCode(randomHex: string): string {
  const hex = randomHex.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length < 8) throw new RangeError('need 8 hex digits');
  return `unit-${hex.slice(0, 8)}`;
}

/**
 * Why `name` cannot be a name or alias of unit `ownId`, or undefined when
 * it can: another unit already uses it (as its name or an alias), or it is
 * a group of the table (市政府各部门, 各镇街), which expands instead of naming.
 */
export function nameProblem(
  name: string,
  ownId: string | undefined,
  units: readonly NamedUnit[],
  groups: readonly string[],
): string | undefined {
  if (groups.includes(name)) return `「${name}」是任务分解表中的单位分组，不能用作单位名称`;
  for (const u of units) {
    if (u._id === ownId) continue;
    if (u.name === name) return `已有名为「${name}」的单位`;
    if ((u.aliases ?? []).includes(name)) return `「${name}」已是「${u.name}」的曾用名或别名`;
  }
  return undefined;
}

/**
 * The aliases after a change: the given list (or the current one), plus
 * the old name when the unit is renamed, without the new name and without
 * repeats. Renaming back to an alias simply moves it out of the list.
 */
export function nextAliases(
  current: { name: string; aliases?: readonly string[] },
  change: { name?: string; aliases?: readonly string[] },
): string[] {
  const name = change.name ?? current.name;
  const base = [...(change.aliases ?? current.aliases ?? [])];
  if (name !== current.name) base.push(current.name);
  const out: string[] = [];
  for (const a of base) if (a !== name && !out.includes(a)) out.push(a);
  return out;
}
