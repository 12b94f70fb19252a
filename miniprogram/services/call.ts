/**
 * The app's only way to reach the cloud: `call(action, data)` sends one
 * action to the `api` function (`callLedger` to the office's `ledger`
 * function, `callLinks` to `linkcheck`), unwraps the `{ok, data}` envelope and throws one error type.
 * Pages use the small services built on it and never touch wx.cloud or
 * wx.request themselves.
 */
import type { ActionName, ActionRequest, ActionResponse, ApiResult, ErrorCode } from '../shared/api';
import type { LedgerActionName, LedgerRequest, LedgerResponse } from '../office/shared/ledger-api';
import type { LinksActionName, LinksRequest, LinksResponse } from '../shared/links-api';
import { backend, localCloudUrl, localOpenid } from '../utils/platform';

export class ApiCallError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

const NETWORK_MESSAGE = '网络不给力，请检查网络后重试';

type FunctionName = 'api' | 'ledger' | 'linkcheck';

function viaCloud(name: FunctionName, event: object): Promise<unknown> {
  return wx.cloud.callFunction({ name, data: event }).then((res) => res.result);
}

function viaLocal(name: FunctionName, event: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${localCloudUrl()}/call/${name}`,
      // The ledger builds files for up to a minute (its function timeout).
      timeout: 65_000,
      method: 'POST',
      data: event,
      header: { 'content-type': 'application/json', 'x-local-openid': localOpenid() },
      success: (res) => {
        const body = res.data as { result?: unknown; errMsg?: string };
        if (res.statusCode === 200) resolve(body.result);
        else reject(new Error(body.errMsg ?? `HTTP ${res.statusCode}`));
      },
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

async function send<T>(name: FunctionName, action: string, data: unknown): Promise<T> {
  const event = data === undefined ? { action } : { action, data };
  let result: unknown;
  try {
    result = await (backend() === 'local' ? viaLocal(name, event) : viaCloud(name, event));
  } catch {
    throw new ApiCallError('NETWORK', NETWORK_MESSAGE);
  }
  const envelope = result as ApiResult<T> | undefined;
  if (!envelope || typeof envelope !== 'object' || typeof envelope.ok !== 'boolean') {
    throw new ApiCallError('INTERNAL', '服务返回异常，请稍后重试');
  }
  if (!envelope.ok) throw new ApiCallError(envelope.code, envelope.message, envelope.field);
  return envelope.data;
}

export const call = <A extends ActionName>(action: A, data?: ActionRequest<A>): Promise<ActionResponse<A>> =>
  send<ActionResponse<A>>('api', action, data);

/** The office's exports and imports (a separate function, so `api` stays small). */
export const callLedger = <A extends LedgerActionName>(action: A, data: LedgerRequest<A>): Promise<LedgerResponse<A>> =>
  send<LedgerResponse<A>>('ledger', action, data);

/** Checking evidence links (the `linkcheck` function fetches pages; up to 10 s a link). */
export const callLinks = <A extends LinksActionName>(action: A, data: LinksRequest<A>): Promise<LinksResponse<A>> =>
  send<LinksResponse<A>>('linkcheck', action, data);

/** What to show a person for any failure of `call`. */
export function errorText(err: unknown): string {
  if (err instanceof ApiCallError) return err.message;
  return '出了点问题，请稍后重试';
}

/** The form field the server blamed, for INVALID_INPUT; undefined otherwise. */
export function errorField(err: unknown): string | undefined {
  return err instanceof ApiCallError && err.code === 'INVALID_INPUT' ? err.field : undefined;
}
