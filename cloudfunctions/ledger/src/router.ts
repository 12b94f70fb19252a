/** The ledger function's actions, typed over its contract (the handler itself is common/router.ts). */
import type { LedgerActionName, LedgerRequest, LedgerResponse } from '../../../miniprogram/shared/ledger-api';
import type { ActionDef } from '../../common/router';

export type LedgerActionDef<A extends LedgerActionName> = ActionDef<LedgerRequest<A>, LedgerResponse<A>>;
export type LedgerActionMap = { [A in LedgerActionName]: LedgerActionDef<A> };
