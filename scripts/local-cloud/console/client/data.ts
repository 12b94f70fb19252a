/** 数据: the plan as its printed table, and every collection with paging and a field filter. */
import type { CollectionRow, DocRow, Page, PlanRow, PlanTableView, PlanTaskRow, RoleUnits } from '../types';
import { brief, fill, getJson, h, load, pager, table } from './dom';

const PAGE = 20;
/** Columns shown per collection page; the rest are in each row's full JSON. */
const MAX_COLUMNS = 8;
/** Above this many units a role shows the table's own wording and folds the list. */
const FOLD_UNITS = 6;
/** What each collection holds (cloudfunctions/common/schema.ts), for readers who do not know the names. */
const COLLECTION_GLOSS: Record<string, string> = {
  plans: '任务分解表',
  tasks: '任务',
  units: '单位',
  assignments: '责任分工',
  rounds: '报送轮次',
  reports: '报送',
  reviews: '审核',
  evidence: '证明材料',
  contacts: '联络员',
  subscriptions: '订阅次数',
  reminders: '提醒记录',
  digests: '每日汇总',
  audit: '操作日志',
  settings: '设置',
  urges: '催办',
};

export function dataPanel(root: HTMLElement, sub: string[]): void {
  const side = h('nav', { class: 'side', attrs: { 'aria-label': '数据' } });
  const body = h('section', { class: 'side-body' });
  fill(root, h('div', { class: 'split' }, side, body));
  void load(side, async () => {
    const [plans, collections] = await Promise.all([getJson<PlanRow[]>('plans'), getJson<CollectionRow[]>('collections')]);
    const [kind, name] = sub;
    const current = kind === 'coll' && name ? `coll/${name}` : `plan/${name ?? plans[0]?.year ?? ''}`;
    const link = (target: string, label: string, count?: number, gloss?: string) =>
      h(
        'a',
        { class: target === current ? 'side-link active' : 'side-link', attrs: { href: `#data/${target}`, 'data-target': target } },
        h('span', null, label, gloss ? h('span', { class: 'gloss' }, gloss) : null),
        count === undefined ? null : h('span', { class: 'count' }, count),
      );
    if (kind === 'coll' && name) void showCollection(body, name);
    else if (plans.length) void showPlan(body, Number(name ?? plans[0]?.year));
    else fill(body, h('div', { class: 'muted' }, '还没有任务分解表：以空库启动时，先在小程序中初始化并导入。'));
    return [
      h('div', { class: 'side-title' }, '任务分解表'),
      plans.map((p) => link(`plan/${p.year}`, `${p.year} 年`, p.taskCount)),
      h('div', { class: 'side-title' }, '集合'),
      collections.map((c) => link(`coll/${c.name}`, c.name, c.count, COLLECTION_GLOSS[c.name])),
    ];
  });
}

function roleLine(r: RoleUnits): HTMLElement {
  const tag = h('span', { class: `role role-${r.role}` }, r.label);
  if (r.units.length <= FOLD_UNITS) return h('div', { class: 'role-line' }, tag, (r.units.length ? r.units : r.named).join('、'));
  return h(
    'details',
    { class: 'role-line' },
    h('summary', { title: '展开全部单位' }, tag, r.named.join('、'), h('span', { class: 'more' }, `（${r.units.length} 个单位）`)),
    h('div', { class: 'unit-list' }, r.units.join('、')),
  );
}

function taskRows(tasks: PlanTaskRow[]): Node[] {
  const rows: Node[] = [];
  let section = '';
  let category = '';
  for (const t of tasks) {
    if (t.section !== section) {
      section = t.section;
      rows.push(h('tr', { class: 'group-row section' }, h('td', { attrs: { colspan: '4' } }, section)));
    }
    if (t.category !== category) {
      category = t.category;
      rows.push(h('tr', { class: 'group-row category' }, h('td', { attrs: { colspan: '4' } }, category)));
    }
    rows.push(
      h(
        'tr',
        { class: 'task-row', attrs: { 'data-no': String(t.no) } },
        h('td', { class: 'num' }, t.no),
        h('td', { class: 'requirement' }, t.requirement),
        h('td', { class: 'units' }, t.roles.length ? t.roles.map(roleLine) : t.unitsText),
        h('td', { class: 'deadline' }, t.deadline ?? '—'),
      ),
    );
  }
  return rows;
}

async function showPlan(body: HTMLElement, year: number): Promise<void> {
  await load(body, async () => {
    const plan = await getJson<PlanTableView>('plan', { year });
    return [
      h('h2', null, plan.title),
      h('p', { class: 'muted' }, `${plan.docNo} · ${plan.tasks.length} 项任务 · ${plan.assignments} 条责任分工`),
      table(['序号', '任务要求', '责任单位', '完成时限'], taskRows(plan.tasks), { class: 'plan-table' }),
    ];
  });
}

function columnsOf(docs: DocRow[]): string[] {
  const keys: string[] = ['_id'];
  for (const d of docs) for (const k of Object.keys(d)) if (!keys.includes(k)) keys.push(k);
  return keys.slice(0, MAX_COLUMNS);
}

async function showCollection(body: HTMLElement, name: string): Promise<void> {
  const field = h('input', { class: 'input', attrs: { placeholder: '字段，如 unitId', 'aria-label': '字段' } });
  const value = h('input', { class: 'input', attrs: { placeholder: '值（等于或包含）', 'aria-label': '值' } });
  const results = h('div');
  const go = (offset: number) =>
    load(results, async () => {
      const page = await getJson<Page<DocRow>>('docs', {
        collection: name,
        offset,
        limit: PAGE,
        field: field.value.trim(),
        value: value.value,
      });
      const cols = columnsOf(page.items);
      const rows = page.items.flatMap((d) => {
        const detail = h(
          'tr',
          { class: 'detail-row', attrs: { hidden: '' } },
          h('td', { attrs: { colspan: String(cols.length) } }, h('pre', null, JSON.stringify(d, null, 2))),
        );
        const row = h(
          'tr',
          { class: 'doc-row', title: '点击查看完整文档', on: { click: () => detail.toggleAttribute('hidden') } },
          cols.map((c) => h('td', null, brief(d[c]))),
        );
        return [row, detail];
      });
      return [
        table(cols, rows, { class: 'docs-table', empty: field.value ? '没有符合条件的文档' : '集合为空' }),
        pager(page, (o) => void go(o)),
      ];
    });
  const form = h(
    'form',
    { class: 'toolbar', on: { submit: (ev) => (ev.preventDefault(), void go(0)) } },
    field,
    value,
    h('button', { class: 'btn primary', attrs: { type: 'submit' } }, '筛选'),
    h(
      'button',
      { class: 'btn', attrs: { type: 'button' }, on: { click: () => ((field.value = ''), (value.value = ''), void go(0)) } },
      '清除',
    ),
  );
  fill(
    body,
    h('h2', null, `集合 ${name}`, COLLECTION_GLOSS[name] ? h('span', { class: 'gloss' }, COLLECTION_GLOSS[name]) : null),
    form,
    results,
  );
  await go(0);
}
