/**
 * First administrator: whoever presents the one-time setup code (the
 * SETUP_CODE environment variable of the function; printed by the local
 * cloud) while no administrator exists becomes one. The bootstrap marker is
 * inserted with a fixed _id, so of two simultaneous claims exactly one wins.
 */
import crypto from 'crypto';
import { db, first } from '../../../common/cloud';
import { ApiFailure } from '../../../common/envelope';
import type { ContactDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { object, string } from '../../../common/validate';
import type { ActionDef } from '../router';
import { audit } from '../../../common/audit';
import { meView } from './me';

export const BOOTSTRAP_ID = 'bootstrap';

function codeMatches(given: string): boolean {
  const expected = process.env.SETUP_CODE ?? '';
  if (expected.length < 8) throw new ApiFailure('SETUP_CODE_INVALID', '系统未配置初始化口令，请联系技术人员');
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export const adminBootstrap: ActionDef<'admin.bootstrap'> = {
  access: 'anyone',
  input: object({ setupCode: string({ max: 64 }), name: string({ max: 20 }) }),
  async run({ setupCode, name }, caller) {
    const done = await first(db.collection(C.settings).where({ _id: BOOTSTRAP_ID }).limit(1));
    if (done) throw new ApiFailure('FORBIDDEN', '系统已有管理员，请联系现有管理员添加');
    if (!codeMatches(setupCode)) throw new ApiFailure('SETUP_CODE_INVALID', '初始化口令不正确', 'setupCode');
    const now = new Date();
    try {
      await db.collection(C.settings).add({ data: { _id: BOOTSTRAP_ID, by: caller.openid, at: now } });
    } catch {
      // Lost the race to a simultaneous claim.
      throw new ApiFailure('FORBIDDEN', '系统已有管理员，请联系现有管理员添加');
    }
    const existing = await caller.contact();
    const doc: ContactDoc = existing
      ? { ...existing, isAdmin: true, updatedAt: now }
      : { _id: caller.openid, name, phone: '', unitId: null, status: null, isAdmin: true, createdAt: now, updatedAt: now };
    const { _id, ...fields } = doc;
    await db.collection(C.contacts).doc(_id).set({ data: fields });
    await audit(caller.openid, 'admin.bootstrap', `contact:${_id}`);
    return meView(caller, doc);
  },
};
