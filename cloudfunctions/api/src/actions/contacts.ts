/**
 * Units and their contact persons (联络员): binding a person to a unit, the
 * office's review of binding requests, and the 政务公开 group whose members
 * are trusted at once.
 *
 * A person has one contacts document (_id = OPENID) and reports for at most
 * one unit. Every change of binding is decided inside a transaction on that
 * document, with its audit entry in the same commit, so two taps (or a bind
 * racing an approval) can never leave a person acting for a unit nobody
 * approved.
 */
import type { ContactStatus, ContactView } from '../../../../miniprogram/shared/api';
import { db, fetchAll, first } from '../../../common/cloud';
import { ApiFailure, conflict, invalid, notFound } from '../../../common/envelope';
import type { ContactDoc, SettingsGroupDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { empty, object, oneOf, optional, phone, string } from '../../../common/validate';
import type { Caller } from '../../../common/context';
import { GROUP_SETTINGS_ID, groupCloudIdInput, opengidFromCloudId, registeredGroup } from '../group';
import type { ActionDef } from '../router';
import { inTransaction, txAudit, txGet, txPut } from '../../../common/transaction';
import { meView } from './me';
import { unitView } from './plan';

const STATUSES: readonly ContactStatus[] = ['pending', 'active', 'rejected', 'removed'];
const STATUS_LABEL: Record<ContactStatus, string> = { pending: '待审核', active: '已生效', rejected: '已退回', removed: '已移除' };

/** Ids as the directory and WeChat make them: letters, digits, `_` and `-`. */
const idInput = (what: string) => string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: `${what}格式不正确，请刷新后重试` });

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** For the office: full phone numbers (contact.list and the review actions are admin-only). */
export function contactView(c: ContactDoc, unitName: string): ContactView {
  return {
    openid: c._id,
    name: c.name,
    phone: c.phone,
    unitId: c.unitId,
    unitName,
    status: c.status,
    isAdmin: c.isAdmin,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

const target = (openid: string) => `contact:${openid}`;

export const unitList: ActionDef<'unit.list'> = {
  access: 'anyone',
  input: empty,
  async run() {
    const units = await fetchAll<UnitDoc>(db.collection(C.units).where({ active: true }), 'order');
    return units.map(unitView);
  },
};

export const contactBind: ActionDef<'contact.bind'> = {
  access: 'anyone',
  input: object({
    unitId: idInput('单位'),
    name: string({ max: 20 }),
    phone: phone(),
    groupCloudId: optional(groupCloudIdInput),
  }),
  async run({ unitId, name, phone: tel, groupCloudId }, caller) {
    // Everything that can refuse the request is checked before anything is written.
    const unit = await first<UnitDoc>(db.collection(C.units).where({ _id: unitId }).limit(1));
    if (!unit) throw new ApiFailure('NOT_FOUND', '找不到所选单位，请返回重新选择', 'unitId');
    if (!unit.active) throw invalid('unitId', '该单位已停用，请选择其他单位或联系政务公开科');
    let viaGroup = false;
    if (groupCloudId !== undefined) {
      const [opengid, group] = await Promise.all([opengidFromCloudId(groupCloudId), registeredGroup()]);
      // A CloudID of some other group is no proof, but no reason to refuse the request either.
      viaGroup = group !== undefined && group.opengid === opengid;
    }

    const now = new Date();
    const doc = await inTransaction(async (tx) => {
      const current = await txGet<ContactDoc>(tx, C.contacts, caller.openid);
      // Only an active contact of this very unit stays active without new proof.
      const stays = current?.unitId === unitId && current.status === 'active';
      const status: ContactStatus = viaGroup || stays ? 'active' : 'pending';
      const next: ContactDoc = {
        _id: caller.openid,
        name,
        phone: tel,
        unitId,
        status,
        isAdmin: current?.isAdmin === true,
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
      };
      // A repeated submit (weak network) changes nothing and is not a new event.
      if (current && current.unitId === unitId && current.status === status && current.name === name && current.phone === tel) {
        return current;
      }
      await txPut(tx, C.contacts, next);
      const detail: Record<string, unknown> = { unitId, name, status, via: viaGroup ? 'group' : stays ? 'unchanged' : 'request' };
      if (current?.unitId && current.status) detail.previous = { unitId: current.unitId, status: current.status };
      await txAudit(tx, caller.openid, 'contact.bind', target(caller.openid), detail);
      return next;
    });
    return meView(caller, doc);
  },
};

export const contactLeave: ActionDef<'contact.leave'> = {
  access: 'anyone',
  input: empty,
  async run(_input, caller) {
    const now = new Date();
    const doc = await inTransaction(async (tx) => {
      const current = await txGet<ContactDoc>(tx, C.contacts, caller.openid);
      // Nothing to leave (or left already): a retry is not an error.
      if (!current || !current.unitId || (current.status !== 'active' && current.status !== 'pending')) return current;
      // The unit stays on record (the office sees who left which unit); the status ends all access.
      const next: ContactDoc = { ...current, status: 'removed', updatedAt: now };
      await txPut(tx, C.contacts, next);
      await txAudit(tx, caller.openid, 'contact.leave', target(caller.openid), { unitId: current.unitId, from: current.status });
      return next;
    });
    return meView(caller, doc ?? undefined);
  },
};

/** Pending first, then in directory order, active before the rest, then by name. */
function byReviewOrder(unitOrder: Map<string, number>) {
  const rank: Record<string, number> = { pending: 0, active: 1, rejected: 2, removed: 3 };
  const orderOf = (c: ContactDoc) => (c.unitId ? (unitOrder.get(c.unitId) ?? Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER);
  return (a: ContactDoc, b: ContactDoc): number =>
    Number(b.status === 'pending') - Number(a.status === 'pending') ||
    orderOf(a) - orderOf(b) ||
    (rank[a.status ?? ''] ?? 4) - (rank[b.status ?? ''] ?? 4) ||
    a.name.localeCompare(b.name, 'zh-Hans-CN') ||
    a._id.localeCompare(b._id);
}

export const contactList: ActionDef<'contact.list'> = {
  access: 'admin',
  input: object({ status: optional(oneOf(STATUSES)), unitId: optional(idInput('单位')) }),
  async run({ status, unitId }) {
    const filter: Record<string, string> = {};
    if (status) filter.status = status;
    if (unitId) filter.unitId = unitId;
    const query = Object.keys(filter).length > 0 ? db.collection(C.contacts).where(filter) : db.collection(C.contacts);
    const [contacts, units] = await Promise.all([fetchAll<ContactDoc>(query), fetchAll<UnitDoc>(db.collection(C.units), 'order')]);
    const unitOrder = new Map(units.map((u) => [u._id, u.order]));
    const unitName = new Map(units.map((u) => [u._id, u.name]));
    return contacts.sort(byReviewOrder(unitOrder)).map((c) => contactView(c, c.unitId ? (unitName.get(c.unitId) ?? '') : ''));
  },
};

interface Transition {
  /** The unit the office saw when it decided: a re-bind in between must not be approved blind. */
  expectUnit?: string;
  action: string;
  from: readonly ContactStatus[];
  to: ContactStatus;
  /** Why the contact's current status does not allow it. */
  refuse: (status: ContactStatus) => string;
}

async function transition(caller: Caller, openid: string, t: Transition, extra: Record<string, unknown> = {}): Promise<ContactView> {
  const now = new Date();
  const { doc, unit } = await inTransaction(async (tx) => {
    const current = await txGet<ContactDoc>(tx, C.contacts, openid);
    if (!current || !current.unitId || !current.status) throw notFound('找不到该联络员的绑定记录，请刷新列表后重试');
    if (!t.from.includes(current.status)) throw conflict(t.refuse(current.status));
    if (t.expectUnit !== undefined && t.expectUnit !== current.unitId) {
      throw conflict('该联络员刚刚改为申请其他单位，请刷新列表后再审核');
    }
    const unitDoc = await txGet<UnitDoc>(tx, C.units, current.unitId);
    if (t.to === 'active' && !unitDoc?.active) throw conflict('该单位已停用，不能再通过新的联络员');
    const next: ContactDoc = { ...current, status: t.to, updatedAt: now };
    await txPut(tx, C.contacts, next);
    await txAudit(tx, caller.openid, t.action, target(openid), { unitId: current.unitId, from: current.status, ...extra });
    return { doc: next, unit: unitDoc };
  });
  return contactView(doc, unit?.name ?? '');
}

const openidInput = object({ openid: idInput('联络员') });

export const contactApprove: ActionDef<'contact.approve'> = {
  access: 'admin',
  input: object({ openid: idInput('联络员'), unitId: optional(idInput('单位')) }),
  run: ({ openid, unitId }, caller) =>
    transition(caller, openid, {
      ...(unitId === undefined ? {} : { expectUnit: unitId }),
      action: 'contact.approve',
      from: ['pending'],
      to: 'active',
      refuse: (s) =>
        s === 'active' ? '该联络员已通过审核，无需重复操作' : `该申请当前为「${STATUS_LABEL[s]}」，需联络员重新提交绑定后才能审核`,
    }),
};

export const contactReject: ActionDef<'contact.reject'> = {
  access: 'admin',
  input: object({ openid: idInput('联络员'), note: optional(string({ max: 200 })) }),
  run: ({ openid, note }, caller) =>
    transition(
      caller,
      openid,
      {
        action: 'contact.reject',
        from: ['pending'],
        to: 'rejected',
        refuse: (s) =>
          s === 'active' ? '该联络员已通过审核；如需取消其资格，请使用「移除」' : `该申请当前为「${STATUS_LABEL[s]}」，无需退回`,
      },
      note ? { note } : {},
    ),
};

export const contactRemove: ActionDef<'contact.remove'> = {
  access: 'admin',
  input: openidInput,
  run: ({ openid }, caller) =>
    transition(caller, openid, {
      action: 'contact.remove',
      from: ['active', 'pending'],
      to: 'removed',
      refuse: (s) => `该联络员当前为「${STATUS_LABEL[s]}」，不是任何单位的联络员，无需移除`,
    }),
};

export const groupRegister: ActionDef<'group.register'> = {
  access: 'admin',
  input: object({ groupCloudId: groupCloudIdInput }),
  async run({ groupCloudId }, caller) {
    const opengid = await opengidFromCloudId(groupCloudId);
    const now = new Date();
    await inTransaction(async (tx) => {
      const current = await txGet<SettingsGroupDoc>(tx, C.settings, GROUP_SETTINGS_ID);
      const doc: SettingsGroupDoc = { _id: GROUP_SETTINGS_ID, opengid, by: caller.openid, at: now };
      await txPut(tx, C.settings, doc);
      // A group id is not personal data; keeping it shows which group was trusted when.
      await txAudit(tx, caller.openid, 'group.register', `settings:${GROUP_SETTINGS_ID}`, { opengid, previous: current?.opengid ?? null });
    });
    return { registered: true };
  },
};
