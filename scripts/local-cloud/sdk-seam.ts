/**
 * The one place where the local cloud meets the real wx-server-sdk.
 *
 * Every request the SDK makes to Tencent CloudBase (database, storage, open API)
 * goes through `@cloudbase/node-sdk/dist/utils/tcbapirequester.js#request`
 * (the database via `TcbDBApiHttpRequester.send`, which calls it too). Replacing
 * that exported function lets the unchanged SDK, and so the unchanged cloud
 * functions, run against local backends. The SDK's own query building,
 * serialisation (canonical EJSON) and response parsing stay in play.
 */
import path from 'path';

export interface SdkRequestArgs {
  params: Record<string, unknown> & { action: string };
  method?: string;
  headers?: Record<string, string>;
  opts?: Record<string, unknown>;
  isFormData?: boolean;
}

/** Answers one SDK request; returns what CloudBase's HTTP API would have returned. */
export type SdkHandler = (params: SdkRequestArgs['params'], args: SdkRequestArgs) => Promise<unknown>;

interface RequesterModule {
  request: (args: SdkRequestArgs) => Promise<unknown>;
}
interface UtilsModule {
  processReturn: (result: unknown) => unknown;
}

// Resolve from wx-server-sdk's folder so we patch the very module instances it uses.
function nodeSdkModule<T>(subpath: string): T {
  const sdkDir = path.dirname(require.resolve('wx-server-sdk'));
  return require(require.resolve(`@cloudbase/node-sdk/dist/${subpath}`, { paths: [sdkDir] })) as T;
}
const requesterModule = () => nodeSdkModule<RequesterModule>('utils/tcbapirequester');

let original: RequesterModule['request'] | undefined;
const handlers = new Map<string, SdkHandler>();

/**
 * Routes SDK actions by prefix ("database.", "storage.", "wx.") to handlers.
 * An action no handler claims fails loudly rather than reaching the network.
 */
export function installSdkSeam(routes: Record<string, SdkHandler>): () => void {
  // Offline the SDK still signs requests; without credentials it raises an
  // unhandled rejection that kills Node 20. Dummy values are never sent anywhere.
  process.env.TENCENTCLOUD_SECRETID ??= 'local-cloud';
  process.env.TENCENTCLOUD_SECRETKEY ??= 'local-cloud';
  for (const [prefix, handler] of Object.entries(routes)) handlers.set(prefix, handler);
  const mod = requesterModule();
  const { processReturn } = nodeSdkModule<UtilsModule>('utils/utils');
  if (!original) {
    original = mod.request;
    mod.request = async (args: SdkRequestArgs) => {
      const action = String(args.params.action);
      let result: unknown = { code: 'LOCAL_UNSUPPORTED_ACTION', message: `local cloud does not implement ${action}` };
      for (const [prefix, handler] of handlers) {
        if (action.startsWith(prefix)) {
          result = await handler(args.params, args);
          break;
        }
      }
      // As the real `request` does: an answer carrying `code` becomes the SDK's error.
      if (result && typeof result === 'object' && (result as { code?: unknown }).code) return processReturn(result);
      return result;
    };
  }
  return () => {
    for (const prefix of Object.keys(routes)) handlers.delete(prefix);
    if (handlers.size === 0 && original) {
      requesterModule().request = original;
      original = undefined;
    }
  };
}
