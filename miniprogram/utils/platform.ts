/**
 * Platform quirks and device-level helpers, each with why it exists.
 */
import { config } from '../config';

export type Backend = 'cloud' | 'local';

/**
 * Whether the app runs in the WeChat DevTools simulator.
 *
 * Background: a development build (开发版) runs both in DevTools and on a
 * phone (预览 QR, 真机调试); only the simulator shares the computer's
 * 127.0.0.1. getDeviceInfo (base library 2.20.1+) replaces the deprecated
 * getSystemInfoSync; both report platform 'devtools' in the simulator and
 * 'ios' / 'android' / 'windows' / 'mac' / 'ohos' elsewhere. Reproduce: preview
 * a build with useLocalCloud on a phone — every call to 127.0.0.1 fails.
 * https://developers.weixin.qq.com/miniprogram/dev/api/base/system/wx.getDeviceInfo.html
 */
export function runsInDevtools(): boolean {
  try {
    const info = typeof wx.getDeviceInfo === 'function' ? wx.getDeviceInfo() : wx.getSystemInfoSync();
    return info.platform === 'devtools';
  } catch {
    return false;
  }
}

/**
 * The local cloud's bridge URL this build can reach, or '' when it should use
 * wx.cloud. Trial and release builds always use the cloud; a development build
 * uses the local cloud in the simulator, or on a phone when a LAN address is
 * configured, and otherwise the cloud environment.
 */
export function localCloudUrl(): string {
  if (!config.useLocalCloud) return '';
  if (wx.getAccountInfoSync().miniProgram.envVersion !== 'develop') return '';
  if (runsInDevtools()) return config.localBaseUrl;
  return config.localLanUrl;
}

export function backend(): Backend {
  return localCloudUrl() ? 'local' : 'cloud';
}

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

/** The part of an UploadTask the app uses. */
export interface TaskLike {
  abort(): void;
  onProgressUpdate(listener: (res: WechatMiniprogram.UploadTaskOnProgressUpdateListenerResult) => void): void;
}

/**
 * The UploadTask wx.cloud.uploadFile returned, or undefined when it gave none.
 *
 * Background: uploadFile is documented to return an UploadTask when called
 * with callbacks, but some clients are reported to return a Promise (the
 * promisified form) instead; calling onProgressUpdate on it would throw and
 * lose an upload that succeeds. Then there is no progress and no abort, and
 * the Promise's outcome counts as well as the callbacks' (whichever comes
 * first; settling twice is harmless). Reproduce: replace wx.cloud.uploadFile
 * with its Promise form.
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-client-api/storage/uploadFile.html
 */
export function asUploadTask(returned: unknown, onFileId: (fileID: string | undefined) => void, onFail: () => void): TaskLike | undefined {
  const r = returned as Partial<TaskLike & PromiseLike<{ fileID?: string }>> | undefined;
  if (r && typeof r.onProgressUpdate === 'function' && typeof r.abort === 'function') return r as TaskLike;
  if (r && typeof r.then === 'function') r.then((res) => onFileId(res?.fileID), onFail);
  return undefined;
}

/**
 * wx.chooseMessageFile's `type` for pictures sent in chats.
 *
 * Background: type 'file' offers only files other than pictures and videos,
 * so a photo a colleague sent to the group or to 文件传输助手 cannot be picked
 * with it; 'image' offers exactly the chat's pictures ('all' would mix them
 * with documents and videos). Reproduce: send a photo to 文件传输助手, then
 * choose a chat file with type 'file' — the photo is not listed.
 * https://developers.weixin.qq.com/miniprogram/dev/api/media/image/wx.chooseMessageFile.html
 */
export const CHAT_PICTURES = 'image' as const;

/**
 * A picker refused because the person has not agreed to the privacy guide.
 *
 * Background: since 2023 privacy-relevant APIs (wx.chooseMedia,
 * wx.chooseMessageFile, the clipboard…) first raise
 * wx.onNeedPrivacyAuthorization; when the person declines (resolve with
 * event 'disagree') the API fails with "<api>:fail privacy permission is not
 * authorized" (errno 104 on recent clients). Reproduce: 清除授权数据 in
 * DevTools, pick a photo and press 拒绝.
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/privacy/wx.onNeedPrivacyAuthorization.html
 */
export function isPrivacyRefused(err: unknown): boolean {
  const e = err as { errMsg?: string; errno?: number } | undefined;
  return e?.errno === 104 || /privacy permission is not authorized/i.test(e?.errMsg ?? '');
}

/** How the privacy popup answers the platform. */
export type PrivacyAnswer = { event: 'agree'; buttonId: string } | { event: 'disagree' } | { event: 'exposureAuthorization' };
export type PrivacyResolve = (answer: PrivacyAnswer) => void;

/**
 * Shows our privacy popup whenever a privacy-relevant API needs consent.
 *
 * Background: the platform pauses such a call (wx.chooseMedia,
 * wx.chooseMessageFile…) and raises wx.onNeedPrivacyAuthorization; the call
 * goes on only after resolve({event:'agree', buttonId}) where buttonId is a
 * `<button open-type="agreePrivacyAuthorization">` the person tapped, and
 * fails after resolve({event:'disagree'}). Only the latest listener is kept,
 * so each page with a picker registers on show. Base libraries before 2.32.3
 * lack the API (the platform then shows nothing and lets the call through).
 * miniprogram-api-typings types the listener's argument wrongly: typed here.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html
 */
export function onNeedPrivacy(listener: (resolve: PrivacyResolve) => void): void {
  const api = (wx as unknown as { onNeedPrivacyAuthorization?: (l: (resolve: PrivacyResolve) => void) => void }).onNeedPrivacyAuthorization;
  if (typeof api === 'function') api.call(wx, listener);
}

/**
 * Enables 转发 on the current page, with a shareTicket.
 *
 * Background: a page without onShareAppMessage cannot be forwarded at all
 * (the menu's 转发 is greyed out), and a card forwarded without a
 * shareTicket yields no group when opened: wx.getGroupEnterInfo then fails
 * and binding cannot use the group as proof. withShareTicket must be set
 * before the person forwards, so pages call this on load. `menus` is honoured
 * on Android only; iOS shows 转发 anyway once onShareAppMessage exists.
 * https://developers.weixin.qq.com/miniprogram/dev/api/share/wx.showShareMenu.html
 */
export function enableGroupShare(): void {
  if (typeof wx.showShareMenu !== 'function') return;
  // With a callback no Promise is returned (older clients return nothing to catch).
  wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'], fail: () => undefined });
}
