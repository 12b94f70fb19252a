/**
 * Expands a task's parsed 责任单位 into one assignment per (task, unit).
 *
 * Groups (`市政府各部门`, `各镇街`) cover every active unit of their kind in
 * the directory. A unit named in the cell keeps its named role even where a
 * group in the same cell also covers it (task 24: 市政府办公室 leads and is
 * not also a cooperating department), and a unit appears once per task.
 */
import type { Role, UnitKind } from '../../../miniprogram/shared/api';
import type { ParsedResponsibility } from './responsibility';

export interface DirectoryUnit {
  id: string;
  name: string;
  kind: UnitKind;
  active: boolean;
  /** Earlier names and other spellings: a cell naming one of them means this unit. */
  aliases?: readonly string[];
}
export interface UnitGroup {
  name: string;
  kind: UnitKind;
}
export interface ExpandedAssignment {
  unitId: string;
  unitName: string;
  role: Role;
  /** `named` or the group that brought the unit in, for the ledger's 责任单位 column. */
  via: string;
}
export interface Expansion {
  assignments: ExpandedAssignment[];
  /** Names in the cell that are neither a directory unit nor a group. */
  unknown: string[];
}

const ROLE_ORDER: Role[] = ['lead', 'responsible', 'cooperate'];

export function expandAssignments(parsed: ParsedResponsibility, units: readonly DirectoryUnit[], groups: readonly UnitGroup[]): Expansion {
  // Who a name in a cell means, weakest claim first so stronger ones overwrite: a retired
  // unit's alias, its name, an active unit's alias, its name. So a merged-in unit that took a
  // retired unit's name as an alias gets its cells, and a current name always beats an alias.
  const byName = new Map<string, DirectoryUnit>();
  for (const active of [false, true]) {
    const these = units.filter((u) => u.active === active);
    for (const u of these) for (const alias of u.aliases ?? []) byName.set(alias, u);
    for (const u of these) byName.set(u.name, u);
  }
  const groupByName = new Map(groups.map((g) => [g.name, g]));
  const out = new Map<string, ExpandedAssignment>();
  const unknown: string[] = [];

  // Named units first, strongest role first, so groups can never demote them.
  for (const role of ROLE_ORDER) {
    for (const name of parsed[role]) {
      if (groupByName.has(name)) continue;
      const unit = byName.get(name);
      if (!unit) {
        if (!unknown.includes(name)) unknown.push(name);
        continue;
      }
      if (!unit.active || out.has(unit.id)) continue;
      out.set(unit.id, { unitId: unit.id, unitName: unit.name, role, via: 'named' });
    }
  }
  for (const role of ROLE_ORDER) {
    for (const name of parsed[role]) {
      const group = groupByName.get(name);
      if (!group) continue;
      for (const unit of units) {
        if (unit.kind !== group.kind || !unit.active || out.has(unit.id)) continue;
        out.set(unit.id, { unitId: unit.id, unitName: unit.name, role, via: group.name });
      }
    }
  }
  return { assignments: [...out.values()], unknown };
}
