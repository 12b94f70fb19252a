/** The api function's actions, typed over its contract (the handler itself is common/router.ts). */
import type { ActionName, ActionRequest, ActionResponse } from '../../../miniprogram/shared/api';
import type { ActionDef as Def } from '../../common/router';

export type ActionDef<A extends ActionName> = Def<ActionRequest<A>, ActionResponse<A>>;
export type ActionMap = { [A in ActionName]: ActionDef<A> };
