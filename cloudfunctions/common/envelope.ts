/**
 * One result envelope for every cloud function: `{ok:true,data}` or
 * `{ok:false,code,message,field?}`. Actions throw `ApiFailure` for expected
 * refusals; anything else is logged without the event and reported as
 * INTERNAL, so a bug never leaks stack traces or personal data to the client.
 */
import type { ApiError, ApiOk, ErrorCode } from '../../miniprogram/shared/api';

export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export function ok<T>(data: T): ApiOk<T> {
  return { ok: true, data };
}

export function failure(err: unknown, where: string): ApiError {
  if (err instanceof ApiFailure) {
    const out: ApiError = { ok: false, code: err.code, message: err.message };
    if (err.field !== undefined) out.field = err.field;
    return out;
  }
  // Log the error only: events carry names and phone numbers.
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  console.error(`[${where}] internal error: ${scrub(detail)}`);
  return { ok: false, code: 'INTERNAL', message: '系统繁忙，请稍后重试' };
}

/**
 * An error text fit for the log: the database quotes the values of a
 * duplicate key (an openid, a request key …) and could quote a number, so
 * those are cut or masked before anything is written.
 */
export function scrub(text: string): string {
  return text
    .replace(/dup key: \{[^}]*\}/g, 'dup key: {…}')
    .replace(/\d{7,}/g, (digits) => `${digits.slice(0, 3)}…${digits.slice(-2)}`)
    .slice(0, 500);
}

export const invalid = (field: string, message: string) => new ApiFailure('INVALID_INPUT', message, field);
export const forbidden = (message = '没有权限进行此操作') => new ApiFailure('FORBIDDEN', message);
export const notFound = (message: string) => new ApiFailure('NOT_FOUND', message);
export const conflict = (message: string) => new ApiFailure('CONFLICT', message);
