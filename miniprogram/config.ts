/**
 * Where the app sends its calls (which build talks to which backend is
 * decided by `backend()` in utils/platform.ts).
 *
 * - `cloudEnv`: the 云开发 environment id used by trial and release builds,
 *   and by development builds on a phone without `localLanUrl`.
 * - `useLocalCloud`: in a development build (开发版), call the local cloud
 *   from `npm start` over HTTP instead of wx.cloud, so the app runs without
 *   a cloud environment. Trial and release builds always use wx.cloud,
 *   whatever this says.
 * - `localBaseUrl`: the bridge URL `npm start` prints, used in the DevTools
 *   simulator (「不校验合法域名」 ticked). On a phone 127.0.0.1 is the phone.
 * - `localLanUrl`: the same bridge at the computer's LAN address (e.g.
 *   `http://192.168.1.20:3900`, started with `--host 0.0.0.0`). Set it to
 *   let a development build on a phone (预览 / 真机调试) use the local
 *   cloud; empty means such a build uses the cloud environment.
 * - `localOpenid`: who you are on the local cloud. Empty means "a new person
 *   on this device"; `o-local-office-admin` is the seeded office admin.
 */
export const config = {
  cloudEnv: '',
  useLocalCloud: true,
  localBaseUrl: 'http://127.0.0.1:3900',
  localLanUrl: '',
  localOpenid: '',
};
