/**
 * The office's administrators. An administrator is a contacts document
 * with `isAdmin` (a person may also report for a unit). There is always at
 * least one: every change of the administrator set writes the
 * `settings/admins` marker in its transaction, so two changes never commit
 * side by side on a stale view (two admins removing each other at once:
 * one wins, the other is refused), and a removal recounts the remaining
 * administrators inside its transaction.
 */
import type { AdminView } from '../../../../miniprogram/shared/api';
import { db, fetchAll, fetchIn } from '../../../common/cloud';
import { conflict, notFound } from '../../../common/envelope';
import type { ContactDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { empty, object, string } from '../../../common/validate';
import type { Caller } from '../../../common/context';
import type { ActionDef } from '../router';
import { inTransaction, txAudit, txGet, txPut, type Tx } from '../../../common/transaction';

const ADMINS_MARKER = 'admins';
const openidInput = string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '用户编号格式不正确，请核对后重试' });
const target = (openid: string) => `contact:${openid}`;

async function unitNames(contacts: readonly ContactDoc[]): Promise<Map<string, string>> {
  const ids = contacts.map((c) => c.unitId).filter((id): id is string => typeof id === 'string');
  const units = await fetchIn<Pick<UnitDoc, '_id' | 'name'>>(C.units, '_id', ids, {}, { _id: true, name: true });
  return new Map(units.map((u) => [u._id, u.name]));
}

function adminView(c: ContactDoc, names: Map<string, string>, caller: Caller): AdminView {
  return {
    openid: c._id,
    name: c.name,
    unitId: c.unitId,
    unitName: c.unitId ? (names.get(c.unitId) ?? '') : '',
    isSelf: c._id === caller.openid,
  };
}

/** Serialises changes of the administrator set (see the file comment). */
async function touchMarker(tx: Tx, by: string, now: Date): Promise<void> {
  await txGet(tx, C.settings, ADMINS_MARKER);
  await txPut(tx, C.settings, { _id: ADMINS_MARKER, by, at: now });
}

export const adminList: ActionDef<'admin.list'> = {
  access: 'admin',
  input: empty,
  async run(_input, caller) {
    const admins = await fetchAll<ContactDoc>(db.collection(C.contacts).where({ isAdmin: true }));
    const names = await unitNames(admins);
    return admins
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN') || a._id.localeCompare(b._id))
      .map((c) => adminView(c, names, caller));
  },
};

export const adminAdd: ActionDef<'admin.add'> = {
  access: 'admin',
  input: object({ openid: openidInput, name: string({ max: 20 }) }),
  async run({ openid, name }, caller) {
    const now = new Date();
    const doc = await inTransaction(async (tx) => {
      const current = await txGet<ContactDoc>(tx, C.contacts, openid);
      // Already one (a retried tap, or someone else was quicker): the same outcome, not an event.
      if (current?.isAdmin) return current;
      await touchMarker(tx, caller.openid, now);
      // Someone who never bound to a unit gets a record of their own, with no unit.
      const next: ContactDoc = current
        ? { ...current, name: current.name || name, isAdmin: true, updatedAt: now }
        : { _id: openid, name, phone: '', unitId: null, status: null, isAdmin: true, createdAt: now, updatedAt: now };
      await txPut(tx, C.contacts, next);
      await txAudit(tx, caller.openid, 'admin.add', target(openid), { name: next.name, newRecord: current === null });
      return next;
    });
    return adminView(doc, await unitNames([doc]), caller);
  },
};

export const adminRemove: ActionDef<'admin.remove'> = {
  access: 'admin',
  input: object({ openid: openidInput }),
  async run({ openid }, caller) {
    const known = await fetchAll<Pick<ContactDoc, '_id'>>(db.collection(C.contacts).where({ isAdmin: true }).field({ _id: true }));
    const now = new Date();
    const doc = await inTransaction(async (tx) => {
      const current = await txGet<ContactDoc>(tx, C.contacts, openid);
      if (!current) throw notFound('找不到该用户，请刷新后重试');
      // Not (or no longer) an administrator: a retried removal is not an error.
      if (!current.isAdmin) return current;
      await touchMarker(tx, caller.openid, now);
      // Recount inside the commit: the marker makes a concurrent change retry us.
      let others = 0;
      for (const { _id } of known) {
        if (_id === openid) continue;
        if ((await txGet<ContactDoc>(tx, C.contacts, _id))?.isAdmin) others++;
      }
      if (others === 0) throw conflict('至少要保留一位管理员：请先添加另一位管理员，再移除这一位');
      const next: ContactDoc = { ...current, isAdmin: false, updatedAt: now };
      await txPut(tx, C.contacts, next);
      await txAudit(tx, caller.openid, 'admin.remove', target(openid), {
        name: current.name,
        self: openid === caller.openid,
        remaining: others,
      });
      return next;
    });
    return adminView(doc, await unitNames([doc]), caller);
  },
};
