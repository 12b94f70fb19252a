/**
 * 首页: what my unit owes and by when. Not bound → a way to bind; pending →
 * a notice; active → this round's tasks grouped by what needs doing.
 * Only display rows cross setData: never the plan or full requirements.
 */
import type { MeView, MyTaskItem, MyTasksView } from '../../shared/api';
import { ROLE_LABEL, STATUS_LABEL } from '../../shared/api';
import { errorText } from '../../services/call';
import { fetchMe } from '../../services/contacts';
import { fetchPlans } from '../../services/plan';
import { fetchMyTasks } from '../../services/tasks';
import { clip, daysLeftText, formatDay } from '../../utils/format';
import { enableGroupShare } from '../../utils/platform';
import { inviteCard, type ShareCard } from '../../utils/share';

type Phase = 'loading' | 'ready' | 'error';
type GroupKey = 'todo' | 'returned' | 'submitted' | 'approved' | 'outside' | 'all';

export interface TaskRow {
  taskId: string;
  no: number;
  text: string;
  role: string;
  roleKey: string;
  due: string;
  left: string;
  urgent: boolean;
  note: string;
  status: string;
}
export interface TaskGroup {
  key: GroupKey;
  title: string;
  count: number;
  collapsed: boolean;
  items: TaskRow[];
}

interface HomeData {
  phase: Phase;
  error: string;
  refreshing: boolean;
  me: {
    isAdmin: boolean;
    needsSetup: boolean;
    state: 'none' | 'pending' | 'active' | 'rejected' | 'removed';
    unitName: string;
    name: string;
    /** The person's account id, which the office needs to make them an administrator. */
    account: string;
  } | null;
  plan: { year: number; title: string } | null;
  headline: string;
  round: { name: string; due: string } | null;
  groups: TaskGroup[];
}

interface HomePrivate {
  shownOnce?: boolean;
}

/** A row shows two lines of the requirement; ~80 characters fill them on any phone. */
const ROW_TEXT_MAX = 80;

function row(item: MyTaskItem, now: Date): TaskRow {
  const left = item.inRound ? daysLeftText(item.daysLeft) : null;
  return {
    taskId: item.taskId,
    no: item.taskNo,
    text: clip(item.requirement, ROW_TEXT_MAX),
    role: ROLE_LABEL[item.role],
    roleKey: item.role,
    due: item.inRound && item.dueDate ? `${formatDay(item.dueDate, now)}截止` : '',
    left: left?.text ?? '',
    urgent: left?.urgent ?? false,
    note: item.status === 'returned' && item.returnNote ? `退回意见：${clip(item.returnNote, 60)}` : '',
    status: item.status ? STATUS_LABEL[item.status] : '',
  };
}

/** "本单位 N 项任务，本轮待报 M 项，退回 K 项，逾期 L 项" (the last two only when > 0). */
export function headline(view: MyTasksView): string {
  const c = view.counts;
  if (!view.round) return `本单位 ${c.total} 项任务`;
  let text = `本单位 ${c.total} 项任务，本轮待报 ${c.pending} 项`;
  if (c.returned > 0) text += `，退回 ${c.returned} 项`;
  if (c.overdue > 0) text += `，逾期 ${c.overdue} 项`;
  return text;
}

const byNo = (a: MyTaskItem, b: MyTaskItem) => a.taskNo - b.taskNo;
/** Late first, then the nearest deadline, then the table's order. */
const byUrgency = (a: MyTaskItem, b: MyTaskItem) => (a.daysLeft ?? 1e9) - (b.daysLeft ?? 1e9) || a.taskNo - b.taskNo;

/** Tasks grouped by what needs doing: 待报, 退回, 已报, 已通过, and 本轮不涉及 folded. */
export function groupTasks(view: MyTasksView, now: Date = new Date()): TaskGroup[] {
  const make = (key: GroupKey, title: string, items: MyTaskItem[], collapsed = false): TaskGroup => ({
    key,
    title,
    count: items.length,
    collapsed,
    items: items.map((i) => row(i, now)),
  });
  if (!view.round) return [make('all', '本单位任务', [...view.items].sort(byNo))].filter((g) => g.count > 0);
  const inRound = view.items.filter((i) => i.inRound);
  const pick = (...statuses: string[]) => inRound.filter((i) => statuses.includes(i.status ?? ''));
  return [
    make('todo', '待报', pick('not_started', 'overdue').sort(byUrgency)),
    make('returned', '退回', pick('returned').sort(byUrgency)),
    make('submitted', '已报', pick('submitted').sort(byNo)),
    make('approved', '已通过', pick('approved').sort(byNo)),
    make('outside', '本轮不涉及', view.items.filter((i) => !i.inRound).sort(byNo), true),
  ].filter((g) => g.count > 0);
}

function meState(me: MeView): NonNullable<HomeData['me']> {
  return {
    isAdmin: me.isAdmin,
    needsSetup: me.needsSetup,
    state: me.contact?.status ?? 'none',
    unitName: me.contact?.unitName ?? '',
    name: me.contact?.name ?? '',
    account: me.openid,
  };
}

Component({
  data: {
    phase: 'loading',
    error: '',
    refreshing: false,
    me: null,
    plan: null,
    headline: '',
    round: null,
    groups: [],
  } as HomeData,

  methods: {
    onLoad() {
      enableGroupShare();
      void this.load();
    },

    /** 转发 from the menu: the card invites colleagues in the work group to bind. */
    onShareAppMessage(): ShareCard {
      return inviteCard();
    },

    onShow() {
      // Back from a report or a binding: refresh quietly, keeping what is on screen.
      const own = this as unknown as HomePrivate;
      if (own.shownOnce && (this.data as HomeData).phase === 'ready') void this.load(true);
      own.shownOnce = true;
    },

    onPullDownRefresh() {
      void this.load(true).then(() => wx.stopPullDownRefresh());
    },

    async load(quiet = false) {
      if (quiet) this.setData({ refreshing: true });
      else this.setData({ phase: 'loading', error: '' });
      try {
        const me = await fetchMe();
        if (me.contact?.status === 'active') {
          const view = await fetchMyTasks();
          const now = new Date();
          this.setData({
            phase: 'ready',
            refreshing: false,
            me: meState(me),
            plan: { year: view.plan.year, title: view.plan.title },
            headline: headline(view),
            round: view.round ? { name: view.round.name, due: formatDay(view.round.dueDate, now) } : null,
            groups: groupTasks(view, now),
          });
        } else {
          const plans = await fetchPlans();
          const current = plans.find((p) => p.current) ?? plans[0];
          this.setData({
            phase: 'ready',
            refreshing: false,
            me: meState(me),
            plan: current ? { year: current.year, title: current.title } : null,
            headline: '',
            round: null,
            groups: [],
          });
        }
      } catch (err) {
        if (quiet && (this.data as HomeData).phase === 'ready') {
          this.setData({ refreshing: false });
          wx.showToast({ title: errorText(err), icon: 'none' });
        } else {
          this.setData({ phase: 'error', refreshing: false, error: errorText(err) });
        }
      }
    },

    onRetry() {
      void this.load();
    },

    onBind() {
      void wx.navigateTo({ url: '/pages/bind/index' });
    },

    onOpenTask(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      void wx.navigateTo({ url: `/pages/task/index?id=${encodeURIComponent(e.currentTarget.dataset.id)}` });
    },

    onToggleGroup(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { index: number }>) {
      const { index } = e.currentTarget.dataset;
      const group = (this.data as HomeData).groups[index];
      // Path-based: only the flag crosses the bridge.
      if (group) this.setData({ [`groups[${index}].collapsed`]: !group.collapsed });
    },

    onOpenOffice() {
      void wx.navigateTo({ url: '/office/pages/overview/index' });
    },

    onSetup() {
      void wx.navigateTo({ url: '/office/pages/setup/index' });
    },

    onOpenPlan() {
      const year = (this.data as HomeData).plan?.year;
      if (year !== undefined) void wx.navigateTo({ url: `/pages/plan/index?year=${year}` });
    },

    /** To be made an administrator, a person sends this id to the office. */
    onCopyAccount() {
      const account = (this.data as HomeData).me?.account;
      if (account) void wx.setClipboardData({ data: account });
    },
  },
});
