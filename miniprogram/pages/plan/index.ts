/**
 * 任务分解表: the year's table as issued — sections, categories and every
 * task with its units by role. Tap a task to read its full requirement.
 */
import type { PlanTaskView, PlanView } from '../../shared/api';
import { ROLE_LABEL } from '../../shared/api';
import { errorText } from '../../services/call';
import { fetchPlan } from '../../services/plan';

interface TaskRow {
  no: number;
  requirement: string;
  units: string;
  deadline: string;
}
interface CategoryBlock {
  key: string;
  title: string;
  tasks: TaskRow[];
}
interface SectionBlock {
  key: string;
  title: string;
  categories: CategoryBlock[];
}
interface PlanPageData {
  phase: 'loading' | 'ready' | 'error';
  error: string;
  title: string;
  docNo: string;
  sections: SectionBlock[];
  expanded: Record<string, boolean>;
}

/** "牵头：A、B；配合：C" — the roles spelled out, as the table's cell means them. */
export function unitsLine(t: PlanTaskView): string {
  const parts: string[] = [];
  if (t.lead.length) parts.push(`${ROLE_LABEL.lead}：${t.lead.join('、')}`);
  if (t.cooperate.length) parts.push(`${ROLE_LABEL.cooperate}：${t.cooperate.join('、')}`);
  if (t.responsible.length) parts.push(`${ROLE_LABEL.responsible}：${t.responsible.join('、')}`);
  return parts.join('；');
}

export function groupPlan(plan: PlanView): SectionBlock[] {
  return plan.sections.map((s) => ({
    key: `s${s.no}`,
    title: `${s.label}、${s.title}`,
    categories: plan.categories
      .filter((c) => c.section === s.no)
      .map((c) => ({
        key: `c${c.no}`,
        title: `${c.label}${c.title}`,
        tasks: plan.tasks
          .filter((t) => t.category === c.no)
          .map((t) => ({ no: t.no, requirement: t.requirement, units: unitsLine(t), deadline: t.deadlineText ?? '' })),
      })),
  }));
}

Component({
  data: { phase: 'loading', error: '', title: '', docNo: '', sections: [], expanded: {} } as PlanPageData,

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const year = Number(query.year);
      void this.load(Number.isInteger(year) && year > 0 ? year : undefined);
    },

    async load(year?: number) {
      this.setData({ phase: 'loading', error: '' });
      try {
        const plan = await fetchPlan(year);
        this.setData({ phase: 'ready', title: plan.title, docNo: plan.docNo, sections: groupPlan(plan) });
      } catch (err) {
        this.setData({ phase: 'error', error: errorText(err) });
      }
    },

    onToggle(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { no: number }>) {
      const { no } = e.currentTarget.dataset;
      const expanded = (this.data as PlanPageData).expanded;
      // Path-based setData: only this task's flag crosses the bridge.
      this.setData({ [`expanded.${no}`]: !expanded[String(no)] });
    },
  },
});
