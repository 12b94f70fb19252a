/**
 * The subscription ledger's rules, per person and template. Pure: the api
 * (subscription.record), the send path (notify.ts) and the 催办 preview
 * apply them to `subscriptions` documents.
 *
 * - one-time (一次性订阅): each accept is one message we may send later;
 *   a send spends one; 43101 means nothing is left, whatever we counted.
 * - long-term (长期订阅, open to categories such as 政务民生): one accept
 *   lets us send again and again until the person turns it off. WeChat
 *   tells us only indirectly: a later request answers reject/ban, or a
 *   send fails with 43101. wx.getSetting's itemSettings is documented for
 *   one-time template ids only, so it is not a source here.
 */
import type { SubscribeResult, SubscriptionKind } from '../../../miniprogram/shared/api';

/** What the ledger holds for one person and template. */
export interface SubscriptionState {
  /** The template's kind when the person last answered (for display; sending uses the configured kind). */
  kind?: SubscriptionKind;
  /** One-time messages left. */
  quota?: number;
  /** A long-term accept that still holds. */
  longTerm?: boolean;
}

/** How a requestSubscribeMessage answer changes the ledger. */
export type RecordEffect =
  | { op: 'add-one' } // one-time accept: one more message
  | { op: 'hold' } // long-term accept: messages until turned off
  | { op: 'release' } // long-term reject/ban: the person turned it off
  | { op: 'none' };

export function recordEffect(kind: SubscriptionKind, result: SubscribeResult): RecordEffect {
  if (kind === 'one-time') return result === 'accept' ? { op: 'add-one' } : { op: 'none' };
  if (result === 'accept') return { op: 'hold' };
  // 'filter' means WeChat dropped the template (duplicate title): it says nothing about the person's choice.
  return result === 'reject' || result === 'ban' ? { op: 'release' } : { op: 'none' };
}

/** Whether a message on a template of `kind` may go to a person whose ledger is `s`. */
export function canSend(kind: SubscriptionKind, s: SubscriptionState | undefined): boolean {
  if (!s) return false;
  return kind === 'long-term' ? s.longTerm === true : (s.quota ?? 0) > 0;
}

/** Whether a successful send uses up one subscription (one-time only). */
export const spendsQuota = (kind: SubscriptionKind): boolean => kind === 'one-time';

/** The ledger after WeChat answered 43101: nothing left of either kind. */
export const REFUSED: Required<Pick<SubscriptionState, 'quota' | 'longTerm'>> = { quota: 0, longTerm: false };

/** What the person holds on a template of `kind`, for the office to see: the kind, or null when nothing can be sent. */
export function holding(kind: SubscriptionKind, s: SubscriptionState | undefined): SubscriptionKind | null {
  return canSend(kind, s) ? kind : null;
}
