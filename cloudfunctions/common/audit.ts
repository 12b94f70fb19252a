import { db } from './cloud';
import type { AuditDoc } from './records';
import { C } from './schema';

/** Appends to the audit log; `detail` must not hold phone numbers. */
export async function audit(actor: string, action: string, target: string, detail?: Record<string, unknown>): Promise<void> {
  const doc: AuditDoc = { at: new Date(), actor, action, target };
  if (detail) doc.detail = detail;
  await db.collection(C.audit).add({ data: doc });
}
