/**
 * The action map of a function: each action declares who may call it, how
 * its input is validated, and its handler. Authentication and validation
 * happen here, once, before any handler runs. Each function types the map
 * over its own contract (api: miniprogram/shared/api.ts, ledger: ledger-api.ts).
 */
import type { ApiResult } from '../../miniprogram/shared/api';
import { collectionsReady } from './collections';
import { currentCaller, type Access, type Caller } from './context';
import { ApiFailure, failure, ok } from './envelope';
import { validateFor, type Validator } from './validate';

export interface ActionDef<Req, Res> {
  access: Access;
  input: Validator<Req>;
  run: (input: Req, caller: Caller) => Promise<Res>;
}

/** Any action of any contract, as the handler dispatches it. */
interface AnyAction {
  access: Access;
  input: Validator<unknown>;
  run: (input: never, caller: Caller) => Promise<unknown>;
}

/** `where` names the function in the logs of internal errors. */
export function createHandler(actions: Readonly<Record<string, AnyAction>>, where: string) {
  return async function handle(event: unknown): Promise<ApiResult<unknown>> {
    try {
      const { action, data } = readEvent(event);
      const def = Object.prototype.hasOwnProperty.call(actions, action) ? actions[action] : undefined;
      if (!def) throw new ApiFailure('UNKNOWN_ACTION', '暂不支持这项操作，请更新小程序后重试', 'action');
      await collectionsReady();
      const caller = currentCaller();
      if (def.access === 'admin') await caller.requireAdmin();
      const input = validateFor(action, () => def.input(data, ''));
      return ok(await def.run(input as never, caller));
    } catch (err) {
      return failure(err, where);
    }
  };
}

function readEvent(event: unknown): { action: string; data: unknown } {
  if (typeof event !== 'object' || event === null) throw new ApiFailure('INVALID_INPUT', '请求格式不正确', 'action');
  const { action, data } = event as Record<string, unknown>;
  if (typeof action !== 'string' || action === '')
    throw new ApiFailure('INVALID_INPUT', '请求中没有操作名称，请更新小程序后重试', 'action');
  return { action, data };
}
