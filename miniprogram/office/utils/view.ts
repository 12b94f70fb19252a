/**
 * Pure display rules of the office pages: no `wx`, so they are testable
 * and shared by every page of the subpackage.
 */
import type { AuditEntryView, OverviewCode, RoundView, StatusCounts, UnitKind } from '../../shared/api';
import { ApiCallError, errorText } from '../../services/call';
import { formatDay } from '../../utils/format';

export type LoadPhase = 'loading' | 'ready' | 'error' | 'forbidden';

export const FORBIDDEN_TEXT = '此页面仅供政务公开科管理员使用。如需开通，请联系现有管理员在「联络员管理」中把您设为管理员。';

/** A failed first load: a refusal gets its own screen (retrying will not help), anything else a retry. */
export function loadFailure(err: unknown): { phase: LoadPhase; error: string } {
  if (err instanceof ApiCallError && err.code === 'FORBIDDEN') return { phase: 'forbidden', error: FORBIDDEN_TEXT };
  return { phase: 'error', error: errorText(err) };
}

export const isConflict = (err: unknown): boolean => err instanceof ApiCallError && err.code === 'CONFLICT';

/** One overview cell status: label and the class that colours it. */
export const CODE_META: Record<Exclude<OverviewCode, '-'>, { label: string; cls: string }> = {
  a: { label: '已通过', cls: 'st-a' },
  s: { label: '已报待审', cls: 'st-s' },
  r: { label: '退回', cls: 'st-r' },
  o: { label: '逾期', cls: 'st-o' },
  n: { label: '未报', cls: 'st-n' },
};

export interface CountBox {
  key: string;
  label: string;
  value: number;
  cls: string;
}

/** 已通过 / 已报待审 / 退回 / 逾期 / 未报, in the order the office reads them. */
export function countBoxes(c: StatusCounts): CountBox[] {
  return [
    { key: 'a', label: CODE_META.a.label, value: c.approved, cls: CODE_META.a.cls },
    { key: 's', label: CODE_META.s.label, value: c.submitted, cls: CODE_META.s.cls },
    { key: 'r', label: CODE_META.r.label, value: c.returned, cls: CODE_META.r.cls },
    { key: 'o', label: CODE_META.o.label, value: c.overdue, cls: CODE_META.o.cls },
    { key: 'n', label: CODE_META.n.label, value: c.not_started, cls: CODE_META.n.cls },
  ];
}

/** "通过 3 · 待审 1 · 逾期 2" — zero counts left out, so a row stays one line. */
export function countsLine(c: StatusCounts): string {
  const parts: [string, number][] = [
    ['通过', c.approved],
    ['待审', c.submitted],
    ['退回', c.returned],
    ['逾期', c.overdue],
    ['未报', c.not_started],
  ];
  return parts
    .filter(([, n]) => n > 0)
    .map(([l, n]) => `${l} ${n}`)
    .join(' · ');
}

export interface BarSegment {
  cls: string;
  pct: number;
}

/** A stacked completion bar: widths in whole percent, empty segments left out. */
export function completionBar(c: StatusCounts): BarSegment[] {
  const total = c.assigned || 1;
  return [
    { cls: 'st-a', n: c.approved },
    { cls: 'st-s', n: c.submitted },
    { cls: 'st-r', n: c.returned },
    { cls: 'st-o', n: c.overdue },
    { cls: 'st-n', n: c.not_started },
  ]
    .filter((s) => s.n > 0)
    .map((s) => ({ cls: s.cls, pct: Math.round((s.n / total) * 1000) / 10 }));
}

/** "全部任务" or "第 3、5、24 项" (long lists shortened). */
export function scopeText(scope: RoundView['scope']): string {
  if (scope === 'all') return '全部任务';
  if (scope.length <= 6) return `第 ${scope.join('、')} 项`;
  return `第 ${scope.slice(0, 5).join('、')} 等 ${scope.length} 项`;
}

/** A round in one line, for pickers: "第三季度报送（9月30日截止）" / "…（已结束）". */
export function roundLabel(r: RoundView, now: Date = new Date()): string {
  return r.status === 'open' ? `${r.name}（${formatDay(r.dueDate, now)}截止）` : `${r.name}（已结束）`;
}

/** The round to show first: the open one due next, else the latest open one, else the latest. */
export function defaultRound(rounds: readonly RoundView[], today: string): RoundView | undefined {
  const open = rounds.filter((r) => r.status === 'open');
  const upcoming = open.filter((r) => r.dueDate >= today).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  return upcoming[0] ?? open[open.length - 1] ?? rounds[rounds.length - 1];
}

export const KIND_LABEL: Record<UnitKind, string> = { department: '部门', town: '镇街', other: '其他' };

/** The office's day `YYYY-MM-DD` (China Standard Time, whatever the phone's zone). */
export function officeToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

// ---- the audit log ------------------------------------------------------------------------

export const ACTION_LABEL: Record<string, string> = {
  'admin.bootstrap': '初始化管理员',
  'admin.add': '添加管理员',
  'admin.remove': '移除管理员',
  'plan.seed': '导入任务分解表',
  'contact.bind': '申请绑定',
  'contact.leave': '解除绑定',
  'contact.approve': '通过绑定',
  'contact.reject': '拒绝绑定',
  'contact.remove': '移除联络员',
  'group.register': '登记工作群',
  'round.create': '新建轮次',
  'round.update': '修改轮次',
  'round.close': '关闭轮次',
  'unit.create': '添加单位',
  'unit.update': '修改单位',
  'unit.retire': '停用单位',
  'unit.restore': '恢复单位',
  'unit.assign': '补充责任分工',
  'review.decide': '审核报送',
  'urge.send': '催办',
  'ledger.export': '导出工作台账',
  'ledger.archive': '打包佐证材料',
  'import.commit': '导入任务分解表',
  'plan.setCurrent': '切换当前年度',
};

/** The filter picker of the audit page: '' is 全部. */
export const ACTION_FILTERS: { action: string; label: string }[] = [
  { action: '', label: '全部操作' },
  ...[
    'review.decide',
    'urge.send',
    'round.create',
    'round.update',
    'round.close',
    'contact.approve',
    'contact.reject',
    'contact.remove',
    'contact.bind',
    'unit.create',
    'unit.update',
    'unit.retire',
    'unit.restore',
    'admin.add',
    'admin.remove',
    'group.register',
    'ledger.export',
    'ledger.archive',
    'import.commit',
    'plan.setCurrent',
  ].map((action) => ({ action, label: ACTION_LABEL[action] ?? action })),
];

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** What an entry did, in a few words from its detail (never the raw JSON). */
export function auditSummary(e: AuditEntryView): string {
  const d = e.detail ?? {};
  switch (e.action) {
    case 'review.decide': {
      const what = d.decision === 'approve' ? '通过' : d.decision === 'return' ? '退回' : '';
      const head = [d.taskNo !== undefined ? `第${str(d.taskNo)}项` : '', d.version !== undefined ? `第${str(d.version)}版` : '', what]
        .filter(Boolean)
        .join(' ');
      return d.note ? `${head}：${str(d.note)}` : head;
    }
    case 'round.create':
    case 'round.update':
      return [str(d.name), d.dueDate ? `${str(d.dueDate)}截止` : ''].filter(Boolean).join(' · ');
    case 'round.close':
    case 'unit.retire':
    case 'unit.restore':
    case 'admin.add':
    case 'admin.remove':
      return str(d.name);
    case 'unit.create':
      return str(d.name);
    case 'unit.assign':
      return d.added !== undefined ? `新增 ${str(d.added)} 项责任分工` : '';
    case 'contact.reject':
      return d.note ? `理由：${str(d.note)}` : '';
    case 'urge.send':
      return Array.isArray(d.unitIds) ? `${d.unitIds.length} 个单位` : '';
    case 'ledger.export':
    case 'ledger.archive': {
      const count =
        e.action === 'ledger.export'
          ? `${str(d.rows)} 行`
          : `${str(d.files)} 个文件${Number(d.missing) > 0 ? `，缺 ${str(d.missing)} 个` : ''}`;
      return [`${str(d.year)}年`, d.roundId ? '单个轮次' : '全年', count].join(' · ');
    }
    case 'import.commit':
      return `${str(d.year)}年 · ${str(d.tasks)} 项任务${d.makeCurrent ? ' · 设为当前年度' : ''}`;
    case 'plan.setCurrent':
      return d.previous ? `${str(d.previous)}年 → ${str(d.year)}年` : `${str(d.year)}年`;
    case 'unit.update': {
      const name = d.name as { from?: unknown; to?: unknown } | undefined;
      return name && typeof name === 'object' ? `名称：${str(name.from)} → ${str(name.to)}` : '';
    }
    default:
      return '';
  }
}
