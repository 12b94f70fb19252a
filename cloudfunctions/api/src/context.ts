/**
 * Who is calling, loaded once per invocation from the verified OPENID.
 * Permission checks in the actions read this and nothing from the event.
 */
import { callerOpenid, db, first } from '../../common/cloud';
import { ApiFailure, forbidden } from '../../common/envelope';
import type { ContactDoc } from '../../common/records';
import { C } from '../../common/schema';

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
}

export function currentCaller(): Caller {
  const openid = callerOpenid();
  if (!openid) throw new ApiFailure('UNAUTHENTICATED', '无法识别调用者，请在微信中打开小程序');
  return new Caller(openid);
}
