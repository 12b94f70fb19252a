/**
 * 提交进展: text, status, photos, chat files, links and the 保密审查
 * confirmation. Files upload the moment they are chosen; the form is
 * saved as a draft while the person types; a retried submit reuses its
 * requestId so the server never records it twice.
 */
import type { EvidenceInput, LinkInput, Progress, ReportView, SubmitReportInput } from '../../shared/api';
import type { LinkCheckView } from '../../shared/links-api';
import { REPORT_LIMITS } from '../../shared/api';
import { ApiCallError, errorField, errorText } from '../../services/call';
import { fetchMe } from '../../services/contacts';
import { clearDraft, draftKey, draftSaver, loadDraft, type ReportDraft } from '../../services/draft';
import { chooseChatFiles, chooseChatImages, chooseImages, photoExtension, type Chosen } from '../../services/media';
import { checkLink, fetchLatestReport, submitReport } from '../../services/reports';
import { subscribeBatches, subscribeReminders, type SubscribeBatch } from '../../services/subscribe';
import { fetchTaskDetail } from '../../services/tasks';
import { uploadFile, type UploadHandle } from '../../services/upload';
import { clip, daysLeftText, fileSizeText, formatDay, officeYear } from '../../utils/format';
import { evidenceCloudPath, newRequestId, randomToken } from '../../utils/ids';
import { canShowCloudImages, isPrivacyRefused, textareaReplacement } from '../../utils/platform';
import { isHttpUrl, textLength } from '../../utils/validate';
import { reportGate } from '../../utils/rounds';

type Kind = 'images' | 'files';
type UploadState = 'waiting' | 'uploading' | 'done' | 'failed';

export interface FileItem {
  key: string;
  name: string;
  size: number;
  sizeText: string;
  /** Temp path while on this phone; empty for evidence reused from a draft or an earlier report. */
  path: string;
  fileID: string;
  state: UploadState;
  progress: number;
}

type ErrorKey = 'text' | 'progress' | 'images' | 'files' | 'links' | 'secrecy' | 'form';

interface ReportData {
  phase: 'loading' | 'error' | 'form' | 'done';
  error: string;
  head: { no: number; requirement: string; round: string; due: string; left: string; urgent: boolean } | null;
  /** The textarea's value: set on restore and prefill only (see onText). */
  textValue: string;
  textCount: number;
  progress: Progress | '';
  images: FileItem[];
  files: FileItem[];
  links: LinkInput[];
  linkErrors: string[];
  /** What the link check says of each link: a warning, never a refusal. */
  linkNotes: LinkNote[];
  secrecy: boolean;
  errors: Partial<Record<ErrorKey, string>>;
  busy: { uploading: number; failed: number };
  submitting: boolean;
  restored: boolean;
  quoting: boolean;
  showImages: boolean;
  limits: { text: number; images: number; files: number; links: number };
  done: { title: string; desc: string } | null;
  /** `longTerm`: the next tap asks for long-term templates (worded as such). */
  /** `rest`: an earlier tap asked for the other kind already. */
  subscribe: { available: boolean; asking: boolean; longTerm: boolean; rest: boolean; result: string };
}

interface ReportPrivate {
  assignmentId: string;
  roundId: string;
  taskId: string;
  unitId: string;
  /** The caller's own openid: uploads go under it (see uploadPrefix). */
  openid: string;
  year: number;
  /** The text lives here, not in data: echoing it through setData moves the caret on some phones (see textareaReplacement). */
  text: string;
  requestId: string;
  handles: Record<string, UploadHandle>;
  lastProgress: Record<string, number>;
  saver?: ReturnType<typeof draftSaver>;
  /** wx.requestSubscribeMessage calls still to make, one per tap (one-time and long-term never mixed). */
  batches: SubscribeBatch[];
  /** Templates accepted so far on this page. */
  accepted: number;
  photoSeq: number;
}

/** Uploads at once: more only competes for a weak uplink. */
const PARALLEL_UPLOADS = 3;
export const SECRECY_TEXT = '已按规定完成保密审查，不含国家秘密、个人隐私等敏感信息';

function fileItem(e: EvidenceInput): FileItem {
  return {
    key: randomToken(8),
    name: e.name,
    size: e.size,
    sizeText: fileSizeText(e.size),
    path: '',
    fileID: e.fileID,
    state: 'done',
    progress: 100,
  };
}

const evidenceOf = (items: FileItem[]): EvidenceInput[] =>
  items.filter((i) => i.state === 'done' && i.fileID).map((i) => ({ fileID: i.fileID, name: i.name, size: i.size }));

/** Every problem of the form at once, so a person fixes them in one pass. */
export function checkReport(
  text: string,
  progress: Progress | '',
  links: LinkInput[],
  secrecy: boolean,
): { errors: ReportData['errors']; linkErrors: string[] } {
  const errors: ReportData['errors'] = {};
  const t = text.trim();
  if (!t) errors.text = '请填写工作进展';
  else if (textLength(t) > REPORT_LIMITS.text) errors.text = `进展说明不能超过 ${REPORT_LIMITS.text} 字，请精简`;
  if (!progress) errors.progress = '请选择推进中或已完成';
  const linkErrors = links.map((l) =>
    l.url.trim() && !isHttpUrl(l.url) ? '链接应以 http:// 或 https:// 开头，如 http://www.zoucheng.gov.cn/…' : '',
  );
  if (linkErrors.some(Boolean)) errors.links = '有链接格式不正确';
  if (!secrecy) errors.secrecy = '请确认已完成保密审查';
  return { errors, linkErrors };
}

/** What to tell the person about picked files left out, or '' when none was. */
/** What to say when a picker failed: refusing the privacy guide is the person's choice, not a fault. */
function pickFailText(err: unknown, otherwise: string): string {
  return isPrivacyRefused(err) ? '需先同意隐私保护指引，才能选择照片和文件' : otherwise;
}

export function pickProblem(refused: string[], tooLarge: string[], extensions: readonly string[]): string {
  const parts: string[] = [];
  if (refused.length) parts.push(`不支持的文件未添加：${refused.join('、')}。可上传 ${extensions.join('、')}`);
  if (tooLarge.length) parts.push(`超过 ${REPORT_LIMITS.fileBytes / 1024 / 1024} MB 的文件未添加：${tooLarge.join('、')}，请压缩后再选`);
  return parts.join('；');
}

export interface LinkNote {
  /** The URL this note is about (a later edit makes it stale). */
  url: string;
  kind: 'checking' | 'ok' | 'warn' | 'info';
  text: string;
}

/** What a contact should know about a link before submitting; never a reason not to submit. */
export function linkNote(url: string, check: LinkCheckView | null): LinkNote {
  if (!check) return { url, kind: 'info', text: '暂时无法检查该链接，可以照常提交' };
  if (!check.reachable) return { url, kind: 'warn', text: `这个网址现在打不开（${check.problem}）。请核对网址；确认无误也可以提交` };
  const title = check.title ? `「${check.title}」` : '';
  if (check.hostKind === 'other')
    return { url, kind: 'warn', text: `可以打开${title}，但不在政府网站上。如是本单位发布的页面，可以照常提交` };
  return { url, kind: 'ok', text: `可以打开 · ${check.hostKindText}${title}` };
}

/** Server field (`links[2].url`, `images[0].fileID`, `secrecyConfirmed`) → where the form shows it. */
export function errorSlot(field: string | undefined): { key: ErrorKey; link?: number } {
  const f = field ?? '';
  const link = /^links\[(\d+)\]/.exec(f);
  if (link) return { key: 'links', link: Number(link[1]) };
  const root = f.split(/[.[]/)[0];
  if (root === 'text' || root === 'progress' || root === 'images' || root === 'files' || root === 'links') return { key: root };
  if (root === 'secrecyConfirmed') return { key: 'secrecy' };
  return { key: 'form' };
}

Component({
  data: {
    phase: 'loading',
    error: '',
    head: null,
    textValue: '',
    textCount: 0,
    progress: '',
    images: [],
    files: [],
    links: [],
    linkErrors: [],
    linkNotes: [],
    secrecy: false,
    errors: {},
    busy: { uploading: 0, failed: 0 },
    submitting: false,
    restored: false,
    quoting: false,
    showImages: false,
    limits: { text: REPORT_LIMITS.text, images: REPORT_LIMITS.images, files: REPORT_LIMITS.files, links: REPORT_LIMITS.links },
    done: null,
    subscribe: { available: false, asking: false, longTerm: false, rest: false, result: '' },
  } as ReportData,

  methods: {
    own(): ReportPrivate {
      return this as unknown as ReportPrivate;
    },
    view(): ReportData {
      return this.data as ReportData;
    },

    onLoad(query: Record<string, string | undefined>) {
      const own = this.own();
      own.assignmentId = decodeURIComponent(query.assignmentId ?? '');
      own.roundId = decodeURIComponent(query.roundId ?? '');
      own.taskId = decodeURIComponent(query.taskId ?? '');
      own.text = '';
      own.requestId = '';
      own.handles = {};
      own.lastProgress = {};
      own.batches = [];
      own.accepted = 0;
      own.photoSeq = 0;
      this.setData({ showImages: canShowCloudImages() });
      void this.load();
    },

    onHide() {
      // The app going to the background may be the last chance to save.
      this.own().saver?.flush();
    },

    onUnload() {
      const own = this.own();
      own.saver?.flush();
      for (const h of Object.values(own.handles ?? {})) h.abort();
      own.handles = {};
    },

    async load() {
      const own = this.own();
      if (!own.assignmentId || !own.roundId || !own.taskId) {
        this.setData({ phase: 'error', error: '缺少任务信息，请从任务详情页点「报送进展」进入' });
        return;
      }
      this.setData({ phase: 'loading', error: '' });
      try {
        const [me, detail] = await Promise.all([fetchMe(), fetchTaskDetail(own.taskId)]);
        if (me.contact?.status !== 'active') throw new Error('绑定单位并通过审核后才能报送');
        if (detail.assignment.id !== own.assignmentId) throw new Error('这项任务已不属于本单位，请返回首页刷新');
        const gate = reportGate(detail.round, detail.task.no);
        if (!gate.enabled) throw new Error(gate.reason);
        if (detail.round?.id !== own.roundId) throw new Error('报送轮次已变化，请返回任务详情重新进入');
        own.unitId = detail.assignment.unitId;
        own.openid = me.openid;
        own.year = officeYear();
        own.batches = subscribeBatches(me);
        const held = Array.isArray(me.longTermHeld) && me.longTermHeld.length > 0;
        own.saver = draftSaver(draftKey(own.assignmentId, own.roundId));
        const now = new Date();
        const left = daysLeftText(detail.daysLeft);
        this.setData({
          phase: 'form',
          head: {
            no: detail.task.no,
            requirement: clip(detail.task.requirement, 120),
            round: detail.round.name,
            due: detail.dueDate ? `${formatDay(detail.dueDate, now)}截止` : '',
            left: left?.text ?? '',
            urgent: left?.urgent ?? false,
          },
          // Long-term reminders already on need no new tap; what is left (if anything) are the one-time ones.
          subscribe: {
            available: own.batches.length > 0,
            asking: false,
            longTerm: own.batches[0]?.longTerm ?? false,
            rest: held,
            result: held ? '您已开启长期提醒，截止前会通过微信通知您' : '',
          },
        });
        const draft = loadDraft(draftKey(own.assignmentId, own.roundId));
        if (draft && (draft.text || draft.progress || draft.images.length || draft.files.length || draft.links.length)) {
          own.requestId = draft.requestId;
          this.fill(draft.text, draft.progress, draft.images, draft.files, draft.links);
          this.setData({ restored: true });
        }
      } catch (err) {
        this.setData({ phase: 'error', error: err instanceof ApiCallError ? errorText(err) : (err as Error).message });
      }
    },

    onRetryLoad() {
      void this.load();
    },

    /** Replaces the form's content (draft restore, 引用上次报送). */
    fill(text: string, progress: Progress | '', images: EvidenceInput[], files: EvidenceInput[], links: LinkInput[]) {
      const own = this.own();
      const [first, ...then] = textareaReplacement(this.view().textValue, own.text, text);
      if (then.length) this.setData({ textValue: first });
      own.text = text;
      own.photoSeq = images.length;
      this.setData({
        textValue: text,
        textCount: textLength(text),
        progress,
        images: images.slice(0, REPORT_LIMITS.images).map(fileItem),
        files: files.slice(0, REPORT_LIMITS.files).map(fileItem),
        links: links.slice(0, REPORT_LIMITS.links).map((l) => ({ url: l.url, title: l.title ?? '' })),
        linkErrors: [],
        linkNotes: [],
        errors: {},
      });
      this.refreshBusy();
    },

    draft(): ReportDraft {
      const own = this.own();
      const d = this.view();
      return {
        text: own.text,
        progress: d.progress,
        images: evidenceOf(d.images),
        files: evidenceOf(d.files),
        links: d.links,
        requestId: own.requestId,
        savedAt: Date.now(),
      };
    },

    /** The content changed: save soon, and the next submit is a new attempt with a new id. */
    changed() {
      const own = this.own();
      own.requestId = '';
      own.saver?.schedule(() => this.draft());
    },

    onText(e: WechatMiniprogram.TextareaInput) {
      this.own().text = e.detail.value;
      // Only the counter crosses setData while typing (caret jumps otherwise, see ReportPrivate.text).
      this.setData({ textCount: textLength(e.detail.value), 'errors.text': '' });
      this.changed();
    },

    onProgress(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { value: Progress }>) {
      this.setData({ progress: e.currentTarget.dataset.value, 'errors.progress': '' });
      this.changed();
    },

    onSecrecy() {
      this.setData({ secrecy: !this.view().secrecy, 'errors.secrecy': '' });
    },

    // ---- links ----------------------------------------------------------------------

    onAddLink() {
      const { links } = this.view();
      if (links.length >= REPORT_LIMITS.links) return;
      this.setData({ [`links[${links.length}]`]: { url: '', title: '' } });
    },

    onLinkInput(e: WechatMiniprogram.Input<Record<string, never>, { index: number; field: 'url' | 'title' }>) {
      const { index, field } = e.currentTarget.dataset;
      const patch: Record<string, unknown> = {
        [`links[${index}].${field}`]: e.detail.value,
        [`linkErrors[${index}]`]: '',
        'errors.links': '',
      };
      if (field === 'url' && this.view().linkNotes[index]) patch[`linkNotes[${index}]`] = null;
      this.setData(patch);
      this.changed();
    },

    /** When the contact leaves a web address, check it in the cloud and say what was found. */
    async onLinkBlur(e: WechatMiniprogram.InputBlur<Record<string, never>, { index: number }>) {
      const { index } = e.currentTarget.dataset;
      const url = (this.view().links[index]?.url ?? '').trim();
      if (!isHttpUrl(url) || this.view().linkNotes[index]?.url === url) return;
      this.setData({ [`linkNotes[${index}]`]: { url, kind: 'checking', text: '正在检查链接能否打开…' } });
      let note: LinkNote;
      try {
        note = linkNote(url, await checkLink(url));
      } catch {
        note = linkNote(url, null);
      }
      // The link may have been edited or removed meanwhile: only its own note is updated.
      const at = this.view().links.findIndex((l) => l.url.trim() === url);
      if (at >= 0) this.setData({ [`linkNotes[${at}]`]: note });
    },

    onRemoveLink(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { index: number }>) {
      const { index } = e.currentTarget.dataset;
      const d = this.view();
      this.setData({
        links: d.links.filter((_, i) => i !== index),
        linkErrors: d.linkErrors.filter((_, i) => i !== index),
        linkNotes: d.linkNotes.filter((_, i) => i !== index),
        'errors.links': '',
      });
      this.changed();
    },

    // ---- photos and files -----------------------------------------------------------

    onAddImages() {
      void this.addImages(chooseImages, '没能打开相册，请稍后重试');
    },

    /** Pictures a colleague sent in a chat count as photos too. */
    onAddChatImages() {
      void this.addImages(chooseChatImages, '没能打开聊天图片，请稍后重试');
    },

    async addImages(choose: (max: number) => Promise<Chosen>, failText: string) {
      const room = REPORT_LIMITS.images - this.view().images.length;
      if (room <= 0) return;
      try {
        const { files, refused, tooLarge } = await choose(room);
        const own = this.own();
        const items = files.map((p): FileItem => {
          own.photoSeq += 1;
          return {
            key: randomToken(8),
            name: `照片${own.photoSeq}.${photoExtension(p.path)}`,
            size: p.size,
            sizeText: fileSizeText(p.size),
            path: p.path,
            fileID: '',
            state: 'waiting',
            progress: 0,
          };
        });
        this.append('images', items);
        const problem = pickProblem(refused, tooLarge, REPORT_LIMITS.imageExtensions);
        if (problem) this.setData({ 'errors.images': problem });
      } catch (err) {
        wx.showToast({ title: pickFailText(err, failText), icon: 'none' });
      }
    },

    async onAddFiles() {
      const room = REPORT_LIMITS.files - this.view().files.length;
      if (room <= 0) return;
      try {
        const { files, refused, tooLarge } = await chooseChatFiles(room);
        this.append(
          'files',
          files.map((f) => ({
            key: randomToken(8),
            name: f.name,
            size: f.size,
            sizeText: fileSizeText(f.size),
            path: f.path,
            fileID: '',
            state: 'waiting',
            progress: 0,
          })),
        );
        const problem = pickProblem(refused, tooLarge, REPORT_LIMITS.fileExtensions);
        if (problem) this.setData({ 'errors.files': problem });
      } catch (err) {
        wx.showToast({ title: pickFailText(err, '没能打开聊天文件，请稍后重试'), icon: 'none' });
      }
    },

    append(kind: Kind, items: FileItem[]) {
      if (items.length === 0) return;
      const start = this.view()[kind].length;
      const patch: Record<string, unknown> = { [`errors.${kind}`]: '' };
      items.forEach((item, i) => (patch[`${kind}[${start + i}]`] = item));
      this.setData(patch);
      this.refreshBusy();
      this.pump();
    },

    locate(key: string): { kind: Kind; index: number; item: FileItem } | undefined {
      for (const kind of ['images', 'files'] as const) {
        const index = this.view()[kind].findIndex((i) => i.key === key);
        const item = this.view()[kind][index];
        if (item) return { kind, index, item };
      }
      return undefined;
    },

    /** Starts waiting uploads up to the parallel limit. */
    pump() {
      const all = [...this.view().images, ...this.view().files];
      let running = all.filter((i) => i.state === 'uploading').length;
      for (const item of all) {
        if (running >= PARALLEL_UPLOADS) break;
        if (item.state !== 'waiting') continue;
        running += 1;
        this.start(item.key);
      }
    },

    start(key: string) {
      const own = this.own();
      const at = this.locate(key);
      if (!at) return;
      const { kind, index, item } = at;
      this.setData({ [`${kind}[${index}].state`]: 'uploading', [`${kind}[${index}].progress`]: 0 });
      own.lastProgress[key] = 0;
      const handle = uploadFile({
        filePath: item.path,
        cloudPath: evidenceCloudPath(own.unitId, own.openid, own.year, own.roundId, item.name),
        onProgress: (p) => {
          // A progress event per few KB would flood setData: only whole steps of 10 cross.
          if (p < 100 && p - (own.lastProgress[key] ?? 0) < 10) return;
          own.lastProgress[key] = p;
          const now = this.locate(key);
          if (now && now.item.state === 'uploading') this.setData({ [`${now.kind}[${now.index}].progress`]: Math.min(99, p) });
        },
      });
      own.handles[key] = handle;
      handle.done.then(
        (fileID) => this.finish(key, { state: 'done', fileID, progress: 100 }),
        () => this.finish(key, { state: 'failed' }),
      );
      this.refreshBusy();
    },

    finish(key: string, patch: Partial<FileItem>) {
      delete this.own().handles[key];
      const at = this.locate(key);
      if (!at) return; // removed while uploading
      const data: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(patch)) data[`${at.kind}[${at.index}].${k}`] = v;
      this.setData(data);
      this.refreshBusy();
      if (patch.state === 'done') this.changed();
      this.pump();
    },

    onRetryUpload(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { key: string }>) {
      const at = this.locate(e.currentTarget.dataset.key);
      if (!at || at.item.state !== 'failed') return;
      this.setData({ [`${at.kind}[${at.index}].state`]: 'waiting', [`${at.kind}[${at.index}].progress`]: 0 });
      this.refreshBusy();
      this.pump();
    },

    onRemoveFile(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { key: string }>) {
      const key = e.currentTarget.dataset.key;
      const at = this.locate(key);
      if (!at) return;
      this.own().handles[key]?.abort();
      delete this.own().handles[key];
      this.setData({ [at.kind]: this.view()[at.kind].filter((i) => i.key !== key), [`errors.${at.kind}`]: '' });
      this.refreshBusy();
      this.changed();
      this.pump();
    },

    onPreviewImage(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { key: string }>) {
      const shown = this.view()
        .images.map((i) => i.path || (this.view().showImages ? i.fileID : ''))
        .filter(Boolean);
      const at = this.locate(e.currentTarget.dataset.key);
      const current = at ? at.item.path || at.item.fileID : undefined;
      if (shown.length) wx.previewImage({ urls: shown, current });
    },

    refreshBusy() {
      const all = [...this.view().images, ...this.view().files];
      const uploading = all.filter((i) => i.state === 'uploading' || i.state === 'waiting').length;
      const failed = all.filter((i) => i.state === 'failed').length;
      const busy = this.view().busy;
      if (busy.uploading !== uploading || busy.failed !== failed) this.setData({ busy: { uploading, failed } });
    },

    // ---- 引用上次报送 ----------------------------------------------------------------

    async onQuote() {
      const own = this.own();
      const d = this.view();
      if (d.quoting) return;
      const hasContent = own.text.trim() || d.progress || d.images.length || d.files.length || d.links.length;
      if (hasContent) {
        const ok = await new Promise<boolean>((resolve) =>
          wx.showModal({
            title: '引用上次报送',
            content: '将用上次报送的内容替换当前填写的内容，是否继续？',
            confirmText: '替换',
            success: (r) => resolve(r.confirm),
            fail: () => resolve(false),
          }),
        );
        if (!ok) return;
      }
      this.setData({ quoting: true });
      let latest: ReportView | null;
      try {
        latest = await fetchLatestReport(own.assignmentId);
      } catch (err) {
        this.setData({ quoting: false });
        wx.showToast({ title: errorText(err), icon: 'none' });
        return;
      }
      this.setData({ quoting: false });
      if (!latest) {
        wx.showToast({ title: '本任务还没有报送过，没有可引用的内容', icon: 'none' });
        return;
      }
      for (const h of Object.values(own.handles)) h.abort();
      own.handles = {};
      this.fill(latest.text, latest.progress, latest.evidence.images, latest.evidence.files, latest.evidence.links);
      this.setData({ restored: false });
      this.changed();
      wx.showToast({ title: `已引用${latest.roundName}第${latest.version}版，请按本轮情况修改`, icon: 'none' });
    },

    onDiscardDraft() {
      const own = this.own();
      for (const h of Object.values(own.handles)) h.abort();
      own.handles = {};
      own.saver?.cancel();
      clearDraft(draftKey(own.assignmentId, own.roundId));
      own.requestId = '';
      this.fill('', '', [], [], []);
      this.setData({ restored: false, secrecy: false });
    },

    // ---- submit ---------------------------------------------------------------------

    async onSubmit() {
      const own = this.own();
      const d = this.view();
      if (d.submitting) return;
      if (d.busy.uploading > 0) {
        this.setData({ 'errors.form': `还有 ${d.busy.uploading} 个文件正在上传，请稍候` });
        return;
      }
      if (d.busy.failed > 0) {
        this.setData({ 'errors.form': `有 ${d.busy.failed} 个文件上传失败，请点「重试」或删除后再提交` });
        return;
      }
      const links = d.links.map((l) => ({ url: l.url.trim(), title: (l.title ?? '').trim() }));
      const { errors, linkErrors } = checkReport(own.text, d.progress, links, d.secrecy);
      if (Object.keys(errors).length > 0) {
        this.setData({ errors, linkErrors });
        return;
      }
      // One id per attempt, saved before sending: a retry after a lost answer, even after
      // the app was killed, is recognised by the server as the same submit.
      if (!own.requestId) own.requestId = newRequestId();
      own.saver?.schedule(() => this.draft());
      own.saver?.flush();
      const input: SubmitReportInput = {
        assignmentId: own.assignmentId,
        roundId: own.roundId,
        text: own.text.trim(),
        progress: d.progress as Progress,
        images: evidenceOf(d.images),
        files: evidenceOf(d.files),
        links: links.filter((l) => l.url).map((l) => (l.title ? { url: l.url, title: l.title } : { url: l.url })),
        secrecyConfirmed: true,
        requestId: own.requestId,
      };
      this.setData({ submitting: true, errors: {}, linkErrors: [] });
      try {
        const { report, duplicate } = await submitReport(input);
        own.saver?.cancel();
        clearDraft(draftKey(own.assignmentId, own.roundId));
        this.setData({
          phase: 'done',
          submitting: false,
          done: {
            title: '提交成功',
            desc: duplicate ? `第${report.version}版此前已提交成功，没有重复提交。` : `第${report.version}版已提交，等待政务公开科审核。`,
          },
        });
      } catch (err) {
        const slot = errorSlot(errorField(err));
        const patch: Record<string, unknown> = { submitting: false, [`errors.${slot.key}`]: errorText(err) };
        if (slot.link !== undefined) patch[`linkErrors[${slot.link}]`] = errorText(err);
        this.setData(patch);
      }
    },

    // ---- after success --------------------------------------------------------------

    onSubscribe() {
      const own = this.own();
      const batch = own.batches[0];
      if (this.view().subscribe.asking || !batch) return;
      this.setData({ 'subscribe.asking': true });
      // Called straight from the tap: the platform only opens the dialog for a user gesture.
      subscribeReminders(batch).then(
        (accepted) => {
          own.batches.shift();
          own.accepted += accepted;
          const next = own.batches[0];
          if (next) {
            // The other kind needs a call of its own, and so a tap of its own.
            const result = accepted > 0 ? '已开启长期提醒。再点一次，订阅其余提醒' : '未开启长期提醒。可再点一次，订阅单次提醒';
            this.setData({ subscribe: { available: true, asking: false, longTerm: next.longTerm, rest: true, result } });
            return;
          }
          const total = own.accepted;
          const result = total > 0 ? `已订阅，截止前会提醒您（${total} 项）` : '未订阅提醒，可在下次报送后再订阅';
          this.setData({ subscribe: { available: false, asking: false, longTerm: false, rest: false, result } });
          wx.showToast({ title: total > 0 ? '已订阅截止提醒' : '未订阅提醒', icon: 'none' });
          this.onBack();
        },
        (err: Error) => {
          this.setData({
            subscribe: {
              available: true,
              asking: false,
              longTerm: batch.longTerm,
              rest: this.view().subscribe.rest,
              result: err instanceof ApiCallError ? errorText(err) : err.message,
            },
          });
        },
      );
    },

    onBack() {
      wx.navigateBack({
        delta: 1,
        fail: () => void wx.redirectTo({ url: `/pages/task/index?id=${encodeURIComponent(this.own().taskId)}` }),
      });
    },
  },
});
