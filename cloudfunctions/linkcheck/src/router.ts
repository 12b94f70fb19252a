/** The linkcheck function's actions, typed over its contract (the handler itself is common/router.ts). */
import type { LinksActionName, LinksRequest, LinksResponse } from '../../../miniprogram/shared/links-api';
import type { ActionDef } from '../../common/router';

export type LinksActionDef<A extends LinksActionName> = ActionDef<LinksRequest<A>, LinksResponse<A>>;
export type LinksActionMap = { [A in LinksActionName]: LinksActionDef<A> };
