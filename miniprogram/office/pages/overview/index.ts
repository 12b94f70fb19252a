/**
 * 总览: one reporting round at a glance for 政务公开科 — the counts, the
 * tasks × units matrix as rows with coloured status chips (per task or per
 * unit), who is late and who has not reported at all, and the way into the
 * other office pages. Units stay in directory order: statistics, never a
 * ranking. The overview itself stays off setData: only a page of rows and
 * the chips of the one open row cross the bridge.
 */
import type { OverviewCode, RoundOverview, RoundView } from '../../../shared/api';
import { clip, formatDay, formatTime } from '../../../utils/format';
import { fetchOverview, fetchPlanOf, fetchReviewQueue, listRounds } from '../../services/office';
import { toast } from '../../utils/ui';
import {
  CODE_META,
  completionBar,
  countBoxes,
  countsLine,
  defaultRound,
  loadFailure,
  officeToday,
  roundLabel,
  scopeText,
  type BarSegment,
  type CountBox,
  type LoadPhase,
} from '../../utils/view';
import { officePage } from '../../utils/office-page';

type Mode = 'task' | 'unit';

/** Rows rendered at a time: 20 rows with bars are ~250 nodes, far from the 1000 limit. */
export const PAGE_ROWS = 20;

export interface MatrixRow {
  key: string;
  title: string;
  /** "34 个单位 · 通过 1 · 逾期 3" */
  meta: string;
  bar: BarSegment[];
}
export interface Chip {
  key: string;
  label: string;
  cls: string;
  report: string;
  what: string;
}
interface OverviewData {
  phase: LoadPhase;
  error: string;
  roundNames: string[];
  roundIndex: number;
  round: { id: string; name: string; due: string; scope: string; closed: boolean; asOf: string } | null;
  roundLoading: boolean;
  roundError: string;
  stats: CountBox[];
  assigned: number;
  queueTotal: number;
  mode: Mode;
  rows: MatrixRow[];
  hiddenRows: number;
  expanded: string;
  chips: Chip[];
  overdue: { unitId: string; text: string }[];
  /** Latest reports with a link that did not open at its last check. */
  broken: { reportId: string; text: string }[];
  never: { count: number; names: string };
}

interface OverviewPrivate {
  rounds: RoundView[];
  overview: RoundOverview | null;
  /** Task number → requirement, of the round's plan (titles of task rows). */
  texts: Map<number, string>;
  textsPlan: string;
  shown: number;
  shownOnce: boolean;
}

/** Task rows or unit rows of the matrix. */
export function matrixRows(view: RoundOverview, mode: Mode, texts: Map<number, string>, now: Date = new Date()): MatrixRow[] {
  if (mode === 'task') {
    return view.tasks.map((t) => {
      const own = t.dueDate !== view.round.dueDate ? `本项${formatDay(t.dueDate, now)}截止 · ` : '';
      const text = texts.get(t.no);
      return {
        key: `t${t.no}`,
        title: text ? `${t.no}. ${clip(text, 36)}` : `第 ${t.no} 项`,
        meta: [`${own}${t.counts.assigned} 个单位`, countsLine(t.counts)].filter(Boolean).join(' · '),
        bar: completionBar(t.counts),
      };
    });
  }
  return view.units.map((u) => ({
    key: `u${u.id}`,
    title: u.name,
    meta: [`${u.counts.assigned} 项任务`, countsLine(u.counts)].filter(Boolean).join(' · '),
    bar: completionBar(u.counts),
  }));
}

/** The chips of one row: per unit of a task, or per task of a unit; `-` cells are left out. */
export function rowChips(view: RoundOverview, key: string): Chip[] {
  const chip = (code: string, label: string, report: string | null | undefined, what: string, k: string): Chip | null => {
    const meta = CODE_META[code as Exclude<OverviewCode, '-'>];
    return meta ? { key: k, label, cls: meta.cls, report: report ?? '', what } : null;
  };
  if (key.startsWith('t')) {
    const no = Number(key.slice(1));
    const ti = view.tasks.findIndex((t) => t.no === no);
    if (ti < 0) return [];
    return view.units
      .map((u) => chip(u.cells[ti] ?? '-', u.name, u.reports[ti], `${u.name}第${no}项`, u.id))
      .filter((c): c is Chip => c !== null);
  }
  const unit = view.units.find((u) => `u${u.id}` === key);
  if (!unit) return [];
  return view.tasks
    .map((t, ti) => chip(unit.cells[ti] ?? '-', String(t.no), unit.reports[ti], `${unit.name}第${t.no}项`, `t${t.no}`))
    .filter((c): c is Chip => c !== null);
}

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    roundNames: [],
    roundIndex: 0,
    round: null,
    roundLoading: false,
    roundError: '',
    stats: [],
    assigned: 0,
    queueTotal: 0,
    mode: 'task',
    rows: [],
    hiddenRows: 0,
    expanded: '',
    chips: [],
    overdue: [],
    broken: [],
    never: { count: 0, names: '' },
  } as OverviewData,

  methods: {
    own(): OverviewPrivate {
      return this as unknown as OverviewPrivate;
    },
    view(): OverviewData {
      return this.data as OverviewData;
    },

    onLoad(query: Record<string, string | undefined>) {
      const own = this.own();
      own.rounds = [];
      own.overview = null;
      own.texts = new Map();
      own.textsPlan = '';
      own.shown = PAGE_ROWS;
      void this.load(query.roundId ? decodeURIComponent(query.roundId) : undefined);
    },

    onShow() {
      // Back from a review or a new round: the counts have moved.
      const own = this.own();
      if (own.shownOnce && this.view().phase === 'ready') void this.load(this.view().round?.id, true);
      own.shownOnce = true;
    },

    onPullDownRefresh() {
      void this.load(this.view().round?.id, true).then(() => wx.stopPullDownRefresh());
    },

    async load(roundId?: string, quiet = false) {
      const own = this.own();
      if (!quiet) this.setData({ phase: 'loading', error: '' });
      try {
        // review.queue is admin-only: a refusal shows up here even before any round exists.
        const [rounds, queue] = await Promise.all([listRounds(), fetchReviewQueue(undefined, 1)]);
        own.rounds = rounds;
        const pick = rounds.find((r) => r.id === roundId) ?? defaultRound(rounds, officeToday());
        const now = new Date();
        this.setData({
          phase: 'ready',
          queueTotal: queue.total,
          roundNames: rounds.map((r) => roundLabel(r, now)),
          roundIndex: pick ? rounds.indexOf(pick) : 0,
        });
        if (pick) await this.showRound(pick, quiet);
        else this.setData({ round: null, rows: [], chips: [], expanded: '' });
      } catch (err) {
        if (quiet && this.view().phase === 'ready') toast(loadFailure(err).error);
        else this.setData(loadFailure(err));
      }
    },

    async showRound(round: RoundView, quiet = false) {
      const own = this.own();
      if (!quiet) this.setData({ roundLoading: true, roundError: '' });
      try {
        const texts = own.textsPlan === round.planId ? Promise.resolve(own.texts) : this.planTexts(round.planId);
        const [view, map] = await Promise.all([fetchOverview(round.id), texts]);
        own.overview = view;
        own.texts = map;
        own.textsPlan = round.planId;
        this.render(quiet);
      } catch (err) {
        if (quiet) toast(loadFailure(err).error);
        else this.setData({ roundLoading: false, roundError: loadFailure(err).error, round: null });
      }
    },

    /** Task texts only make the rows easier to read: without them the rows still work. */
    async planTexts(planId: string): Promise<Map<number, string>> {
      try {
        const plan = await fetchPlanOf(planId);
        return new Map(plan.tasks.map((t) => [t.no, t.requirement]));
      } catch {
        return new Map();
      }
    },

    /** Everything shown for the current overview, mode, page and open row. */
    render(keepOpen = false) {
      const own = this.own();
      const view = own.overview;
      if (!view) return;
      const now = new Date();
      const d = this.view();
      const rows = matrixRows(view, d.mode, own.texts, now);
      if (!keepOpen) own.shown = PAGE_ROWS;
      const expanded = keepOpen && rows.some((r) => r.key === d.expanded) ? d.expanded : '';
      const names = new Map(view.units.map((u) => [u.id, u.name]));
      const never = view.neverSubmitted.map((id) => names.get(id) ?? id);
      this.setData({
        roundLoading: false,
        roundError: '',
        round: {
          id: view.round.id,
          name: view.round.name,
          due: formatDay(view.round.dueDate, now),
          scope: scopeText(view.round.scope),
          closed: view.round.status === 'closed',
          asOf: formatTime(view.asOf, now),
        },
        stats: countBoxes(view.totals),
        assigned: view.totals.assigned,
        rows: rows.slice(0, own.shown),
        hiddenRows: Math.max(0, rows.length - own.shown),
        expanded,
        chips: expanded ? rowChips(view, expanded) : [],
        overdue: view.overdue.map((o) => ({ unitId: o.unitId, text: `${names.get(o.unitId) ?? o.unitId}：第 ${o.taskNos.join('、')} 项` })),
        never: { count: never.length, names: never.join('、') },
        broken: view.brokenLinks.map((b) => ({
          reportId: b.reportId,
          text: `第 ${b.taskNo} 项 · ${names.get(b.unitId) ?? b.unitId}：${b.links} 个链接打不开`,
        })),
      });
    },

    onPickRound(e: WechatMiniprogram.PickerChange) {
      const index = Number(e.detail.value);
      const round = this.own().rounds[index];
      if (!round) return;
      this.setData({ roundIndex: index });
      void this.showRound(round);
    },

    onRetry() {
      void this.load(this.view().round?.id);
    },

    onMode(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { mode: Mode }>) {
      const { mode } = e.currentTarget.dataset;
      if (mode === this.view().mode) return;
      this.setData({ mode });
      this.render();
    },

    onMoreRows() {
      const own = this.own();
      if (!own.overview) return;
      const all = matrixRows(own.overview, this.view().mode, own.texts);
      const start = own.shown;
      own.shown += PAGE_ROWS;
      // Path-based: only the appended rows cross the bridge.
      const patch: Record<string, unknown> = { hiddenRows: Math.max(0, all.length - own.shown) };
      all.slice(start, own.shown).forEach((row, i) => (patch[`rows[${start + i}]`] = row));
      this.setData(patch);
    },

    onToggleRow(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { key: string }>) {
      const { key } = e.currentTarget.dataset;
      const view = this.own().overview;
      if (!view) return;
      if (this.view().expanded === key) this.setData({ expanded: '', chips: [] });
      else this.setData({ expanded: key, chips: rowChips(view, key) });
    },

    onOpenReport(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { report: string }>) {
      void wx.navigateTo({ url: `/office/pages/review/index?reportId=${encodeURIComponent(e.currentTarget.dataset.report)}` });
    },

    onChip(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { report: string; what: string }>) {
      const { report, what } = e.currentTarget.dataset;
      if (!report) {
        toast(`${what}本轮还没有报送`);
        return;
      }
      void wx.navigateTo({ url: `/office/pages/review/index?reportId=${encodeURIComponent(report)}` });
    },

    onGo(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { page: string }>) {
      const { page } = e.currentTarget.dataset;
      const roundId = this.view().round?.id;
      // The review queue shows every round (its badge counts them all); 催办 is per round.
      const withRound = page === 'urge' && roundId ? `?roundId=${encodeURIComponent(roundId)}` : '';
      void wx.navigateTo({ url: `/office/pages/${page}/index${withRound}` });
    },
  },
});
