/**
 * 操作记录: the audit log, newest first, a page at a time (加载更多), with
 * two simple filters — the kind of operation and 只看我的. Rows are appended
 * path-based, so a long scroll never resends what is already shown.
 */
import type { AuditEntryView } from '../../../shared/api';
import { errorText } from '../../../services/call';
import { fetchMe } from '../../../services/contacts';
import { formatTime } from '../../../utils/format';
import { fetchAudit } from '../../services/office';
import { toast } from '../../utils/ui';
import { ACTION_FILTERS, ACTION_LABEL, auditSummary, loadFailure, type LoadPhase } from '../../utils/view';
import { officePage } from '../../utils/office-page';

export const AUDIT_PAGE = 20;
/** Appending forever would pass the 1000-node limit: past this the filters narrow the search. */
export const AUDIT_MAX_ROWS = 160;

export interface AuditRow {
  id: string;
  time: string;
  actor: string;
  action: string;
  target: string;
  summary: string;
}
interface AuditData {
  phase: LoadPhase;
  error: string;
  filterNames: string[];
  filterIndex: number;
  mine: boolean;
  rows: AuditRow[];
  hasMore: boolean;
  capped: boolean;
  loadingMore: boolean;
  listLoading: boolean;
}
interface AuditPrivate {
  me: string;
  next: string | null;
}

export function auditRow(e: AuditEntryView, now: Date = new Date()): AuditRow {
  return {
    id: e.id,
    time: formatTime(e.at, now),
    actor: e.actorName || '（未知）',
    action: ACTION_LABEL[e.action] ?? e.action,
    target: e.targetName,
    summary: auditSummary(e),
  };
}

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    filterNames: ACTION_FILTERS.map((f) => f.label),
    filterIndex: 0,
    mine: false,
    rows: [],
    hasMore: false,
    capped: false,
    loadingMore: false,
    listLoading: false,
  } as AuditData,

  methods: {
    own(): AuditPrivate {
      return this as unknown as AuditPrivate;
    },
    view(): AuditData {
      return this.data as AuditData;
    },

    onLoad() {
      this.own().me = '';
      this.own().next = null;
      void this.load();
    },

    onPullDownRefresh() {
      void this.reload().then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      void this.onMore();
    },

    query() {
      const { filterIndex, mine } = this.view();
      return { action: ACTION_FILTERS[filterIndex]?.action ?? '', actor: mine ? this.own().me : '' };
    },

    async load() {
      this.setData({ phase: 'loading', error: '' });
      try {
        const [page, me] = await Promise.all([fetchAudit({}, AUDIT_PAGE), fetchMe()]);
        this.own().me = me.openid;
        this.own().next = page.next;
        const now = new Date();
        this.setData({ phase: 'ready', rows: page.entries.map((e) => auditRow(e, now)), hasMore: page.next !== null });
      } catch (err) {
        this.setData(loadFailure(err));
      }
    },

    /** The first page again, for the current filters. */
    async reload() {
      this.setData({ listLoading: true });
      try {
        const page = await fetchAudit(this.query(), AUDIT_PAGE);
        this.own().next = page.next;
        const now = new Date();
        this.setData({ listLoading: false, capped: false, rows: page.entries.map((e) => auditRow(e, now)), hasMore: page.next !== null });
      } catch (err) {
        this.setData({ listLoading: false });
        toast(errorText(err));
      }
    },

    async onMore() {
      const own = this.own();
      const d = this.view();
      if (!own.next || d.loadingMore || d.listLoading) return;
      if (d.rows.length >= AUDIT_MAX_ROWS) {
        this.setData({ hasMore: false, capped: true });
        return;
      }
      this.setData({ loadingMore: true });
      try {
        const page = await fetchAudit({ ...this.query(), before: own.next }, AUDIT_PAGE);
        own.next = page.next;
        const now = new Date();
        const start = this.view().rows.length;
        const patch: Record<string, unknown> = { loadingMore: false, hasMore: page.next !== null };
        page.entries.forEach((e, i) => (patch[`rows[${start + i}]`] = auditRow(e, now)));
        this.setData(patch);
      } catch (err) {
        this.setData({ loadingMore: false });
        toast(`${errorText(err)}，可再点「加载更多」`);
      }
    },

    onFilter(e: WechatMiniprogram.PickerChange) {
      this.setData({ filterIndex: Number(e.detail.value) });
      void this.reload();
    },

    onMine() {
      this.setData({ mine: !this.view().mine });
      void this.reload();
    },
  },
});
