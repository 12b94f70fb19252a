/**
 * Per-call identity for the real `cloud.getWXContext()`.
 *
 * In the cloud the platform starts each invocation with WX_* environment
 * variables; the SDK reads them from `process.env`. Locally many calls share
 * one process, so `process.env` becomes a view that overlays the variables of
 * the call whose async context is running. Concurrent calls therefore never
 * see each other's OPENID, and the SDK itself stays untouched.
 */
import { AsyncLocalStorage } from 'async_hooks';

export interface CallIdentity {
  /** Absent for timer runs, as in the cloud. */
  openid?: string;
  appid?: string;
  unionid?: string;
  /** `wx_client` for mini program calls, `wx_trigger` for timers (TCB_SOURCE). */
  source: 'wx_client' | 'wx_trigger' | 'wx_devtools';
  envId: string;
}

const overlay = new AsyncLocalStorage<Record<string, string>>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const real = process.env;
  const own = (key: string | symbol): Record<string, string> | undefined => {
    const vars = overlay.getStore();
    return vars && typeof key === 'string' && Object.prototype.hasOwnProperty.call(vars, key) ? vars : undefined;
  };
  process.env = new Proxy(real, {
    get: (target, key) => own(key)?.[key as string] ?? Reflect.get(target, key),
    has: (target, key) => own(key) !== undefined || Reflect.has(target, key),
    getOwnPropertyDescriptor: (target, key) => {
      const vars = own(key);
      if (vars) return { value: vars[key as string], writable: true, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
}

function contextVars(id: CallIdentity, functionEnv: Record<string, string>): Record<string, string> {
  const vars: Record<string, string> = { ...functionEnv, TCB_ENV: id.envId, SCF_NAMESPACE: id.envId, TCB_SOURCE: id.source };
  const keys: string[] = [];
  const put = (key: string, value: string | undefined) => {
    // An absent identity must read as absent, not as the process's own value.
    vars[key] = value ?? '';
    if (value !== undefined) keys.push(key);
  };
  put('WX_OPENID', id.openid);
  put('WX_APPID', id.appid);
  put('WX_UNIONID', id.unionid);
  vars.WX_CONTEXT_KEYS = keys.join(',');
  return vars;
}

/**
 * Runs `fn` as one invocation by `id`; everything it awaits sees that identity
 * and the function's configured environment variables (`functionEnv`).
 */
export function runAs<T>(id: CallIdentity, fn: () => Promise<T>, functionEnv: Record<string, string> = {}): Promise<T> {
  install();
  return overlay.run(contextVars(id, functionEnv), fn);
}
