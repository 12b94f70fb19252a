/**
 * 轮次管理: the reporting rounds of the current table — list, create,
 * edit (name, due day, all tasks or chosen ones, per-task due days such as
 * task 32's 2021年年底前) and close with a confirmation. The table's tasks
 * stay off setData; only the rows matching the search are rendered.
 */
import type { MeView, PlanTaskView, RoundInput, RoundView } from '../../../shared/api';
import { errorField, errorText } from '../../../services/call';
import { fetchMe } from '../../../services/contacts';
import { clip, formatDay } from '../../../utils/format';
import { closeRound, createRound, fetchPlanOf, listRounds, updateRound } from '../../services/office';
import { confirmDialog, toast } from '../../utils/ui';
import { FORBIDDEN_TEXT, loadFailure, officeToday, scopeText, type LoadPhase } from '../../utils/view';
import { officePage } from '../../utils/office-page';

export const NAME_MAX = 30;

type Field = 'name' | 'dueDate' | 'scope' | 'overrides' | 'form';

interface RoundRow {
  id: string;
  name: string;
  meta: string;
  open: boolean;
}
interface OverrideRow {
  no: number;
  date: string;
}
interface TaskRow {
  no: number;
  text: string;
}
interface RoundForm {
  id: string;
  name: string;
  dueDate: string;
  all: boolean;
  overrides: OverrideRow[];
}
interface RoundsData {
  phase: LoadPhase;
  error: string;
  mode: 'list' | 'form';
  rows: RoundRow[];
  form: RoundForm;
  /** `t<no>` → chosen; path-based updates keep a tap to one key. */
  selected: Record<string, boolean>;
  selectedCount: number;
  query: string;
  taskRows: TaskRow[];
  /** Labels of the tasks that can still get their own due day (picker range). */
  overrideOptions: string[];
  suggestions: { no: number; date: string; text: string }[];
  errors: Partial<Record<Field, string>>;
  saving: boolean;
  today: string;
}
interface RoundsPrivate {
  rounds: RoundView[];
  tasks: PlanTaskView[];
  planId: string;
  /** Task numbers behind `overrideOptions`, same order. */
  optionNos: number[];
}

const emptyForm = (): RoundForm => ({ id: '', name: '', dueDate: '', all: true, overrides: [] });

export function roundRow(r: RoundView, now: Date = new Date()): RoundRow {
  const overrides = Object.keys(r.overrides).length;
  const parts = [`${formatDay(r.dueDate, now)}截止`, scopeText(r.scope)];
  if (overrides) parts.push(`${overrides} 项单独截止`);
  return { id: r.id, name: r.name, meta: parts.join(' · '), open: r.status === 'open' };
}

/** Tasks whose 序号 starts with the query, or whose text contains it. */
export function matchTasks(tasks: readonly PlanTaskView[], query: string): TaskRow[] {
  const q = query.trim();
  const numeric = /^\d+$/.test(q);
  return tasks
    .filter((t) => !q || (numeric ? String(t.no).startsWith(q) : t.requirement.includes(q)))
    .map((t) => ({ no: t.no, text: clip(t.requirement, 40) }));
}

/** Client checks in the server's words; the server checks again. */
export function checkRound(form: RoundForm, chosen: number[]): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  const name = form.name.trim();
  if (!name) errors.name = '请填写轮次名称，如“第三季度报送”';
  else if ([...name].length > NAME_MAX) errors.name = `名称不能超过 ${NAME_MAX} 个字`;
  if (!form.dueDate) errors.dueDate = '请选择截止日期';
  if (!form.all && chosen.length === 0) errors.scope = '请至少选择一项任务，或改为“全部任务”';
  if (form.overrides.some((o) => !o.date)) errors.overrides = '请为每个单独截止的任务选择日期';
  return errors;
}

function fieldOf(field: string | undefined): Field {
  const root = (field ?? '').split(/[.[]/)[0];
  return root === 'name' || root === 'dueDate' || root === 'scope' || root === 'overrides' ? root : 'form';
}

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    mode: 'list',
    rows: [],
    form: emptyForm(),
    selected: {},
    selectedCount: 0,
    query: '',
    taskRows: [],
    overrideOptions: [],
    suggestions: [],
    errors: {},
    saving: false,
    today: '',
  } as RoundsData,

  methods: {
    own(): RoundsPrivate {
      return this as unknown as RoundsPrivate;
    },
    view(): RoundsData {
      return this.data as RoundsData;
    },

    onLoad() {
      this.own().rounds = [];
      this.own().tasks = [];
      this.own().optionNos = [];
      this.setData({ today: officeToday() });
      void this.load();
    },

    async load(quiet = false) {
      if (!quiet) this.setData({ phase: 'loading', error: '' });
      try {
        // round.list also answers contacts: the admin check comes from me.get, in parallel.
        const rest = Promise.all([listRounds(), fetchPlanOf(undefined)]).then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        const [me, got] = await Promise.all([fetchMe(), rest]);
        if (!(me as MeView).isAdmin) {
          this.setData({ phase: 'forbidden', error: FORBIDDEN_TEXT });
          return;
        }
        if (!got.ok) throw got.e;
        const [rounds, plan] = got.v;
        const own = this.own();
        own.rounds = rounds;
        own.tasks = plan.tasks;
        own.planId = plan.id;
        const now = new Date();
        this.setData({ phase: 'ready', rows: rounds.map((r) => roundRow(r, now)) });
      } catch (err) {
        if (quiet && this.view().phase === 'ready') toast(errorText(err));
        else this.setData(loadFailure(err));
      }
    },

    // ---- list ---------------------------------------------------------------------------

    onNew() {
      this.openForm(emptyForm());
    },

    onEdit(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      const round = this.own().rounds.find((r) => r.id === e.currentTarget.dataset.id);
      if (!round) return;
      if (round.status !== 'open') {
        toast('已结束的轮次不能修改，如需补报请新建一轮');
        return;
      }
      this.openForm(
        {
          id: round.id,
          name: round.name,
          dueDate: round.dueDate,
          all: round.scope === 'all',
          overrides: Object.entries(round.overrides)
            .map(([no, date]) => ({ no: Number(no), date }))
            .sort((a, b) => a.no - b.no),
        },
        round.scope === 'all' ? [] : round.scope,
      );
    },

    openForm(form: RoundForm, chosen: number[] = []) {
      const selected: Record<string, boolean> = {};
      for (const no of chosen) selected[`t${no}`] = true;
      this.setData({
        mode: 'form',
        form,
        selected,
        selectedCount: chosen.length,
        query: '',
        taskRows: form.all ? [] : matchTasks(this.own().tasks, ''),
        errors: {},
      });
      this.refreshOverrides();
      wx.pageScrollTo({ scrollTop: 0, duration: 0 });
    },

    onOverview(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      void wx.navigateTo({ url: `/office/pages/overview/index?roundId=${encodeURIComponent(e.currentTarget.dataset.id)}` });
    },

    async onClose(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      const round = this.own().rounds.find((r) => r.id === e.currentTarget.dataset.id);
      if (!round) return;
      const ok = await confirmDialog(
        '关闭报送轮次',
        `关闭「${round.name}」后，联络员不能再报送或修改本轮内容，已报送的内容都会保留。确定关闭吗？`,
        '关闭',
        true,
      );
      if (!ok) return;
      try {
        await closeRound(round.id);
        toast(`「${round.name}」已关闭`);
        await this.load(true);
      } catch (err) {
        toast(errorText(err));
      }
    },

    // ---- form ---------------------------------------------------------------------------

    chosen(): number[] {
      const { selected } = this.view();
      return this.own()
        .tasks.map((t) => t.no)
        .filter((no) => selected[`t${no}`]);
    },

    /** The tasks in scope: the override picker and the table's own deadlines follow it. */
    refreshOverrides() {
      const { form } = this.view();
      const own = this.own();
      const inScope = form.all ? own.tasks : own.tasks.filter((t) => this.view().selected[`t${t.no}`]);
      const taken = new Set(form.overrides.map((o) => o.no));
      const free = inScope.filter((t) => !taken.has(t.no));
      own.optionNos = free.map((t) => t.no);
      this.setData({
        overrideOptions: free.map((t) => `第 ${t.no} 项 ${clip(t.requirement, 14)}`),
        suggestions: free
          .filter((t) => t.deadline)
          .map((t) => ({ no: t.no, date: t.deadline ?? '', text: `任务分解表规定第 ${t.no} 项${t.deadlineText ?? ''}完成` })),
      });
    },

    onName(e: WechatMiniprogram.Input) {
      this.setData({ 'form.name': e.detail.value, 'errors.name': '' });
    },

    onDueDate(e: WechatMiniprogram.PickerChange) {
      this.setData({ 'form.dueDate': String(e.detail.value), 'errors.dueDate': '' });
    },

    onScope(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { all: string }>) {
      const all = e.currentTarget.dataset.all === 'yes';
      this.setData({
        'form.all': all,
        'errors.scope': '',
        taskRows: all ? [] : matchTasks(this.own().tasks, this.view().query),
      });
      this.dropOutOfScope();
    },

    onSearch(e: WechatMiniprogram.Input) {
      this.setData({ query: e.detail.value, taskRows: matchTasks(this.own().tasks, e.detail.value) });
    },

    onClearSearch() {
      this.setData({ query: '', taskRows: matchTasks(this.own().tasks, '') });
    },

    onToggleTask(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { no: number }>) {
      const key = `t${e.currentTarget.dataset.no}`;
      const on = !this.view().selected[key];
      this.setData({ [`selected.${key}`]: on, selectedCount: this.view().selectedCount + (on ? 1 : -1), 'errors.scope': '' });
      this.dropOutOfScope();
    },

    onClearChosen() {
      this.setData({ selected: {}, selectedCount: 0 });
      this.dropOutOfScope();
    },

    /** An override may only name a task the round asks about (the server refuses others). */
    dropOutOfScope() {
      const { form, selected } = this.view();
      const overrides = form.all ? form.overrides : form.overrides.filter((o) => selected[`t${o.no}`]);
      if (overrides.length !== form.overrides.length) this.setData({ 'form.overrides': overrides });
      this.refreshOverrides();
    },

    onAddOverride(e: WechatMiniprogram.PickerChange) {
      const no = this.own().optionNos[Number(e.detail.value)];
      if (no === undefined) return;
      this.addOverride(no, this.view().form.dueDate);
    },

    onUseSuggestion(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { no: number; date: string }>) {
      const { no, date } = e.currentTarget.dataset;
      this.addOverride(Number(no), date);
    },

    addOverride(no: number, date: string) {
      const overrides = [...this.view().form.overrides, { no, date }].sort((a, b) => a.no - b.no);
      this.setData({ 'form.overrides': overrides, 'errors.overrides': '' });
      this.refreshOverrides();
    },

    onOverrideDate(e: WechatMiniprogram.PickerChange<Record<string, never>, { index: number }>) {
      this.setData({ [`form.overrides[${e.currentTarget.dataset.index}].date`]: String(e.detail.value), 'errors.overrides': '' });
    },

    onRemoveOverride(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { index: number }>) {
      const { index } = e.currentTarget.dataset;
      this.setData({ 'form.overrides': this.view().form.overrides.filter((_, i) => i !== index) });
      this.refreshOverrides();
    },

    onCancel() {
      this.setData({ mode: 'list', errors: {} });
    },

    async onSave() {
      const d = this.view();
      if (d.saving) return;
      const chosen = this.chosen();
      const errors = checkRound(d.form, chosen);
      if (Object.keys(errors).length > 0) {
        this.setData({ errors });
        return;
      }
      const overrides: Record<string, string> = {};
      for (const o of d.form.overrides) overrides[String(o.no)] = o.date;
      const input: RoundInput = { name: d.form.name.trim(), dueDate: d.form.dueDate, scope: d.form.all ? 'all' : chosen, overrides };
      this.setData({ saving: true, errors: {} });
      try {
        const round = d.form.id ? await updateRound(d.form.id, input) : await createRound(input);
        this.setData({ saving: false, mode: 'list' });
        toast(d.form.id ? `已保存「${round.name}」` : `已新建「${round.name}」`);
        await this.load(true);
      } catch (err) {
        this.setData({ saving: false, errors: { [fieldOf(errorField(err))]: errorText(err) } });
      }
    },
  },
});
