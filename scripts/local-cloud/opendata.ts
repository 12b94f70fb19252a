/**
 * Local stand-in for CloudID open data: `cloud.getOpenData({ list })`.
 *
 * On the platform a CloudID (e.g. from `wx.getGroupEnterInfo` when the mini program is
 * opened from a group card) is an opaque ticket that only WeChat can resolve, only for
 * the user it was issued to, and only for a while. Locally, `issueGroupCloudId` plays the
 * WeChat client's part (the HTTP bridge exposes it as `POST /local/group-cloudid`) and
 * `handle` answers the SDK's request the way the platform does:
 *
 * - the SDK sends `wx.openApi` with apiName `ApiGetOpenDataByCloudId` and a protobuf
 *   `CommApiData` whose `svrkitData.reqData` is an `ApiGetOpenDataByCloudIdReq`;
 * - the answer is a `CommOpenApiResp` whose `respData` is an `ApiGetOpenDataByCloudIdResp`:
 *   one item per CloudID, `json` = `{"cloudID": …, "data": {"opengid": …, "watermark": …}}`
 *   (wx.getGroupEnterInfo's documented payload; wx.getShareInfo's says `openGId`).
 *
 * WeChat does not document how it answers a CloudID it cannot resolve. Here such an item's
 * `json` carries `{cloudID, errCode, errMsg}` and no `data` (local codes below), so a
 * caller must treat any item without the field it needs as unusable.
 *
 * Issued CloudIDs are kept in `<dir>/cloudids.json` (atomically replaced) so they survive a
 * restart, like tickets a phone still holds.
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { wxProtobuf } from './protobuf';
import type { SdkHandler } from './sdk-seam';

/** The svrkit API name wx-server-sdk's getOpenData calls. */
export const GET_OPEN_DATA_API = 'ApiGetOpenDataByCloudId';
/**
 * A group CloudID from wx.getGroupEnterInfo is usable for about 5 minutes on the
 * platform (not in the API reference; reported by developers): refuse after that here
 * too, so a client that fetches it early fails locally as it would on a phone.
 */
export const DEFAULT_CLOUD_ID_TTL_MS = 5 * 60 * 1000;
/** Expired tickets are remembered this long (so "expired" stays distinguishable from "unknown"). */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
const PREFIX = 'local_';

/** Local per-item error codes (not WeChat's: it documents none for this case). */
export const OPEN_DATA_ERRORS = {
  unknown: { errCode: -604300, errMsg: 'invalid cloudID' },
  expired: { errCode: -604301, errMsg: 'cloudID expired' },
  notYours: { errCode: -604302, errMsg: 'cloudID does not belong to the calling user' },
} as const;

interface Issued {
  openid: string;
  data: Record<string, unknown>;
  issuedAt: number;
  expiresAt: number;
}

export interface OpenDataBackendOptions {
  dir: string;
  /** Goes into the watermark, as on the platform. */
  appid: string;
  now?: () => Date;
  ttlMs?: number;
}

export interface OpenDataBackend {
  /** What the WeChat client does when a user opens the mini program from a group card. */
  issueGroupCloudId(openid: string, opengid: string, opts?: { ttlMs?: number }): string;
  /** Answers the SDK's `wx.openApi` ApiGetOpenDataByCloudId request for the calling `openid`. */
  handle(params: Parameters<SdkHandler>[0], openid: string | undefined): Promise<unknown>;
}

const SVRKIT_API = 2;

/** The CloudIDs a getOpenData request asks about, or undefined when it is not one. */
export function decodeGetOpenDataRequest(buffer: Uint8Array): string[] | undefined {
  const { CommApiData, ApiGetOpenDataByCloudIdReq: Req } = wxProtobuf();
  const message = CommApiData.toObject(CommApiData.decode(buffer), { defaults: true }) as {
    apiType: number;
    svrkitData?: { apiName: string; reqData: Uint8Array };
  };
  if (message.apiType !== SVRKIT_API || message.svrkitData?.apiName !== GET_OPEN_DATA_API) return undefined;
  const req = Req.toObject(Req.decode(message.svrkitData.reqData), { defaults: true }) as { cloudidList: string[] };
  return req.cloudidList;
}

function encodeResponse(items: { cloudId: string; json: string }[] | null): Buffer {
  const { ApiGetOpenDataByCloudIdResp: Resp, CommOpenApiResp } = wxProtobuf();
  const message = CommOpenApiResp.create(
    items === null
      ? // A request we cannot read: the SDK reports "internal svrkit error".
        { contentType: 'application/octet-stream', errorCode: 0, httpCode: 200, svrkitErrorCode: -1 }
      : {
          respData: Resp.encode(Resp.create({ dataList: items })).finish(),
          contentType: 'application/octet-stream',
          errorCode: 0,
          httpCode: 200,
          svrkitErrorCode: 0,
        },
  );
  return Buffer.from(CommOpenApiResp.encode(message).finish());
}

// ---- backend ----------------------------------------------------------------------------

export function createOpenDataBackend(opts: OpenDataBackendOptions): OpenDataBackend {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'cloudids.json');
  const now = opts.now ?? (() => new Date());
  const defaultTtl = opts.ttlMs ?? DEFAULT_CLOUD_ID_TTL_MS;
  const issued = load();

  function load(): Map<string, Issued> {
    try {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Issued>;
      return new Map(Object.entries(raw));
    } catch {
      return new Map();
    }
  }

  function save(): void {
    const t = now().getTime();
    for (const [id, entry] of issued) if (entry.expiresAt + FORGET_AFTER_MS < t) issued.delete(id);
    const tmp = `${file}.${crypto.randomUUID()}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(Object.fromEntries(issued)));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }

  function resolve(cloudId: string, openid: string | undefined): Record<string, unknown> {
    const entry = issued.get(cloudId);
    if (!entry) return { cloudID: cloudId, ...OPEN_DATA_ERRORS.unknown };
    if (!openid || entry.openid !== openid) return { cloudID: cloudId, ...OPEN_DATA_ERRORS.notYours };
    if (now().getTime() >= entry.expiresAt) return { cloudID: cloudId, ...OPEN_DATA_ERRORS.expired };
    return {
      cloudID: cloudId,
      data: { ...entry.data, watermark: { appid: opts.appid, timestamp: Math.floor(now().getTime() / 1000) } },
    };
  }

  return {
    issueGroupCloudId(openid, opengid, issueOpts = {}) {
      if (!openid) throw new Error('issueGroupCloudId: an openid is required (a CloudID belongs to one user)');
      if (!opengid) throw new Error('issueGroupCloudId: an opengid is required');
      const ttl = issueOpts.ttlMs ?? defaultTtl;
      const id = PREFIX + crypto.randomBytes(24).toString('base64url');
      const t = now().getTime();
      issued.set(id, { openid, data: { opengid }, issuedAt: t, expiresAt: t + ttl });
      save();
      return id;
    },

    handle(params, openid) {
      const requestData = params.requestData;
      let list: string[] | undefined;
      try {
        // isView, not instanceof: under jest the Buffer may come from another realm.
        if (!ArrayBuffer.isView(requestData)) throw new Error('requestData is not a buffer');
        list = decodeGetOpenDataRequest(new Uint8Array(requestData.buffer, requestData.byteOffset, requestData.byteLength));
      } catch {
        list = undefined;
      }
      if (!list) return Promise.resolve(encodeResponse(null));
      const items = list.map((cloudId) => ({ cloudId, json: JSON.stringify(resolve(cloudId, openid)) }));
      return Promise.resolve(encodeResponse(items));
    },
  };
}
