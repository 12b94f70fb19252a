/**
 * 任务详情: the requirement in full, who shares the task, the round and its
 * deadline, what my unit reported before, and for a lead unit what the
 * cooperating units reported. From here a contact starts a report.
 */
import type { EvidenceView, ReportView, TaskDetailView } from '../../shared/api';
import { PROGRESS_LABEL, ROLE_LABEL, STATUS_LABEL } from '../../shared/api';
import { errorText } from '../../services/call';
import { documentType, openCloudFile } from '../../services/files';
import { fetchTaskDetail } from '../../services/tasks';
import { clip, daysLeftText, formatDay, formatTime } from '../../utils/format';
import { canShowCloudImages, enableGroupShare } from '../../utils/platform';
import { taskCard, type ShareCard } from '../../utils/share';
import { reportGate } from '../../utils/rounds';

/** Thumbnails per version; the rest is a count, to keep the page light. */
const THUMBS = 3;

interface EvidenceRows {
  counts: string;
  thumbs: string[];
  images: string[];
  moreImages: number;
  files: { fileID: string; name: string }[];
  links: { url: string; title: string }[];
}
export interface VersionRow extends EvidenceRows {
  id: string;
  title: string;
  time: string;
  by: string;
  progress: string;
  state: string;
  stateKey: string;
  text: string;
  review: { returned: boolean; text: string } | null;
}
interface CoopRow {
  unitId: string;
  unitName: string;
  role: string;
  status: string;
  statusKey: string;
  text: string;
  meta: string;
}
interface TaskData {
  phase: 'loading' | 'error' | 'ready';
  error: string;
  taskId: string;
  showImages: boolean;
  task: { no: number; requirement: string; section: string; category: string; deadlineText: string } | null;
  mine: { unitName: string; role: string; roleKey: string } | null;
  unitLines: { key: string; label: string; names: string }[];
  round: { name: string; due: string; left: string; urgent: boolean; status: string; statusKey: string } | null;
  report: { enabled: boolean; reason: string; url: string };
  history: VersionRow[];
  coop: { rows: CoopRow[]; summary: string } | null;
  expanded: Record<string, boolean>;
}

export function evidenceRows(e: EvidenceView): EvidenceRows {
  const parts: string[] = [];
  if (e.images.length) parts.push(`图片 ${e.images.length}`);
  if (e.files.length) parts.push(`文件 ${e.files.length}`);
  if (e.links.length) parts.push(`链接 ${e.links.length}`);
  const images = e.images.map((i) => i.fileID);
  return {
    counts: parts.join(' · '),
    images,
    thumbs: images.slice(0, THUMBS),
    moreImages: Math.max(0, images.length - THUMBS),
    files: e.files.map((f) => ({ fileID: f.fileID, name: f.name })),
    links: e.links.map((l) => ({ url: l.url, title: l.title ?? '' })),
  };
}

export function versionRow(r: ReportView, now: Date): VersionRow {
  let review: VersionRow['review'] = null;
  if (r.review) {
    const returned = r.review.decision === 'return';
    const note = r.review.note ? `：${r.review.note}` : '';
    review = { returned, text: `${returned ? '退回意见' : '审核通过'}${note}（${r.review.by} · ${formatTime(r.review.at, now)}）` };
  }
  return {
    id: r.id,
    title: `第${r.version}版 · ${r.roundName}`,
    time: formatTime(r.submittedAt, now),
    by: r.submittedByName,
    progress: PROGRESS_LABEL[r.progress],
    state: r.state === 'submitted' ? '待审核' : r.state === 'returned' ? '已退回' : '已通过',
    stateKey: r.state,
    text: r.text,
    review,
    ...evidenceRows(r.evidence),
  };
}

function toData(d: TaskDetailView, now: Date): Partial<TaskData> {
  const roles = [
    { key: 'lead', label: '牵头单位' },
    { key: 'responsible', label: '责任单位' },
    { key: 'cooperate', label: '配合单位' },
  ] as const;
  const gate = reportGate(d.round, d.task.no);
  const left = daysLeftText(d.daysLeft);
  const q = `assignmentId=${encodeURIComponent(d.assignment.id)}&roundId=${encodeURIComponent(d.round?.id ?? '')}&taskId=${encodeURIComponent(d.task.id)}`;
  let coop: TaskData['coop'] = null;
  if (d.cooperating) {
    const reported = d.cooperating.filter((c) => c.latest).length;
    coop = {
      summary: `已报 ${reported} 家 / 共 ${d.cooperating.length} 家`,
      // Who reported first: the lead consolidates from those; the rest keep the table's order.
      rows: [...d.cooperating.filter((c) => c.latest), ...d.cooperating.filter((c) => !c.latest)].map((c) => ({
        unitId: c.unitId,
        unitName: c.unitName,
        role: ROLE_LABEL[c.role],
        status: c.status ? STATUS_LABEL[c.status] : '本轮不涉及',
        statusKey: c.status ?? 'none',
        text: c.latest ? clip(c.latest.text, 300) : '',
        meta: c.latest
          ? [
              `第${c.latest.version}版`,
              PROGRESS_LABEL[c.latest.progress],
              formatTime(c.latest.submittedAt, now),
              evidenceRows(c.latest.evidence).counts,
            ]
              .filter(Boolean)
              .join(' · ')
          : '',
      })),
    };
  }
  return {
    phase: 'ready',
    task: {
      no: d.task.no,
      requirement: d.task.requirement,
      section: d.task.sectionTitle,
      category: d.task.categoryTitle,
      deadlineText: d.task.deadlineText ?? '',
    },
    mine: { unitName: d.assignment.unitName, role: ROLE_LABEL[d.assignment.role], roleKey: d.assignment.role },
    unitLines: roles
      .map((r) => ({ key: r.key, label: r.label, names: d.units.filter((u) => u.role === r.key).map((u) => u.unitName) }))
      .filter((r) => r.names.length > 0)
      .map((r) => ({ key: r.key, label: `${r.label}（${r.names.length}）`, names: r.names.join('、') })),
    round: d.round
      ? {
          name: d.round.name,
          due: d.dueDate ? `${formatDay(d.dueDate, now)}截止` : '',
          left: left?.text ?? '',
          urgent: left?.urgent ?? false,
          status: d.status ? STATUS_LABEL[d.status] : '',
          statusKey: d.status ?? '',
        }
      : null,
    report: { ...gate, url: `/pages/report/index?${q}` },
    history: d.history.map((r) => versionRow(r, now)),
    coop,
  };
}

Component({
  data: {
    phase: 'loading',
    error: '',
    taskId: '',
    showImages: false,
    task: null,
    mine: null,
    unitLines: [],
    round: null,
    report: { enabled: false, reason: '', url: '' },
    history: [],
    coop: null,
    expanded: {},
  } as TaskData,

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      enableGroupShare();
      this.setData({ taskId: decodeURIComponent(query.id ?? ''), showImages: canShowCloudImages() });
      void this.load();
    },

    /** 转发 to the work group: the card names the task and lands a newcomer on binding. */
    onShareAppMessage(): ShareCard {
      return taskCard((this.data as TaskData).task?.requirement ?? '');
    },

    onShow() {
      // Back from a submitted report: its new version belongs in the history.
      const own = this as unknown as { shownOnce?: boolean };
      if (own.shownOnce && (this.data as TaskData).phase === 'ready') void this.load(true);
      own.shownOnce = true;
    },

    onPullDownRefresh() {
      void this.load(true).then(() => wx.stopPullDownRefresh());
    },

    async load(quiet = false) {
      const { taskId, phase } = this.data as TaskData;
      if (!taskId) {
        this.setData({ phase: 'error', error: '没有找到这项任务，请返回首页重新打开' });
        return;
      }
      if (!quiet) this.setData({ phase: 'loading', error: '' });
      try {
        const detail = await fetchTaskDetail(taskId);
        this.setData(toData(detail, new Date()));
      } catch (err) {
        if (quiet && phase === 'ready') wx.showToast({ title: errorText(err), icon: 'none' });
        else this.setData({ phase: 'error', error: errorText(err) });
      }
    },

    onRetry() {
      void this.load();
    },

    onReport() {
      const { report } = this.data as TaskData;
      if (!report.enabled) {
        wx.showToast({ title: report.reason, icon: 'none' });
        return;
      }
      void wx.navigateTo({ url: report.url });
    },

    onToggle(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { key: string }>) {
      const { key } = e.currentTarget.dataset;
      this.setData({ [`expanded.${key}`]: !(this.data as TaskData).expanded[key] });
    },

    onPreview(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { v: number; src: string }>) {
      const { v, src } = e.currentTarget.dataset;
      const version = (this.data as TaskData).history[v];
      if (version) wx.previewImage({ urls: version.images, current: src });
    },

    onOpenFile(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string; name: string }>) {
      const { id, name } = e.currentTarget.dataset;
      if (!documentType(name)) {
        wx.previewImage({ urls: [id] });
        return;
      }
      wx.showLoading({ title: '正在打开' });
      openCloudFile(id, name).then(
        () => wx.hideLoading(),
        (err: Error) => {
          wx.hideLoading();
          wx.showToast({ title: err.message, icon: 'none' });
        },
      );
    },

    onCopyLink(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { url: string }>) {
      // Mini programs cannot open outside web pages; copying lets the person paste it in a browser.
      wx.setClipboardData({ data: e.currentTarget.dataset.url });
    },
  },
});
