/**
 * Who is calling, loaded once per invocation from the verified OPENID.
 * Permission checks in the actions read this and nothing from the event.
 */
import { callerOpenid, db, first } from './cloud';
import { ApiFailure, forbidden } from './envelope';
import type { ContactDoc, UnitDoc } from './records';
import { C } from './schema';

export type Access = 'anyone' | 'admin';

export class Caller {
  private contactDoc: ContactDoc | null | undefined;

  constructor(readonly openid: string) {}

  /** This person's record, or null for someone the system has never seen. */
  async contact(): Promise<ContactDoc | null> {
    if (this.contactDoc === undefined) {
      this.contactDoc = (await first<ContactDoc>(db.collection(C.contacts).where({ _id: this.openid }).limit(1))) ?? null;
    }
    return this.contactDoc;
  }

  async isAdmin(): Promise<boolean> {
    return (await this.contact())?.isAdmin === true;
  }

  async requireAdmin(): Promise<void> {
    if (!(await this.isAdmin())) throw forbidden('仅政务公开科管理员可以进行此操作');
  }

  /**
   * The caller's unit, for actions a contact takes for their unit. Only an
   * active binding to an active unit counts: a pending request, a removed
   * contact or a retired unit lose access at once.
   */
  async requireActiveContact(): Promise<{ contact: ContactDoc; unit: UnitDoc }> {
    const contact = await this.contact();
    if (!contact || !contact.unitId || !contact.status) throw new ApiFailure('NOT_BOUND', '请先绑定所在单位');
    if (contact.status === 'pending') throw new ApiFailure('NOT_BOUND', '绑定申请正在等待政务公开科审核');
    if (contact.status !== 'active') throw new ApiFailure('NOT_BOUND', '您已不是本单位联络员，如有疑问请联系政务公开科');
    const unit = await first<UnitDoc>(db.collection(C.units).where({ _id: contact.unitId }).limit(1));
    if (!unit || !unit.active) throw forbidden('所在单位已停用，请联系政务公开科');
    return { contact, unit };
  }
}

export function currentCaller(): Caller {
  const openid = callerOpenid();
  if (!openid) throw new ApiFailure('UNAUTHENTICATED', '无法识别调用者，请在微信中打开小程序');
  return new Caller(openid);
}
