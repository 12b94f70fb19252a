/**
 * Platform quirks and device-level helpers, each with why it exists.
 */
import { backend, config } from '../config';

const LOCAL_OPENID_KEY = 'local-openid';

/**
 * Identity on the local cloud. There is no WeChat login behind the local
 * bridge, so each device invents a stable id once (or uses the one set in
 * config.ts) and sends it in a header only the local cloud reads.
 */
export function localOpenid(): string {
  if (config.localOpenid) return config.localOpenid;
  let id = wx.getStorageSync(LOCAL_OPENID_KEY) as string;
  if (!id) {
    id = `o-local-${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36)}`;
    wx.setStorageSync(LOCAL_OPENID_KEY, id);
  }
  return id;
}

/**
 * The cloudID proving the group the app was opened from, or undefined.
 *
 * Background: only a launch from a group chat's mini program card carries a
 * group; elsewhere wx.getGroupEnterInfo fails (errno 40097 "not opened from a
 * group"), and base libraries before 2.17.3 and some PC clients lack it.
 * Reproduce: open the app from 发现 → 小程序 and call it — the fail callback
 * runs. The cloud function turns the cloudID into `{opengid}`; the phone
 * never learns the group id itself.
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/group/wx.getGroupEnterInfo.html
 */
export function groupEnterCloudId(): Promise<string | undefined> {
  if (typeof wx.getGroupEnterInfo !== 'function') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    try {
      wx.getGroupEnterInfo({
        success: (res) => resolve(res.cloudID || undefined),
        fail: () => resolve(undefined),
      });
    } catch {
      resolve(undefined);
    }
  });
}

/**
 * Whether `<image src="cloud://…">` can show an uploaded photo.
 *
 * Background: the image component resolves cloud:// fileIDs only through
 * wx.cloud; against the local cloud (DevTools + `npm start`) there is no
 * wx.cloud env, so thumbnails would be broken boxes. Reproduce: run the
 * 开发版 with useLocalCloud and open a task with photos. Pages show counts
 * instead.
 */
export function canShowCloudImages(): boolean {
  return backend() === 'cloud';
}

/**
 * A user-cancelled picker is not an error.
 *
 * Background: wx.chooseMedia / wx.chooseMessageFile call `fail` with
 * errMsg "…:fail cancel" when the person backs out (Android adds
 * "fail:cancel" without a space on some versions). Reproduce: open the
 * picker and press back.
 */
export function isCancel(err: unknown): boolean {
  const msg = (err as { errMsg?: string } | undefined)?.errMsg ?? '';
  return /fail[ :]?cancel/i.test(msg);
}

/**
 * The values to set, in order, on a textarea's `value` when the page
 * replaces what the person typed.
 *
 * Background: the report form does not echo each keystroke back into
 * `value` (a setData round trip can land after newer keystrokes and move
 * the caret or drop characters on slower Android phones), so `value` in
 * data goes stale. Setting it to a string equal to the stale one is no
 * change for the component, and the typed text would stay on screen.
 * Reproduce: restore a draft "A", type "B", then 引用上次报送 whose text is "A".
 */
export function textareaReplacement(stale: string, typed: string, next: string): string[] {
  return next === stale && typed !== stale ? [typed, next] : [next];
}
