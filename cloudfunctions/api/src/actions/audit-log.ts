/**
 * The audit log for the office, newest first, a page at a time. Actor and
 * target names are resolved from the directory and the contact list; phone
 * numbers never appear (entries are written without them, and the detail
 * is scrubbed again on the way out).
 */
import type { AuditEntryView } from '../../../../miniprogram/shared/api';
import { _, db, fetchIn, rows } from '../../../common/cloud';
import { auditCursor, CURSOR, parseAuditCursor, scrubDetail } from '../../../common/domain/audit-log';
import { invalid } from '../../../common/envelope';
import type { AuditDoc, ContactDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { integer, object, optional, string } from '../../../common/validate';
import type { ActionDef } from '../router';

const DEFAULT_LIMIT = 30;

const contactOf = (target: string) => (target.startsWith('contact:') ? target.slice('contact:'.length) : undefined);
const unitOf = (target: string) => (target.startsWith('unit:') ? target.slice('unit:'.length) : undefined);

export const auditList: ActionDef<'audit.list'> = {
  access: 'admin',
  input: object({
    before: optional(string({ max: 100, pattern: CURSOR, patternMessage: '翻页位置不正确，请从第一页重新查看' })),
    limit: optional(integer(1, 100)),
    actor: optional(string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '操作人格式不正确' })),
    action: optional(string({ max: 64, pattern: /^[a-z]+(?:\.[A-Za-z]+)+$/, patternMessage: '操作名称格式不正确（如 review.decide）' })),
  }),
  async run({ before, limit = DEFAULT_LIMIT, actor, action }) {
    const conditions: Record<string, unknown>[] = [];
    if (actor !== undefined) conditions.push({ actor });
    if (action !== undefined) conditions.push({ action });
    if (before !== undefined) {
      const cursor = parseAuditCursor(before);
      if (!cursor) throw invalid('before', '翻页位置不正确，请从第一页重新查看');
      // (at, _id) descending: entries in the same millisecond are neither repeated nor skipped.
      conditions.push(_.or([{ at: _.lt(cursor.at) }, { at: cursor.at, _id: _.lt(cursor.id) }]) as unknown as Record<string, unknown>);
    }
    const base = db.collection(C.audit);
    const query = conditions.length === 0 ? base : base.where(conditions.length === 1 ? (conditions[0] as object) : _.and(conditions));
    // One more than asked tells whether an older page exists.
    const docs = await rows<AuditDoc & { _id: string }>(
      query
        .orderBy('at', 'desc')
        .orderBy('_id', 'desc')
        .limit(limit + 1),
    );
    const page = docs.slice(0, limit);

    const people = new Set<string>();
    const unitIds = new Set<string>();
    for (const d of page) {
      people.add(d.actor);
      const c = contactOf(d.target);
      if (c) people.add(c);
      const u = unitOf(d.target);
      if (u) unitIds.add(u);
    }
    const [contacts, units] = await Promise.all([
      fetchIn<Pick<ContactDoc, '_id' | 'name'>>(C.contacts, '_id', [...people], {}, { _id: true, name: true }),
      fetchIn<Pick<UnitDoc, '_id' | 'name'>>(C.units, '_id', [...unitIds], {}, { _id: true, name: true }),
    ]);
    const personName = new Map(contacts.map((c) => [c._id, c.name]));
    const unitName = new Map(units.map((u) => [u._id, u.name]));
    const entries = page.map((d): AuditEntryView => {
      const c = contactOf(d.target);
      const u = unitOf(d.target);
      return {
        id: d._id,
        at: new Date(d.at).toISOString(),
        actor: d.actor,
        actorName: personName.get(d.actor) ?? '',
        action: d.action,
        target: d.target,
        targetName: (c ? personName.get(c) : u ? unitName.get(u) : undefined) ?? '',
        detail: d.detail ? (scrubDetail(d.detail) as Record<string, unknown>) : null,
      };
    });
    const last = page[page.length - 1];
    return { entries, next: docs.length > limit && last ? auditCursor(new Date(last.at), last._id) : null };
  },
};
