/**
 * 首页: who I am on this system and the year's table at a glance.
 * The contact-person journey (bind, my unit's tasks) grows from here.
 */
import type { MeView, PlanView } from '../../shared/api';
import { errorText } from '../../services/call';
import { fetchMe, fetchPlan } from '../../services/plan';

type Phase = 'loading' | 'ready' | 'error';

interface HomeData {
  phase: Phase;
  error: string;
  me: MeView | null;
  plan: null | {
    year: number;
    title: string;
    docNo: string;
    taskCount: number;
    sectionCount: number;
    categoryCount: number;
  };
}

function summarize(plan: PlanView): HomeData['plan'] {
  return {
    year: plan.year,
    title: plan.title,
    docNo: plan.docNo,
    taskCount: plan.tasks.length,
    sectionCount: plan.sections.length,
    categoryCount: plan.categories.length,
  };
}

Component({
  data: { phase: 'loading', error: '', me: null, plan: null } as HomeData,

  methods: {
    onLoad() {
      void this.load();
    },

    onPullDownRefresh() {
      void this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      this.setData({ phase: 'loading', error: '' });
      try {
        const [me, plan] = await Promise.all([fetchMe(), fetchPlan()]);
        this.setData({ phase: 'ready', me, plan: summarize(plan) });
      } catch (err) {
        this.setData({ phase: 'error', error: errorText(err) });
      }
    },

    onRetry() {
      void this.load();
    },

    onOpenPlan() {
      const year = (this.data as HomeData).plan?.year;
      if (year !== undefined) void wx.navigateTo({ url: `/pages/plan/index?year=${year}` });
    },
  },
});
