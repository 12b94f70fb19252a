/**
 * The action map: each action declares who may call it, how its input is
 * validated, and its handler. Authentication and validation happen here,
 * once, before any handler runs.
 */
import type { ActionName, ActionRequest, ActionResponse, ApiResult } from '../../../miniprogram/shared/api';
import { ApiFailure, failure, ok } from '../../common/envelope';
import type { Validator } from '../../common/validate';
import { currentCaller, type Access, type Caller } from './context';

export interface ActionDef<A extends ActionName> {
  access: Access;
  input: Validator<ActionRequest<A>>;
  run: (input: ActionRequest<A>, caller: Caller) => Promise<ActionResponse<A>>;
}
export type ActionMap = { [A in ActionName]: ActionDef<A> };

export function createHandler(actions: ActionMap) {
  return async function handle(event: unknown): Promise<ApiResult<unknown>> {
    try {
      const { action, data } = readEvent(event);
      if (!Object.prototype.hasOwnProperty.call(actions, action)) {
        throw new ApiFailure('UNKNOWN_ACTION', `未知操作 ${action}`, 'action');
      }
      const def = actions[action as ActionName] as unknown as ActionDef<ActionName>;
      const caller = currentCaller();
      if (def.access === 'admin') await caller.requireAdmin();
      const input = def.input(data, '');
      return ok(await def.run(input, caller));
    } catch (err) {
      return failure(err, 'api');
    }
  };
}

function readEvent(event: unknown): { action: string; data: unknown } {
  if (typeof event !== 'object' || event === null) throw new ApiFailure('INVALID_INPUT', '请求格式不正确', 'action');
  const { action, data } = event as Record<string, unknown>;
  if (typeof action !== 'string' || action === '') throw new ApiFailure('INVALID_INPUT', '缺少 action', 'action');
  return { action, data };
}
