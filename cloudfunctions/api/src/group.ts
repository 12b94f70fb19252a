/**
 * The 政务公开 WeChat group, proven server-side.
 *
 * When the mini program is opened from a card in a group, wx.getGroupEnterInfo
 * gives the client a CloudID. The client passes that raw string; only the
 * platform can resolve it (for the user it was issued to) through
 * cloud.getOpenData. An opengid sent in an event is never trusted.
 */
import { cloud, db, first } from '../../common/cloud';
import { invalid } from '../../common/envelope';
import type { SettingsGroupDoc } from '../../common/records';
import { C } from '../../common/schema';
import { string } from '../../common/validate';

export const GROUP_SETTINGS_ID = 'group';

/** Also what an expired CloudID gets: the platform does not say which failure it was. */
export const GROUP_ENTRY_MESSAGE =
  '无法确认您是从政务公开工作群进入的。工作群中的小程序卡片点开后几分钟内有效：请回到工作群，重新点开卡片后再试';

/** A CloudID as the client got it: opaque, no whitespace. */
export const groupCloudIdInput = string({ max: 1024, pattern: /^\S+$/, patternMessage: GROUP_ENTRY_MESSAGE });

/**
 * The group id in one decrypted getOpenData item: `{cloudID, data: {opengid}}`
 * for wx.getGroupEnterInfo (as documented), `{openGId}` for wx.getShareInfo.
 * Anything else (an error item, another kind of open data) yields undefined.
 */
export function opengidOf(item: unknown): string | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const data = (item as { data?: unknown }).data;
  if (!data || typeof data !== 'object') return undefined;
  const { opengid, openGId } = data as { opengid?: unknown; openGId?: unknown };
  const id = typeof opengid === 'string' ? opengid : openGId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Resolves a group CloudID for the calling user. Not opened from a group,
 * another user's, expired or made-up CloudIDs all fail on `field` with a
 * message telling the user what to do.
 */
export async function opengidFromCloudId(cloudId: string, field = 'groupCloudId'): Promise<string> {
  let item: unknown;
  try {
    const res = (await cloud.getOpenData({ list: [cloudId] })) as unknown as { list?: unknown[] };
    item = res.list?.[0];
  } catch (err) {
    // Only the SDK's code: the CloudID itself is a credential and stays out of logs.
    const code = err && typeof err === 'object' ? (err as { errCode?: unknown }).errCode : undefined;
    console.warn(`[group] getOpenData failed: ${String(code ?? 'unknown')}`);
    throw invalid(field, GROUP_ENTRY_MESSAGE);
  }
  const opengid = opengidOf(item);
  if (!opengid) throw invalid(field, GROUP_ENTRY_MESSAGE);
  return opengid;
}

export async function registeredGroup(): Promise<SettingsGroupDoc | undefined> {
  return first<SettingsGroupDoc>(db.collection(C.settings).where({ _id: GROUP_SETTINGS_ID }).limit(1));
}
