/**
 * 审核: without `reportId`, the queue of latest versions awaiting review
 * (oldest first); with it, one report in full — text, progress, photos,
 * files and links, its review history — and 通过 / 退回 with a note. The
 * decision names the state the office saw, so when another administrator
 * decided first the page shows what happened instead of overwriting it.
 */
import type { ReportDetailView, ReviewDecision, ReviewQueueItem, RoundView } from '../../../shared/api';
import type { LinkStateView } from '../../../shared/links-api';
import { PROGRESS_LABEL, ROLE_LABEL } from '../../../shared/api';
import { ApiCallError, errorField, errorText } from '../../../services/call';
import { fileSizeText, formatTime } from '../../../utils/format';
import { textLength } from '../../../utils/validate';
import { isPicture, openEvidenceFile } from '../../services/evidence';
import { recheckReportLinks } from '../../services/links';
import { decideReport, fetchReport, fetchReviewQueue, listRounds } from '../../services/office';
import { copyText, toast } from '../../utils/ui';
import { isConflict, loadFailure, roundLabel, type LoadPhase } from '../../utils/view';
import { officePage } from '../../utils/office-page';

/** The server's limit on a review note. */
export const NOTE_MAX = 200;

const STATE_LABEL: Record<string, string> = { submitted: '待审核', returned: '已退回', approved: '已通过' };

interface QueueRow {
  reportId: string;
  title: string;
  summary: string;
  meta: string;
  role: string;
  roleKey: string;
}
interface FileRow {
  fileID: string;
  name: string;
  size: string;
  url: string;
}
interface DetailView {
  taskNo: number;
  requirement: string;
  unitName: string;
  role: string;
  roleKey: string;
  roundName: string;
  roundClosed: boolean;
  version: number;
  latestVersion: number;
  state: string;
  stateKey: string;
  submitted: string;
  progress: string;
  text: string;
  images: FileRow[];
  files: FileRow[];
  links: LinkRow[];
  reviews: { key: string; returned: boolean; head: string; note: string }[];
  reviewable: boolean;
}
/** A link with what the link check found, for the reviewer. */
export interface LinkRow {
  url: string;
  title: string;
  /** 'ok' opened, 'broken' did not, 'unchecked' not yet checked. */
  check: 'ok' | 'broken' | 'unchecked';
  /** 「政府网站 · 9月20日可以打开」 */
  status: string;
}

interface ReviewData {
  phase: LoadPhase;
  error: string;
  mode: 'queue' | 'detail';
  // queue
  roundNames: string[];
  roundIndex: number;
  items: QueueRow[];
  total: number;
  // detail
  detail: DetailView | null;
  expandTask: boolean;
  noteCount: number;
  noteMax: number;
  errors: { note?: string; form?: string };
  deciding: '' | ReviewDecision;
  rechecking: boolean;
  /** Someone else decided first: what the page found on reloading. */
  conflict: string;
  done: string;
}
interface ReviewPrivate {
  reportId: string;
  roundId: string;
  rounds: RoundView[];
  note: string;
  shownOnce: boolean;
}

export function queueRow(i: ReviewQueueItem, now: Date = new Date()): QueueRow {
  return {
    reportId: i.reportId,
    title: `第${i.taskNo}项 · ${i.unitName}`,
    summary: i.taskSummary,
    meta: [
      i.roundName,
      `第${i.version}版`,
      PROGRESS_LABEL[i.progress],
      i.evidenceCount ? `材料 ${i.evidenceCount}` : '无材料',
      `${formatTime(i.submittedAt, now)} ${i.submittedByName}`,
    ].join(' · '),
    role: ROLE_LABEL[i.role],
    roleKey: i.role,
  };
}

export function linkRow(url: string, title: string, state: LinkStateView | null): LinkRow {
  if (!state) return { url, title, check: 'unchecked', status: '尚未检查（提交后几分钟内自动检查）' };
  return {
    url,
    // The page's own title says more than a bare address when the contact gave none.
    title: title || state.title,
    check: state.reachable ? 'ok' : 'broken',
    status: `${state.hostKindText} · ${state.summary}`,
  };
}

export function detailView(d: ReportDetailView, now: Date = new Date()): DetailView {
  const r = d.report;
  const row = (f: ReportDetailView['files'][number]): FileRow => ({
    fileID: f.fileID,
    name: f.name,
    size: fileSizeText(f.size),
    url: f.url ?? '',
  });
  return {
    taskNo: d.task.no,
    requirement: d.task.requirement,
    unitName: r.unitName,
    role: ROLE_LABEL[d.role],
    roleKey: d.role,
    roundName: d.round.name,
    roundClosed: d.round.status === 'closed',
    version: r.version,
    latestVersion: d.latestVersion,
    state: STATE_LABEL[r.state] ?? r.state,
    stateKey: r.state,
    submitted: `${formatTime(r.submittedAt, now)} · ${r.submittedByName}`,
    progress: PROGRESS_LABEL[r.progress],
    text: r.text,
    images: d.images.map(row),
    files: d.files.map(row),
    links: r.evidence.links.map((l, i) => linkRow(l.url, l.title ?? '', d.linkChecks[i] ?? null)),
    reviews: d.reviews.map((v, i) => ({
      key: `${i}`,
      returned: v.decision === 'return',
      head: `${v.decision === 'return' ? '退回' : '通过'} · ${v.by} · ${formatTime(v.at, now)}`,
      note: v.note,
    })),
    reviewable: d.reviewable,
  };
}

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    mode: 'queue',
    roundNames: [],
    roundIndex: 0,
    items: [],
    total: 0,
    detail: null,
    expandTask: false,
    noteCount: 0,
    noteMax: NOTE_MAX,
    errors: {},
    deciding: '',
    rechecking: false,
    conflict: '',
    done: '',
  } as ReviewData,

  methods: {
    own(): ReviewPrivate {
      return this as unknown as ReviewPrivate;
    },
    view(): ReviewData {
      return this.data as ReviewData;
    },

    onLoad(query: Record<string, string | undefined>) {
      const own = this.own();
      own.reportId = decodeURIComponent(query.reportId ?? '');
      own.roundId = decodeURIComponent(query.roundId ?? '');
      own.rounds = [];
      own.note = '';
      if (own.reportId) {
        this.setData({ mode: 'detail' });
        wx.setNavigationBarTitle({ title: '审核报送' });
      }
      void this.load();
    },

    onShow() {
      // Back from a report to the queue: what was decided has left it.
      const own = this.own();
      if (own.shownOnce && this.view().mode === 'queue' && this.view().phase === 'ready') void this.load(true);
      own.shownOnce = true;
    },

    onPullDownRefresh() {
      void this.load(true).then(() => wx.stopPullDownRefresh());
    },

    load(quiet = false): Promise<void> {
      return this.view().mode === 'queue' ? this.loadQueue(quiet) : this.loadDetail(quiet);
    },

    async loadQueue(quiet = false) {
      const own = this.own();
      if (!quiet) this.setData({ phase: 'loading', error: '' });
      try {
        const [queue, rounds] = await Promise.all([fetchReviewQueue(own.roundId || undefined), listRounds()]);
        own.rounds = rounds;
        const now = new Date();
        const at = rounds.findIndex((r) => r.id === own.roundId);
        this.setData({
          phase: 'ready',
          roundNames: ['全部轮次', ...rounds.map((r) => roundLabel(r, now))],
          roundIndex: at + 1,
          items: queue.items.map((i) => queueRow(i, now)),
          total: queue.total,
        });
      } catch (err) {
        if (quiet && this.view().phase === 'ready') toast(errorText(err));
        else this.setData(loadFailure(err));
      }
    },

    async loadDetail(quiet = false) {
      if (!quiet) this.setData({ phase: 'loading', error: '' });
      try {
        const detail = await fetchReport(this.own().reportId);
        this.setData({ phase: 'ready', detail: detailView(detail) });
      } catch (err) {
        if (quiet && this.view().phase === 'ready') toast(errorText(err));
        else this.setData(loadFailure(err));
      }
    },

    // ---- queue ------------------------------------------------------------------------

    onPickRound(e: WechatMiniprogram.PickerChange) {
      const index = Number(e.detail.value);
      this.own().roundId = index > 0 ? (this.own().rounds[index - 1]?.id ?? '') : '';
      this.setData({ roundIndex: index });
      void this.loadQueue(true);
    },

    onOpen(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      void wx.navigateTo({ url: `/office/pages/review/index?reportId=${encodeURIComponent(e.currentTarget.dataset.id)}` });
    },

    // ---- evidence ---------------------------------------------------------------------

    onToggleTask() {
      this.setData({ expandTask: !this.view().expandTask });
    },

    onPreview(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { url: string }>) {
      const urls = (this.view().detail?.images ?? []).map((i) => i.url).filter(Boolean);
      const { url } = e.currentTarget.dataset;
      if (!url) {
        toast('这张照片已不在云存储中');
        return;
      }
      wx.previewImage({ urls, current: url });
    },

    onOpenFile(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { index: number }>) {
      const file = this.view().detail?.files[e.currentTarget.dataset.index];
      if (!file) return;
      if (isPicture(file.name) && file.url) {
        wx.previewImage({ urls: [file.url] });
        return;
      }
      wx.showLoading({ title: '正在打开' });
      openEvidenceFile({ fileID: file.fileID, name: file.name, url: file.url || null }).then(
        () => wx.hideLoading(),
        (err: Error) => {
          wx.hideLoading();
          toast(err.message);
        },
      );
    },

    onCopyLink(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { url: string }>) {
      // Mini programs cannot open outside pages: the office pastes the link into a browser.
      void copyText(e.currentTarget.dataset.url);
    },

    async onRecheckLinks() {
      if (this.view().rechecking) return;
      this.setData({ rechecking: true });
      try {
        const res = await recheckReportLinks(this.own().reportId);
        toast(res.unreachable ? `已重新检查，${res.unreachable} 个链接无法打开` : '已重新检查，链接都能打开');
        await this.loadDetail(true);
      } catch (err) {
        toast(errorText(err));
      } finally {
        this.setData({ rechecking: false });
      }
    },

    // ---- decision ---------------------------------------------------------------------

    onNote(e: WechatMiniprogram.TextareaInput) {
      // Not echoed into `value`: a late setData would move the caret while typing.
      this.own().note = e.detail.value;
      this.setData({ noteCount: textLength(e.detail.value), 'errors.note': '' });
    },

    async onDecide(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { decision: ReviewDecision }>) {
      const { decision } = e.currentTarget.dataset;
      const d = this.view();
      if (d.deciding || !d.detail?.reviewable) return;
      const note = this.own().note.trim();
      if (decision === 'return' && !note) {
        this.setData({ errors: { note: '请填写退回意见：写明要补充或修改什么，联络员会看到这段话' } });
        return;
      }
      if (textLength(note) > NOTE_MAX) {
        this.setData({ errors: { note: `审核意见不能超过 ${NOTE_MAX} 个字，请精简后再提交` } });
        return;
      }
      this.setData({ deciding: decision, errors: {}, conflict: '' });
      try {
        await decideReport({
          reportId: this.own().reportId,
          decision,
          ...(note ? { note } : {}),
          expectedState: 'submitted',
        });
        const fresh = await fetchReport(this.own().reportId).catch(() => null);
        this.setData({
          deciding: '',
          done: decision === 'approve' ? '已通过审核。' : '已退回，联络员会在首页看到退回意见并重新报送。',
          ...(fresh ? { detail: detailView(fresh) } : { 'detail.reviewable': false }),
        });
        toast(decision === 'approve' ? '已通过' : '已退回');
      } catch (err) {
        if (isConflict(err)) {
          // Someone decided first (or a newer version arrived): show the current state, not ours.
          const fresh = await fetchReport(this.own().reportId).catch(() => null);
          this.setData({
            deciding: '',
            conflict: `${errorText(err)}。下面是这份报送的最新状态，请核对后再操作。`,
            ...(fresh ? { detail: detailView(fresh) } : {}),
          });
          return;
        }
        const field = errorField(err);
        const slot = field === 'note' ? 'note' : 'form';
        const text =
          err instanceof ApiCallError && err.code === 'ROUND_CLOSED'
            ? `${errorText(err)}。本轮已结束，只能通过，不能退回。`
            : errorText(err);
        this.setData({ deciding: '', errors: { [slot]: text } });
      }
    },

    onBackToQueue() {
      wx.navigateBack({
        delta: 1,
        fail: () => void wx.redirectTo({ url: '/office/pages/review/index' }),
      });
    },
  },
});
