/**
 * Where the app sends its calls.
 *
 * - `cloudEnv`: the 云开发 environment id used by trial and release builds.
 * - `useLocalCloud`: in a development build (WeChat DevTools, 开发版), call the
 *   local cloud from `npm start` over HTTP instead of wx.cloud, so the app
 *   runs without a cloud environment. Trial and release builds always use
 *   wx.cloud, whatever this says.
 * - `localBaseUrl`: the bridge URL `npm start` prints. DevTools must have
 *   「不校验合法域名」 ticked for http://127.0.0.1.
 * - `localOpenid`: who you are on the local cloud. Empty means "a new person
 *   on this device"; `o-local-office-admin` is the seeded office admin.
 */
export const config = {
  cloudEnv: '',
  useLocalCloud: true,
  localBaseUrl: 'http://127.0.0.1:3900',
  localOpenid: '',
};

export type Backend = 'cloud' | 'local';

export function backend(): Backend {
  const { envVersion } = wx.getAccountInfoSync().miniProgram;
  return envVersion === 'develop' && config.useLocalCloud ? 'local' : 'cloud';
}
