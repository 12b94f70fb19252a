/**
 * The one place that owns the mini program globals in page tests.
 *
 * miniprogram-simulate has no wx.cloud: ours hands each callFunction to the
 * real cloud function running in-process on a TestCloud, as the person set
 * with `actAs`. Uploads really land in that TestCloud's storage: through the
 * storage's client upload signature and an HTTP PUT (cloud mode), or a
 * multipart POST to `/storage/upload` (local mode), both served by the local
 * cloud's HTTP bridge and judged by the storage security rule as that person;
 * wx.cloud.downloadFile / getTempFileURL are judged the same way. Pickers, dialogs, navigation and storage are stubs
 * whose answers a test queues in `wxState` and whose effects it reads there.
 * Must be imported before miniprogram-simulate, whose own `wx` merges under
 * these stubs.
 */
import crypto from 'crypto';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { ActionName, ActionRequest, ActionResponse, ApiResult, SubscribeResult } from '../../miniprogram/shared/api';
import { createBridge, listen } from '../../scripts/local-cloud/server';
import type { LocalCloud } from '../../scripts/local-cloud/runtime';
import { ADMIN, okData, type TestCloud } from './local-cloud';
import { picture } from './journey';

export const MINIPROGRAM = path.resolve(__dirname, '..', '..', 'miniprogram');

export interface PickedFileStub {
  path: string;
  name: string;
}

interface WxStubState {
  openid: string | undefined;
  cloud: TestCloud | undefined;
  /** 'release' → the app uses wx.cloud; 'develop' → the local cloud over HTTP in DevTools (see `platform`). */
  envVersion: 'release' | 'trial' | 'develop';
  navigations: string[];
  redirects: string[];
  relaunches: string[];
  backs: number;
  toasts: string[];
  /** Persists across openPage calls, like a phone's storage across app restarts. */
  storage: Map<string, unknown>;
  /** Each wx.chooseMedia call takes the next list of temp paths; none queued = the person cancels. */
  media: string[][];
  /** Each wx.chooseMessageFile call takes the next list; none queued = cancel. */
  messageFiles: PickedFileStub[][];
  pickerCalls: { api: 'chooseMedia' | 'chooseMessageFile'; options: Record<string, unknown> }[];
  /** What wx.getGroupEnterInfo gives (opened from a group card), or undefined (it fails). */
  groupCloudId: string | undefined;
  /**
   * Opened from a card in group `opengid` at `openedAt` (ms): each wx.getGroupEnterInfo
   * then gets a CloudID from the TestCloud for the person acting, usable until 5
   * minutes after the card was opened (the pessimistic reading of the platform's
   * ~5-minute validity). Wins over `groupCloudId`.
   */
  groupEnter: { opengid: string; openedAt: number } | undefined;
  /** When each wx.getGroupEnterInfo call happened (ms). */
  groupEnterCalls: number[];
  /** What wx.getDeviceInfo reports: 'devtools' in the simulator, else a phone. */
  platform: 'devtools' | 'ios' | 'android';
  /** Whether the person has agreed to the privacy guide (privacy-relevant APIs pass). */
  privacyAgreed: boolean;
  /** The APIs that raised wx.onNeedPrivacyAuthorization, in order. */
  privacyPrompts: string[];
  /** Every wx.showShareMenu call's options. */
  shareMenus: Record<string, unknown>[];
  /** wx.cloud.uploadFile returns a Promise instead of an UploadTask (reported on some clients). */
  uploadReturnsPromise: boolean;
  /** The answer per template to the next wx.requestSubscribeMessage, or 'fail'. */
  subscribeAnswer: Record<string, SubscribeResult> | 'fail';
  subscribeRequests: string[][];
  /** wx.showModal answers confirm with this. */
  modalConfirm: boolean;
  modals: string[];
  clipboard: string;
  previews: string[][];
  /** Every upload the app started: where to and with what progress it was told. */
  uploads: { cloudPath: string; filePath: string; progress: number[]; ok: boolean }[];
  /** Fail the next N uploads before any byte is sent (a dropped connection on the phone). */
  failUploads: number;
  /**
   * A slow uplink a test can watch without racing it: an upload whose file this returns true for stops
   * after each chunk until it returns false (set it back to release). The tiles show the progress meanwhile.
   */
  uploadHold: (filePath: string) => boolean;
  /** URLs wx.downloadFile fetched (over the local cloud's HTTP bridge). */
  downloads: string[];
  /** fileIDs wx.cloud.downloadFile was asked for. */
  cloudDownloads: string[];
  /** Files wx.openDocument opened, with the bytes the reader would show. */
  documents: { filePath: string; fileType: string | undefined; bytes: Buffer }[];
}

const fresh = (): Omit<WxStubState, 'storage' | 'openid' | 'cloud'> => ({
  envVersion: 'release',
  navigations: [],
  redirects: [],
  relaunches: [],
  backs: 0,
  toasts: [],
  media: [],
  messageFiles: [],
  pickerCalls: [],
  groupCloudId: undefined,
  groupEnter: undefined,
  groupEnterCalls: [],
  platform: 'devtools',
  privacyAgreed: true,
  privacyPrompts: [],
  shareMenus: [],
  uploadReturnsPromise: false,
  subscribeAnswer: {},
  subscribeRequests: [],
  modalConfirm: true,
  modals: [],
  clipboard: '',
  previews: [],
  uploads: [],
  failUploads: 0,
  uploadHold: () => false,
  downloads: [],
  cloudDownloads: [],
  documents: [],
});

export const wxState: WxStubState = { openid: undefined, cloud: undefined, storage: new Map(), ...fresh() };

/** Points the stubs at a TestCloud as `openid`; clears what earlier tests queued or recorded (not storage). */
export function useCloud(cloud: TestCloud, openid: string): void {
  Object.assign(wxState, fresh());
  wxState.cloud = cloud;
  wxState.openid = openid;
}

export const actAs = (openid: string) => {
  wxState.openid = openid;
};

/** A phone wiped: drafts, the local identity… */
export function clearStorage(): void {
  wxState.storage.clear();
}

// ---- the local cloud's HTTP bridge, one per TestCloud in use -------------------------------

let bridge: { cloud: LocalCloud; server: http.Server; origin: Promise<string> } | undefined;

function bridgeOrigin(): Promise<string> {
  const cloud = wxState.cloud?.cloud;
  if (!cloud) return Promise.reject(new Error('no TestCloud: call useCloud() in the test'));
  if (bridge?.cloud !== cloud) {
    closeBridge();
    const server = createBridge(cloud);
    bridge = { cloud, server, origin: listen(server, 0) };
  }
  return bridge.origin;
}

function closeBridge(): void {
  if (!bridge) return;
  bridge.server.closeAllConnections();
  bridge.server.close();
  bridge = undefined;
}
afterAll(closeBridge);

interface HttpAnswer {
  status: number;
  /** Raw bytes: a downloaded workbook or picture must reach the reader unchanged. */
  body: Buffer;
}

/** Sends `body` in a few chunks, telling `onSent` after each and going on once `held` says so, like an upload on a slow link. */
function send(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body: Buffer,
  onSent?: (sent: number) => void,
  held: () => boolean = () => false,
) {
  let req: http.ClientRequest | undefined;
  const answer = new Promise<HttpAnswer>((resolve, reject) => {
    const u = new URL(url);
    req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method,
      headers: { ...headers, 'content-length': body.length },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const step = Math.max(1, Math.ceil(body.length / 4));
    let sent = 0;
    const next = () => {
      if (!req || req.destroyed) return;
      if (sent >= body.length) {
        req.end();
        return;
      }
      const chunk = body.subarray(sent, sent + step);
      sent += chunk.length;
      const resume = () => {
        if (req?.destroyed) return;
        if (held()) setTimeout(resume, 5);
        else next();
      };
      req.write(chunk, () => {
        onSent?.(sent);
        setTimeout(resume, 0);
      });
    };
    next();
  });
  return { answer, abort: () => req?.destroy(new Error('aborted')) };
}

/** Platform callbacks come on a later turn. (jsdom's environment has no setImmediate.) */
const later = (fn: () => void) => setTimeout(fn, 0);

type ProgressListener = (p: { progress: number; totalBytesSent: number; totalBytesExpectedToSend: number }) => void;

/** An UploadTask whose work is `run`; success/fail as the platform calls them. */
function uploadTask(
  cloudPath: string,
  filePath: string,
  run: (
    onSent: (sent: number, total: number) => void,
    setAbort: (abort: () => void) => void,
  ) => Promise<{ statusCode: number; data: unknown }>,
  callbacks: { success?: (res: Record<string, unknown>) => void; fail?: (err: { errMsg: string }) => void },
  api: string,
) {
  const listeners: ProgressListener[] = [];
  const record = { cloudPath, filePath, progress: [] as number[], ok: false };
  wxState.uploads.push(record);
  let aborted = false;
  let abortIo = () => undefined as void;
  const onSent = (sent: number, total: number) => {
    const progress = Math.round((sent / total) * 100);
    record.progress.push(progress);
    for (const l of listeners) l({ progress, totalBytesSent: sent, totalBytesExpectedToSend: total });
  };
  // Like the platform: the task is returned first, the work starts right after.
  later(() => {
    const failNow = wxState.failUploads > 0;
    if (failNow) wxState.failUploads -= 1;
    (failNow ? Promise.reject(new Error('network down (stub)')) : run(onSent, (a) => (abortIo = a))).then(
      (res) => {
        if (aborted) return;
        record.ok = true;
        callbacks.success?.({ ...res, errMsg: `${api}:ok` });
      },
      (err: unknown) =>
        callbacks.fail?.({
          errMsg: `${api}:fail ${aborted ? 'abort' : err instanceof Error ? err.message : String(err)}`,
          ...(err instanceof WxCloudError && !aborted ? { errCode: err.errCode } : {}),
        }),
    );
  });
  return {
    onProgressUpdate: (l: ProgressListener) => listeners.push(l),
    offProgressUpdate: () => listeners.splice(0),
    onHeadersReceived: () => undefined,
    offHeadersReceived: () => undefined,
    abort: () => {
      aborted = true;
      abortIo();
    },
  };
}

/**
 * A wx.cloud failure as the client SDK reports it: the documented errCode of the storage
 * service's error (errcode reference: -503002 无权限访问云文件, -503003 文件不存在, …) and its code in errMsg.
 */
class WxCloudError extends Error {
  constructor(
    readonly errCode: number,
    message: string,
  ) {
    super(message);
  }
}

const STORAGE_ERR_CODES: Record<string, number> = {
  STORAGE_EXCEED_AUTHORITY: -503002,
  STORAGE_FILE_NONEXIST: -503003,
  INVALID_PARAM: -501007,
  SYS_ERR: -501001,
};

function storageError(code: string, message?: string): WxCloudError {
  return new WxCloudError(STORAGE_ERR_CODES[code] ?? -503001, message ? `${code}: ${message}` : code);
}

function storageClient() {
  const cloud = wxState.cloud?.cloud;
  if (!cloud) throw new Error('no TestCloud: call useCloud() in the test');
  return cloud.storage.client;
}

/** wx.cloud.uploadFile: the storage service's client upload signature (judged by the security rule as the caller), then the PUT COS would take. */
function cloudUpload(opts: {
  cloudPath: string;
  filePath: string;
  success?: (r: Record<string, unknown>) => void;
  fail?: (e: { errMsg: string }) => void;
}) {
  return uploadTask(
    opts.cloudPath,
    opts.filePath,
    async (onSent, setAbort) => {
      const signed = await storageClient().uploadUrl(opts.cloudPath, wxState.openid);
      if (!signed.ok) throw storageError(signed.code, signed.message);
      const origin = await bridgeOrigin();
      const bytes = fs.readFileSync(opts.filePath);
      // The signed URL names the bridge's configured origin; the bytes go to the running bridge.
      const put = send(
        origin + new URL(signed.url).pathname,
        'PUT',
        {},
        bytes,
        (sent) => onSent(sent, bytes.length),
        () => wxState.uploadHold(opts.filePath),
      );
      setAbort(put.abort);
      const res = await put.answer;
      // The rule is judged again when the bytes land: someone may have created the file meanwhile.
      if (res.status === 403) throw storageError('STORAGE_EXCEED_AUTHORITY', `COS answered ${res.status}`);
      if (res.status !== 200) throw new Error(`COS answered ${res.status}`);
      return { statusCode: 200, data: undefined, fileID: signed.fileID } as { statusCode: number; data: unknown };
    },
    {
      // wx.cloud.uploadFile's success carries fileID at the top level.
      success: (r) => opts.success?.({ fileID: (r as { fileID?: string }).fileID, statusCode: r.statusCode, errMsg: r.errMsg }),
      fail: opts.fail,
    },
    'cloud.uploadFile',
  );
}

/** wx.uploadFile to the local cloud's `/storage/upload` (multipart, as the platform sends it). */
function localUpload(opts: {
  url: string;
  filePath: string;
  name: string;
  formData?: Record<string, string>;
  header?: Record<string, string>;
  success?: (r: Record<string, unknown>) => void;
  fail?: (e: { errMsg: string }) => void;
}) {
  return uploadTask(
    opts.formData?.cloudPath ?? '',
    opts.filePath,
    async (onSent, setAbort) => {
      const origin = await bridgeOrigin();
      const boundary = `----wx${crypto.randomBytes(8).toString('hex')}`;
      const parts: Buffer[] = [];
      for (const [k, v] of Object.entries(opts.formData ?? {})) {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
      }
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${opts.name}"; filename="${path.basename(opts.filePath)}"\r\n\r\n`,
        ),
        fs.readFileSync(opts.filePath),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      );
      const body = Buffer.concat(parts);
      const post = send(
        origin + new URL(opts.url).pathname,
        'POST',
        { ...opts.header, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
        (sent) => onSent(sent, body.length),
        () => wxState.uploadHold(opts.filePath),
      );
      setAbort(post.abort);
      const res = await post.answer;
      return { statusCode: res.status, data: res.body.toString('utf8') };
    },
    { success: opts.success, fail: opts.fail },
    'uploadFile',
  );
}

type CloudCallbacks<R> = { success?: (r: R) => void; fail?: (e: unknown) => void; complete?: (r: unknown) => void };

/** A wx.cloud API's two styles: callbacks when any is given, else a Promise; results come on a later turn. */
function cloudApi<R>(api: string, opts: CloudCallbacks<R>, run: () => Promise<R>): Promise<R> | undefined {
  const settled = run().then(
    (r) => ({ ok: true as const, r: { ...r, errMsg: `${api}:ok` } }),
    (err: unknown) => ({
      ok: false as const,
      e: {
        errMsg: `${api}:fail ${err instanceof Error ? err.message : String(err)}`,
        ...(err instanceof WxCloudError ? { errCode: err.errCode } : {}),
      },
    }),
  );
  if (!opts.success && !opts.fail && !opts.complete) return settled.then((s) => (s.ok ? s.r : Promise.reject(s.e as unknown as Error)));
  void settled.then((s) =>
    later(() => {
      if (s.ok) opts.success?.(s.r);
      else opts.fail?.(s.e);
      opts.complete?.(s.ok ? s.r : s.e);
    }),
  );
  return undefined;
}

type TempFileRequest = string | { fileID: string; maxAge?: number };

/** Client temp links, each file judged by the security rule's `read` as the caller. */
async function clientTempLinks(fileList: TempFileRequest[]) {
  const asked = fileList.map((f) => (typeof f === 'string' ? { fileID: f } : f));
  const answer = await storageClient().tempFileURLs(asked, wxState.openid);
  if (!Array.isArray(answer)) throw storageError(answer.code, answer.message);
  return answer;
}

/** wx.cloud.getTempFileURL: per file `status` 0 and a link, or the storage error's errCode and code. */
function cloudTempFileURL(opts: { fileList: TempFileRequest[] } & CloudCallbacks<{ fileList: unknown[] }>) {
  return cloudApi('cloud.getTempFileURL', opts, async () => {
    const links = await clientTempLinks(opts.fileList);
    return {
      fileList: links.map((l) =>
        l.code === 'SUCCESS'
          ? { fileID: l.fileID, tempFileURL: l.tempFileURL, maxAge: l.maxAge, status: 0, errMsg: 'ok' }
          : { fileID: l.fileID, tempFileURL: '', status: STORAGE_ERR_CODES[l.code] ?? -503001, errMsg: l.code },
      ),
    };
  });
}

/** wx.cloud.downloadFile: a client temp link (judged by the rule as the caller), then the GET from COS. */
function cloudDownload(opts: { fileID: string } & CloudCallbacks<{ tempFilePath: string; statusCode: number }>) {
  wxState.cloudDownloads.push(opts.fileID);
  return cloudApi('cloud.downloadFile', opts, async () => {
    const [link] = await clientTempLinks([opts.fileID]);
    if (!link) throw storageError('SYS_ERR');
    if (link.code !== 'SUCCESS') throw storageError(link.code, link.message);
    const u = new URL(link.tempFileURL);
    const res = await send((await bridgeOrigin()) + u.pathname + u.search, 'GET', {}, Buffer.alloc(0)).answer;
    if (res.status !== 200) throw storageError(res.status === 404 ? 'STORAGE_FILE_NONEXIST' : 'SYS_ERR', `COS answered ${res.status}`);
    return { tempFilePath: tempFile('cloud-download', res.body), statusCode: 200 };
  });
}

/** wx.request to the local cloud (`/call/api`), over the real HTTP bridge. */
function localRequest(opts: {
  url: string;
  method?: string;
  data?: unknown;
  header?: Record<string, string>;
  success?: (r: { statusCode: number; data: unknown }) => void;
  fail?: (e: { errMsg: string }) => void;
}) {
  bridgeOrigin()
    .then((origin) => {
      const body = Buffer.from(JSON.stringify(opts.data ?? {}));
      return send(origin + new URL(opts.url).pathname, opts.method ?? 'GET', { ...opts.header }, body).answer;
    })
    .then(
      (res) => opts.success?.({ statusCode: res.status, data: JSON.parse(res.body.toString('utf8')) as unknown }),
      (err: unknown) => opts.fail?.({ errMsg: `request:fail ${String(err)}` }),
    );
}

const cancel = (api: string) => ({ errMsg: `${api}:fail cancel` });

/** A group CloudID is usable this long after the card was opened (see groupEnter). */
export const GROUP_CLOUD_ID_MS = 5 * 60 * 1000;

type PrivacyAnswer = { event: string; buttonId?: string };
let privacyListener: ((resolve: (a: PrivacyAnswer) => void, info: { referrer: string }) => void) | undefined;

/**
 * A privacy-relevant API as the platform runs it: without consent it raises
 * onNeedPrivacyAuthorization and waits for the page's answer; 'agree' (with the
 * agree button's id) lets it go on, 'disagree' fails it with errno 104. Without a
 * listener the call fails the same way (the test then shows a page forgot the popup).
 */
function privacyGate(api: string, go: () => void, fail: (e: unknown) => void): void {
  const refused = () => fail({ errMsg: `${api}:fail privacy permission is not authorized`, errno: 104 });
  if (wxState.privacyAgreed) return go();
  wxState.privacyPrompts.push(api);
  if (!privacyListener) {
    later(refused);
    return;
  }
  privacyListener(
    (answer) => {
      if (answer.event === 'exposureAuthorization') return;
      if (answer.event === 'agree' && answer.buttonId) {
        wxState.privacyAgreed = true;
        later(go);
      } else later(refused);
    },
    { referrer: api },
  );
}

type PickerOptions = Record<string, unknown> & { count: number; success?: (r: unknown) => void; fail?: (e: unknown) => void };

function pickMedia(opts: PickerOptions): void {
  wxState.pickerCalls.push({ api: 'chooseMedia', options: { ...opts, success: undefined, fail: undefined } });
  const next = wxState.media.shift();
  later(() => {
    if (!next) return opts.fail?.(cancel('chooseMedia'));
    const tempFiles = next.slice(0, opts.count).map((p) => ({
      tempFilePath: p,
      size: fs.statSync(p).size,
      fileType: 'image',
      duration: 0,
      height: 0,
      width: 0,
      thumbTempFilePath: '',
    }));
    opts.success?.({ tempFiles, type: 'image', errMsg: 'chooseMedia:ok' });
  });
}

function pickMessageFile(opts: PickerOptions): void {
  wxState.pickerCalls.push({ api: 'chooseMessageFile', options: { ...opts, success: undefined, fail: undefined } });
  const next = wxState.messageFiles.shift();
  later(() => {
    if (!next) return opts.fail?.(cancel('chooseMessageFile'));
    // Like the platform: 'file' never offers pictures, 'image' offers only pictures.
    const isPicture = (f: PickedFileStub) => /\.(jpe?g|png|gif|webp|heic)$/i.test(f.name);
    const offered = next.filter((f) => (opts.type === 'image' ? isPicture(f) : opts.type === 'file' ? !isPicture(f) : true));
    const tempFiles = offered
      .slice(0, opts.count)
      .map((f) => ({ path: f.path, name: f.name, size: fs.statSync(f.path).size, time: 0, type: isPicture(f) ? 'image' : 'file' }));
    opts.success?.({ tempFiles, errMsg: 'chooseMessageFile:ok' });
  });
}

/** wx.getGroupEnterInfo: the CloudID of the group card the app was opened from. */
function groupEnterInfo(opts: { success?: (r: unknown) => void; fail?: (e: unknown) => void }): void {
  const now = Date.now();
  wxState.groupEnterCalls.push(now);
  let cloudID = wxState.groupCloudId;
  const enter = wxState.groupEnter;
  if (enter) {
    if (!wxState.cloud || !wxState.openid) throw new Error('groupEnter needs useCloud() and a person');
    cloudID = wxState.cloud.cloud.issueGroupCloudId(wxState.openid, enter.opengid, { ttlMs: enter.openedAt + GROUP_CLOUD_ID_MS - now });
  }
  later(() =>
    cloudID
      ? opts.success?.({ cloudID, encryptedData: '', iv: '', errMsg: 'getGroupEnterInfo:ok' })
      : opts.fail?.({ errMsg: 'getGroupEnterInfo:fail not from group', errno: 40097 }),
  );
}

const g = global as unknown as { wx: Record<string, unknown> };
g.wx = {
  ...(g.wx ?? {}),
  getAccountInfoSync: () => ({ miniProgram: { appId: 'wx0000000000local', envVersion: wxState.envVersion, version: '1.0.0' } }),
  cloud: {
    init: () => undefined,
    callFunction: async ({ name, data }: { name: string; data: unknown }) => {
      if (!wxState.cloud) throw new Error('no TestCloud: call useCloud() in the test');
      const result = await wxState.cloud.cloud.invoke(name, data, { openid: wxState.openid });
      return { result, errMsg: 'cloud.callFunction:ok', requestID: 'test' };
    },
    uploadFile: (opts: Parameters<typeof cloudUpload>[0]) => {
      if (!wxState.uploadReturnsPromise) return cloudUpload(opts);
      // The promisified form: the callbacks still run, but there is no task to watch.
      return new Promise((resolve, reject) => {
        cloudUpload({
          ...opts,
          success: (r) => {
            opts.success?.(r);
            resolve(r);
          },
          fail: (e) => {
            opts.fail?.(e);
            reject(e as unknown as Error);
          },
        });
      });
    },
    downloadFile: cloudDownload,
    getTempFileURL: cloudTempFileURL,
  },
  request: localRequest,
  uploadFile: localUpload,
  chooseMedia: (opts: PickerOptions) => {
    privacyGate(
      'chooseMedia',
      () => pickMedia(opts),
      (e) => opts.fail?.(e),
    );
  },
  chooseMessageFile: (opts: PickerOptions) => {
    privacyGate(
      'chooseMessageFile',
      () => pickMessageFile(opts),
      (e) => opts.fail?.(e),
    );
  },
  getGroupEnterInfo: groupEnterInfo,
  getDeviceInfo: () => ({ platform: wxState.platform, brand: 'test', model: 'test', system: 'test' }),
  getSystemInfoSync: () => ({ platform: wxState.platform }),
  showShareMenu: (opts: Record<string, unknown>) => {
    wxState.shareMenus.push({ ...opts });
    return Promise.resolve({ errMsg: 'showShareMenu:ok' });
  },
  onNeedPrivacyAuthorization: (listener: typeof privacyListener) => {
    // Only the latest listener is kept, as on the platform.
    privacyListener = listener;
  },
  getPrivacySetting: (opts: { success?: (r: unknown) => void }) => {
    const needAuthorization = !wxState.privacyAgreed;
    later(() =>
      opts.success?.({ needAuthorization, privacyContractName: '《政务公开任务台账小程序隐私保护指引》', errMsg: 'getPrivacySetting:ok' }),
    );
  },
  openPrivacyContract: () => undefined,
  requestSubscribeMessage: (opts: { tmplIds: string[]; success?: (r: unknown) => void; fail?: (e: unknown) => void }) => {
    wxState.subscribeRequests.push([...opts.tmplIds]);
    const answer = wxState.subscribeAnswer;
    later(() => {
      if (answer === 'fail') return opts.fail?.({ errMsg: 'requestSubscribeMessage:fail', errCode: 20004 });
      const res: Record<string, string> = { errMsg: 'requestSubscribeMessage:ok' };
      for (const id of opts.tmplIds) res[id] = answer[id] ?? 'reject';
      opts.success?.(res);
    });
  },
  downloadFile: (opts: { url: string; success?: (r: unknown) => void; fail?: (e: unknown) => void }) => {
    wxState.downloads.push(opts.url);
    // Temp URLs name the storage's configured origin; the bytes come from the running bridge.
    bridgeOrigin()
      .then((origin) => {
        const u = new URL(opts.url);
        return send(origin + u.pathname + u.search, 'GET', {}, Buffer.alloc(0)).answer;
      })
      .then(
        (res) => {
          const tempFilePath = tempFile('download', res.body);
          opts.success?.({ tempFilePath, statusCode: res.status, errMsg: 'downloadFile:ok' });
        },
        (err: unknown) => opts.fail?.({ errMsg: `downloadFile:fail ${String(err)}` }),
      );
    return { abort: () => undefined, onProgressUpdate: () => undefined, offProgressUpdate: () => undefined };
  },
  openDocument: (opts: { filePath: string; fileType?: string; success?: () => void; fail?: (e: unknown) => void }) => {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(opts.filePath);
    } catch {
      later(() => opts.fail?.({ errMsg: 'openDocument:fail file not found' }));
      return;
    }
    wxState.documents.push({ filePath: opts.filePath, fileType: opts.fileType, bytes });
    later(() => opts.success?.());
  },
  showModal: (opts: { content?: string; success?: (r: unknown) => void }) => {
    wxState.modals.push(opts.content ?? '');
    // The answer is the one set when the dialog opened: a test may change it before the tap lands.
    const confirm = wxState.modalConfirm;
    later(() => opts.success?.({ confirm, cancel: !confirm, errMsg: 'showModal:ok' }));
  },
  setClipboardData: (opts: { data: string; success?: () => void; fail?: (e: unknown) => void }) => {
    privacyGate(
      'setClipboardData',
      () => {
        wxState.clipboard = opts.data;
        opts.success?.();
      },
      (e) => opts.fail?.(e),
    );
  },
  previewImage: (opts: { urls: string[] }) => {
    wxState.previews.push(opts.urls);
  },
  navigateTo: ({ url }: { url: string }) => {
    wxState.navigations.push(url);
    return Promise.resolve({ errMsg: 'navigateTo:ok' });
  },
  redirectTo: ({ url }: { url: string }) => {
    wxState.redirects.push(url);
    return Promise.resolve({ errMsg: 'redirectTo:ok' });
  },
  reLaunch: ({ url }: { url: string }) => {
    wxState.relaunches.push(url);
    return Promise.resolve({ errMsg: 'reLaunch:ok' });
  },
  navigateBack: (opts: { success?: () => void } = {}) => {
    wxState.backs += 1;
    opts.success?.();
    return Promise.resolve({ errMsg: 'navigateBack:ok' });
  },
  stopPullDownRefresh: () => undefined,
  showToast: ({ title }: { title: string }) => {
    wxState.toasts.push(title);
  },
  showLoading: () => undefined,
  hideLoading: () => undefined,
  getStorageSync: (key: string) => wxState.storage.get(key) ?? '',
  setStorageSync: (key: string, value: unknown) => {
    // Structured like the platform's JSON round trip: no shared references survive.
    wxState.storage.set(key, JSON.parse(JSON.stringify(value)));
  },
  removeStorageSync: (key: string) => {
    wxState.storage.delete(key);
  },
};

/** The part of miniprogram-simulate we use, typed here: its own d.ts drags the
 * mini program's global `require` into the Node test program. */
export interface SimNode {
  dom?: HTMLLikeElement;
  data: Record<string, unknown>;
  instance: unknown;
  attach(parent: unknown): void;
  querySelector(selector: string): SimNode | undefined;
  querySelectorAll(selector: string): SimNode[];
  dispatchEvent(event: string, options?: { detail?: unknown }): void;
}
interface HTMLLikeElement {
  textContent: string | null;
  className: string;
  getAttribute(name: string): string | null;
}
interface Simulate {
  load(path: string, options: { compiler: 'simulate' | 'official'; rootPath: string }): string;
  render(id: string, properties?: Record<string, unknown>): SimNode;
  sleep(ms: number): Promise<void>;
}

// Loaded after the stubs so its own `wx` merges beneath them.
export const simulate = require('miniprogram-simulate') as Simulate;
const jsdomDocument = (globalThis as unknown as { document: { createElement(tag: string): unknown } }).document;

export interface RenderedPage {
  root: SimNode;
  /** The page's visible text with whitespace collapsed. */
  text(): string;
  data(): Record<string, unknown>;
  /** Text of the first element matching `selector` ('' when none). */
  textOf(selector: string): string;
  /** Taps the first element matching `selector` (failing the test if there is none) and lets handlers run. */
  tap(selector: string, index?: number): Promise<void>;
  /** Types `value` into an input or textarea, as its bindinput sees it. */
  type(selector: string, value: string, index?: number): Promise<void>;
  /** Leaves an input (its bindblur sees the value typed so far). */
  blur(selector: string, index?: number): Promise<void>;
  /** Picks `value` in a picker (a date, or the index of a selector's range), as its bindchange sees it. */
  change(selector: string, value: string | number, index?: number): Promise<void>;
  /** Calls a page method the framework would call (onShow, onUnload, onPullDownRefresh…). */
  lifecycle(name: string): void;
  /** Bytes (UTF-8 JSON) of every setData payload the page sent, in order. */
  setDataSizes: number[];
  /** What forwarding the page gives (the menu's 转发, or a share button): the card, or undefined when it cannot be forwarded. */
  share(from?: 'menu' | 'button'): { title?: string; path?: string } | undefined;
}

const collapse = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

/** Loads a page Component, attaches it and runs onLoad as the framework would. */
export async function openPage(page: string, query: Record<string, string> = {}): Promise<RenderedPage> {
  let id = '';
  // simulate registers a Component when its module first runs; a fresh module
  // registry lets one test file open the same page more than once.
  jest.isolateModules(() => {
    id = simulate.load(path.join(MINIPROGRAM, page), { compiler: 'simulate', rootPath: MINIPROGRAM });
  });
  const root = simulate.render(id);
  root.attach(jsdomDocument.createElement('parent-wrapper'));
  const instance = root.instance as unknown as Record<string, ((...a: unknown[]) => void) | undefined>;
  // Every payload crosses the logic/render bridge on a phone: record its size.
  const setDataSizes: number[] = [];
  const setData = instance.setData;
  if (setData) {
    instance.setData = (payload: unknown, ...rest: unknown[]) => {
      setDataSizes.push(Buffer.byteLength(JSON.stringify(payload)));
      setData.call(instance, payload, ...rest);
    };
  }
  instance.onLoad?.(query);
  const pick = (selector: string, index: number) => {
    const node = root.querySelectorAll(selector)[index];
    if (!node) throw new Error(`no element ${selector}[${index}] on ${page}; text: ${collapse(root.dom?.textContent)}`);
    return node;
  };
  return {
    root,
    text: () => collapse(root.dom?.textContent),
    data: () => root.data,
    textOf: (selector) => collapse(root.querySelector(selector)?.dom?.textContent),
    async tap(selector, index = 0) {
      pick(selector, index).dispatchEvent('tap');
      await simulate.sleep(0);
    },
    async type(selector, value, index = 0) {
      pick(selector, index).dispatchEvent('input', { detail: { value, cursor: value.length } });
      await simulate.sleep(0);
    },
    async blur(selector, index = 0) {
      const node = pick(selector, index);
      const value = String((node as unknown as { dom?: { value?: unknown } }).dom?.value ?? '');
      node.dispatchEvent('blur', { detail: { value } });
      await simulate.sleep(0);
    },
    async change(selector, value, index = 0) {
      pick(selector, index).dispatchEvent('change', { detail: { value } });
      await simulate.sleep(0);
    },
    lifecycle(name) {
      instance[name]?.();
    },
    setDataSizes,
    share(from = 'menu') {
      const onShare = instance.onShareAppMessage as unknown as ((o: { from: string }) => { title?: string; path?: string }) | undefined;
      return onShare?.call(instance, { from });
    },
  };
}

/**
 * Waits until `check` passes (the page's calls are real and asynchronous).
 * The limit only turns a hang into a message before jest's own timeout: the
 * calls behind a check can take seconds on a machine running the whole suite.
 */
export async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await simulate.sleep(10);
  }
}

// ---- fixtures for the contact journey --------------------------------------------------

/** The office's calendar day `n` days from now (rounds need due days relative to the real clock). */
export function officeDayFromNow(n: number): string {
  const d = new Date(Date.now() + 8 * 3600_000 + n * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** Calls an action as `openid` and unwraps it (failing the test on an error). */
export async function api<A extends ActionName>(
  t: TestCloud,
  openid: string,
  action: A,
  data?: ActionRequest<A>,
): Promise<ActionResponse<A>> {
  return okData((await t.as(openid)(action, data)) as ApiResult<ActionResponse<A>>);
}

/** The unit id of a directory unit by name. */
export async function unitIdOf(t: TestCloud, name: string): Promise<string> {
  const units = await api(t, ADMIN, 'unit.list');
  const unit = units.find((u) => u.name === name);
  if (!unit) throw new Error(`no unit ${name}`);
  return unit.id;
}

/** `openid` becomes an approved contact of `unitName`. */
export async function bindActive(t: TestCloud, openid: string, unitName: string, name = '王联络', phone = '13800000001'): Promise<string> {
  const unitId = await unitIdOf(t, unitName);
  await api(t, openid, 'contact.bind', { unitId, name, phone });
  await api(t, ADMIN, 'contact.approve', { openid });
  return unitId;
}

let tempDir: string | undefined;
/**
 * A small real file in a temp folder, as a picker's temp path would be. Given
 * a size, a `.jpg` is a JPEG (the server checks photos are pictures) of that
 * many bytes; anything else is random bytes.
 */
export function tempFile(name: string, bytes: number | Buffer = 2048): string {
  tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-picked-'));
  const file = path.join(tempDir, `${crypto.randomBytes(4).toString('hex')}-${name}`);
  const content =
    typeof bytes !== 'number' ? bytes : /\.jpe?g$/i.test(name) ? picture(Math.max(0, bytes - picture().length)) : crypto.randomBytes(bytes);
  fs.writeFileSync(file, content);
  return file;
}
afterAll(() => {
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});
