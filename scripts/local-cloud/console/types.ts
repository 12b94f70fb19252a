/**
 * What the console's JSON endpoints (GET/POST /local/console/…) answer.
 * Shared by the server side (views.ts) and the browser client, so both
 * agree on every field. Times are ISO 8601 strings; openids are masked
 * everywhere except in `UserRow.openid`, which the 账号 panel needs to call
 * the bridge as that person.
 */

/** The local cloud's clock. */
export interface ClockState {
  /** Now, as the functions see it (ISO). */
  now: string;
  /** False when it follows the real time. */
  set: boolean;
  /** Milliseconds ahead of the real time (negative: behind). */
  offsetMs: number;
}

export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  next: number | null;
  items: T[];
}

export interface CollectionRow {
  name: string;
  count: number;
}

export interface OverviewView {
  envId: string;
  /** The local cloud's clock, as every function sees it. */
  clock: ClockState;
  functions: { name: string; timeout: number; triggers: number }[];
  collections: CollectionRow[];
  files: number;
  outbox: number;
  calls: number;
}

export interface PlanRow {
  year: number;
  title: string;
  taskCount: number;
}

export interface RoleUnits {
  role: string;
  /** 牵头 / 配合 / 责任 */
  label: string;
  /** As the table names them (may be groups such as 各镇街). */
  named: string[];
  /** The units these resolve to, by their current names. */
  units: string[];
}

export interface PlanTaskRow {
  no: number;
  /** e.g. 一、深化重点领域政府信息公开 */
  section: string;
  /** e.g. (三)聚焦优化营商环境推进政务公开 */
  category: string;
  requirement: string;
  deadline: string | null;
  unitsText: string;
  roles: RoleUnits[];
}

export interface PlanTableView {
  year: number;
  title: string;
  docNo: string;
  tasks: PlanTaskRow[];
  assignments: number;
}

/** A stored document with openids and phone numbers masked. */
export type DocRow = Record<string, unknown>;

export interface FileRow {
  cloudPath: string;
  size: number;
  contentType: string;
  uploadedAt: string;
  /** Masked openid of the uploader, '-' when unknown. */
  owner: string;
  /** Owner unit folder (units/<unitId>/…) resolved to the unit's name. */
  unitName: string | null;
  /** Signed same-origin URL of the bytes. */
  url: string;
  /** Set for raster images the browser can show inline. */
  preview: boolean;
}

export interface OutboxRow {
  id: string;
  at: string;
  to: string;
  /** Name and unit of the recipient when the contacts know them. */
  toName: string | null;
  templateId: string;
  templateTitle: string | null;
  page: string | null;
  fields: { key: string; value: string }[];
  errCode: number;
  errMsg: string;
}

export interface ReminderRow {
  id: string;
  at: string;
  day: string;
  kind: string;
  kindLabel: string;
  state: string;
  stateLabel: string;
  unitName: string;
  personName: string;
  to: string;
  reason: string | null;
  errCode: number | null;
  error: string | null;
  attempts: number;
  /** 一次性 / 长期: the kind of subscription the reminder needed (null: nobody to send to). */
  subscriptionLabel: string | null;
}

/** One person's subscription to one template, as the functions' ledger holds it. */
export interface SubscriptionRow {
  id: string;
  at: string;
  person: string | null;
  to: string;
  templateId: string;
  templateTitle: string | null;
  /** 一次性 / 长期 */
  kindLabel: string;
  /** 剩余 N 次 / 已用完 / 长期有效 / 已关闭 */
  stateLabel: string;
  /** Whether a message can be sent on it now. */
  active: boolean;
}

export interface CallRow {
  at: string;
  fn: string;
  action: string | null;
  caller: string;
  source: string;
  ms: number;
  result: string;
}

export interface TimerRow {
  fn: string;
  trigger: string;
  cron: string;
  /** Next time the cron fires from now (UTC+8 schedule), null if never within a year. */
  next: string | null;
}

export interface RunTimerResult {
  fn: string;
  trigger: string;
  /** The trigger's simulated `Time`. */
  time: string;
  /** What the function returned (its envelope). */
  result: unknown;
  outboxBefore: number;
  outboxAfter: number;
}

export interface UserRow {
  /** Full openid: the 账号 panel sends it as x-local-openid. */
  openid: string;
  masked: string;
  name: string;
  unitName: string | null;
  status: string | null;
  isAdmin: boolean;
}

/** Faults the 消息 panel can make WeChat answer for the next sends. */
export const SEND_FAULTS: { errCode: number; label: string }[] = [
  { errCode: 43101, label: '43101 用户拒收（无订阅次数）' },
  { errCode: 47003, label: '47003 参数错误' },
  { errCode: -1, label: '-1 系统繁忙' },
];
