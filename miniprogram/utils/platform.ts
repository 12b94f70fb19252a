/**
 * Platform quirks and device-level helpers, each with why it exists.
 */
import { config } from '../config';

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
