import { db } from '../../common/cloud';
import type { AuditDoc } from '../../common/records';
import { C } from '../../common/schema';

/** Appends to the audit log; `detail` must not hold phone numbers. */
export async function audit(actor: string, action: string, target: string, detail?: Record<string, unknown>): Promise<void> {
  const doc: AuditDoc = { at: new Date(), actor, action, target };
  if (detail) doc.detail = detail;
  await db.collection(C.audit).add({ data: doc });
}
