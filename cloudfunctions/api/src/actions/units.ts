/**
 * The unit directory as the office keeps it: add units (the other
 * departments, the towns and subdistricts), rename them (the old name stays
 * an alias, so table cells printed with it still match), retire and restore
 * them.
 *
 * A unit added to the directory (or restored, renamed, re-kinded) gets its
 * assignments in the current plan: the cells of its group (市政府各部门,
 * 各镇街) and any cell naming it. They are expanded exactly as plan.seed
 * expands the table (taskAssignmentDocs, same deterministic ids) and only
 * missing ones are written, so a retry or a second call writes nothing.
 * Assignments already there are never changed or removed: reports hang off
 * them.
 *
 * Names and aliases are unique across the directory without any console
 * index: every change of names commits together with the `settings`
 * document `directory` (by `_id`), and only if that document still has the
 * revision read before the names were checked. Two admins adding the same
 * name at once cannot both commit; the second one's check runs again on
 * the new directory and names the clash.
 */
import crypto from 'crypto';
import type { DirectoryUnitView, UnitKind } from '../../../../miniprogram/shared/api';
import { addMissing, db, fetchAll, first, isDuplicateKey, total } from '../../../common/cloud';
import { generatedUnitCode, MAX_ALIASES, nameProblem, nextAliases, UNIT_CODE } from '../../../common/domain/directory';
import { taskAssignmentDocs, type AssignmentDoc, type TaskDoc } from '../../../common/domain/plan-docs';
import { ApiFailure, conflict, invalid } from '../../../common/envelope';
import type { ContactDoc, UnitDoc } from '../../../common/records';
import { currentPlan, directoryUnit } from '../../../common/plans';
import { C } from '../../../common/schema';
import { DIRECTORY } from '../../../common/table';
import { array, empty, integer, object, oneOf, optional, string } from '../../../common/validate';
import { audit } from '../../../common/audit';
import type { ActionDef } from '../router';
import { inTransaction, txAudit, txGet, txPut, type Tx } from '../../../common/transaction';

const KINDS: readonly UnitKind[] = ['department', 'town', 'other'];
const GROUP_NAMES = DIRECTORY.groups.map((g) => g.name);
const NAME_MAX = 30;
const ORDER_MAX = 9999;

const unitName = string({ max: NAME_MAX });
const unitIdInput = string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '单位编号格式不正确，请刷新后重试' });
const codeInput = string({
  max: 40,
  pattern: UNIT_CODE,
  patternMessage: '单位编码只能用小写字母、数字和“-”（如 sjtj 或 xiangcheng-zhen），且不能以“-”开头或结尾',
});

const notFoundUnit = () => new ApiFailure('NOT_FOUND', '找不到该单位，请刷新后重试', 'id');
const target = (id: string) => `unit:${id}`;

function view(u: UnitDoc, contacts: number): DirectoryUnitView {
  return { id: u._id, name: u.name, kind: u.kind, named: u.named, active: u.active, order: u.order, aliases: u.aliases ?? [], contacts };
}

const DIRECTORY_MARKER = 'directory';
/** Attempts at a change of names while other admins keep changing the directory. */
const DIRECTORY_ATTEMPTS = 3;

interface DirectoryMarker {
  _id: string;
  rev: number;
  by: string;
  at: Date;
}

/** The directory changed between the check of names and the commit. */
class DirectoryMoved extends Error {}

async function directoryRev(): Promise<number> {
  const marker = await first<DirectoryMarker>(db.collection(C.settings).where({ _id: DIRECTORY_MARKER }).limit(1));
  return marker?.rev ?? 0;
}

/** In the change's transaction: commits only on the directory revision `seen`, and moves it on. */
async function claimDirectory(tx: Tx, seen: number, by: string, at: Date): Promise<void> {
  const marker = await txGet<DirectoryMarker>(tx, C.settings, DIRECTORY_MARKER);
  if ((marker?.rev ?? 0) !== seen) throw new DirectoryMoved();
  await txPut<DirectoryMarker>(tx, C.settings, { _id: DIRECTORY_MARKER, rev: seen + 1, by, at });
}

/** Runs a check-then-write of names on a fresh revision until it commits on the revision it checked. */
async function onDirectory<T>(change: (rev: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < DIRECTORY_ATTEMPTS; attempt++) {
    try {
      return await change(await directoryRev());
    } catch (err) {
      if (!(err instanceof DirectoryMoved)) throw err;
    }
  }
  throw conflict('其他管理员正在修改单位目录，请稍后再试');
}

const activeContacts = (unitId: string) => total(db.collection(C.contacts).where({ unitId, status: 'active' }));

async function allUnits(): Promise<UnitDoc[]> {
  return fetchAll<UnitDoc>(db.collection(C.units), 'order');
}

/**
 * Writes the assignments unit `unitId` should have in the current plan and does not. Idempotent; a concurrent call writing the same ids is
 * met by reading again once.
 */
export async function syncUnitAssignments(unitId: string): Promise<{ planId: string | null; added: number }> {
  const plan = await currentPlan();
  if (!plan) return { planId: null, added: 0 };
  for (let attempt = 0; ; attempt++) {
    const [tasks, units, existing] = await Promise.all([
      fetchAll<TaskDoc>(db.collection(C.tasks).where({ planId: plan._id }), 'no'),
      allUnits(),
      fetchAll<Pick<AssignmentDoc, '_id'>>(db.collection(C.assignments).where({ planId: plan._id, unitId }).field({ _id: true })),
    ]);
    // The whole directory takes part: a named unit's role beats a group's in the same cell.
    const directory = units.map(directoryUnit);
    const wanted = tasks
      .flatMap((t) => taskAssignmentDocs(plan.year, t, directory, DIRECTORY.groups).assignments)
      .filter((a) => a.unitId === unitId);
    try {
      return { planId: plan._id, added: await addMissing(C.assignments, wanted, new Map(existing.map((a) => [a._id, a]))) };
    } catch (err) {
      if (attempt > 0 || !isDuplicateKey(err)) throw err;
    }
  }
}

/** Syncs and records what was written (the unit's own change is audited in its transaction). */
async function syncAndAudit(actor: string, unit: UnitDoc): Promise<number> {
  if (!unit.active) return 0;
  const { planId, added } = await syncUnitAssignments(unit._id);
  if (added > 0) await audit(actor, 'unit.assign', target(unit._id), { planId, added });
  return added;
}

export const unitDirectory: ActionDef<'unit.directory'> = {
  access: 'admin',
  input: empty,
  async run() {
    const [units, contacts] = await Promise.all([
      allUnits(),
      fetchAll<Pick<ContactDoc, '_id' | 'unitId'>>(
        db.collection(C.contacts).where({ status: 'active' }).field({ _id: true, unitId: true }),
      ),
    ]);
    const perUnit = new Map<string, number>();
    for (const c of contacts) if (c.unitId) perUnit.set(c.unitId, (perUnit.get(c.unitId) ?? 0) + 1);
    return units.map((u) => view(u, perUnit.get(u._id) ?? 0));
  },
};

export const unitCreate: ActionDef<'unit.create'> = {
  access: 'admin',
  input: object({ name: unitName, kind: oneOf(KINDS), code: optional(codeInput) }),
  run: ({ name, kind, code }, caller) =>
    onDirectory(async (rev) => {
      const units = await allUnits();
      const same = units.find((u) => u.name === name);
      // The same unit again (a retried tap): finish its assignments instead of refusing.
      if (same && same.kind === kind && (code === undefined || code === same._id)) {
        const added = await syncAndAudit(caller.openid, same);
        return { unit: view(same, await activeContacts(same._id)), assignmentsAdded: added, created: false };
      }
      const problem = nameProblem(name, undefined, units, GROUP_NAMES);
      if (problem) throw invalid('name', problem);
      const taken = new Set(units.map((u) => u._id));
      if (code !== undefined && taken.has(code)) {
        throw invalid('code', `编码 ${code} 已被「${units.find((u) => u._id === code)?.name ?? ''}」使用，请换一个`);
      }
      let id = code;
      while (id === undefined || taken.has(id)) id = generatedUnitCode(crypto.randomBytes(4).toString('hex'));

      const now = new Date();
      const doc: UnitDoc = {
        _id: id,
        name,
        kind,
        named: false,
        active: true,
        order: units.reduce((max, u) => Math.max(max, u.order), 0) + 1,
        aliases: [],
        createdAt: now,
        updatedAt: now,
      };
      try {
        await inTransaction(async (tx) => {
          await claimDirectory(tx, rev, caller.openid, now);
          await tx.collection(C.units).add({ data: doc });
          await txAudit(tx, caller.openid, 'unit.create', target(id), { name, kind });
        });
      } catch (err) {
        // The code: another admin added a unit with it a moment ago.
        if (isDuplicateKey(err)) throw conflict('刚刚有人添加了同名或同编码的单位，请刷新列表后查看');
        throw err;
      }
      const added = await syncAndAudit(caller.openid, doc);
      return { unit: view(doc, 0), assignmentsAdded: added, created: true };
    }),
};

export const unitUpdate: ActionDef<'unit.update'> = {
  access: 'admin',
  input: object({
    id: unitIdInput,
    name: optional(unitName),
    kind: optional(oneOf(KINDS)),
    order: optional(integer(1, ORDER_MAX)),
    aliases: optional(array(unitName, MAX_ALIASES)),
  }),
  run: ({ id, name, kind, order, aliases }, caller) =>
    onDirectory(async (rev) => {
      const units = await allUnits();
      const before = units.find((u) => u._id === id);
      if (!before) throw notFoundUnit();
      // Everything is checked against the directory before anything is written.
      if (name !== undefined) {
        const problem = nameProblem(name, id, units, GROUP_NAMES);
        if (problem) throw invalid('name', problem);
      }
      aliases?.forEach((alias, i) => {
        if (aliases.indexOf(alias) !== i) throw invalid(`aliases[${i}]`, `别名「${alias}」重复了`);
        const problem = nameProblem(alias, id, units, GROUP_NAMES);
        if (problem) throw invalid(`aliases[${i}]`, problem);
      });
      const change = { ...(name === undefined ? {} : { name }), ...(aliases === undefined ? {} : { aliases }) };
      const nextNames = nextAliases(before, change);
      if (nextNames.length > MAX_ALIASES) throw invalid('aliases', `曾用名和别名最多 ${MAX_ALIASES} 个，请删去不再使用的`);

      const now = new Date();
      const result = await inTransaction(async (tx) => {
        const current = await txGet<UnitDoc>(tx, C.units, id);
        if (!current) throw notFoundUnit();
        // Checked against what the office saw: a change in between is for them to look at first.
        if (new Date(current.updatedAt).getTime() !== new Date(before.updatedAt).getTime()) {
          throw conflict('该单位刚被其他管理员修改，请刷新后再改');
        }
        const next: UnitDoc = {
          ...current,
          name: name ?? current.name,
          kind: kind ?? current.kind,
          order: order ?? current.order,
          aliases: nextNames,
          updatedAt: now,
        };
        const changes: Record<string, unknown> = {};
        for (const key of ['name', 'kind', 'order', 'aliases'] as const) {
          if (JSON.stringify(current[key] ?? []) !== JSON.stringify(next[key] ?? []))
            changes[key] = { from: current[key] ?? [], to: next[key] };
        }
        // Nothing differs (a retried save): not an event.
        if (Object.keys(changes).length === 0) return { doc: current, changed: [] as string[] };
        // Only a change of names needs the directory to stand still.
        if (changes.name || changes.aliases) await claimDirectory(tx, rev, caller.openid, now);
        await txPut(tx, C.units, next);
        await txAudit(tx, caller.openid, 'unit.update', target(id), changes);
        return { doc: next, changed: Object.keys(changes) };
      }).catch((err: unknown) => {
        if (isDuplicateKey(err)) throw invalid('name', `已有名为「${name ?? ''}」的单位`);
        throw err;
      });
      // A new name, alias or kind can bring cells the unit did not match before.
      const matters = result.changed.some((k) => k === 'name' || k === 'aliases' || k === 'kind');
      const added = matters ? await syncAndAudit(caller.openid, result.doc) : 0;
      return { unit: view(result.doc, await activeContacts(id)), assignmentsAdded: added };
    }),
};

async function setActive(id: string, active: boolean, actor: string) {
  const now = new Date();
  const { doc, changed } = await inTransaction(async (tx) => {
    const current = await txGet<UnitDoc>(tx, C.units, id);
    if (!current) throw notFoundUnit();
    // Retiring a retired unit (a retried tap) is the same outcome, not an event.
    if (current.active === active) return { doc: current, changed: false };
    const next: UnitDoc = { ...current, active, updatedAt: now };
    await txPut(tx, C.units, next);
    await txAudit(tx, actor, active ? 'unit.restore' : 'unit.retire', target(id), { name: current.name });
    return { doc: next, changed: true };
  });
  const added = changed && active ? await syncAndAudit(actor, doc) : 0;
  return { unit: view(doc, await activeContacts(id)), assignmentsAdded: added };
}

export const unitRetire: ActionDef<'unit.retire'> = {
  access: 'admin',
  input: object({ id: unitIdInput }),
  run: ({ id }, caller) => setActive(id, false, caller.openid),
};

export const unitRestore: ActionDef<'unit.restore'> = {
  access: 'admin',
  input: object({ id: unitIdInput }),
  run: ({ id }, caller) => setActive(id, true, caller.openid),
};
