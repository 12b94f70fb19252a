/**
 * The contract between the mini program and the `api` cloud function.
 * Both sides import these types (the cloud side through esbuild), so a
 * request or response shape cannot drift between them. No runtime code
 * beyond constants lives here: this file ships in the main package.
 */
import type { LinkStateView } from './links-api';

export type UnitKind = 'department' | 'town' | 'other';
export type Role = 'lead' | 'cooperate' | 'responsible';
export type ContactStatus = 'pending' | 'active' | 'rejected' | 'removed';
/** Status of one assignment in one round, as the contact and the office see it. */
export type AssignmentStatus = 'not_started' | 'submitted' | 'returned' | 'approved' | 'overdue';

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNKNOWN_ACTION'
  | 'UNAUTHENTICATED'
  /** The caller has no active binding to a unit. */
  | 'NOT_BOUND'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** The reporting round is closed to new reports. */
  | 'ROUND_CLOSED'
  | 'SETUP_CODE_INVALID'
  | 'INTERNAL';

export interface ApiOk<T> {
  ok: true;
  data: T;
}
export interface ApiError {
  ok: false;
  code: ErrorCode;
  message: string;
  /** Dotted path of the offending input field, when one is to blame. */
  field?: string;
}
export type ApiResult<T> = ApiOk<T> | ApiError;

/** What every call to the `api` function sends. */
export interface ApiEvent<A extends ActionName = ActionName> {
  action: A;
  data?: ActionRequest<A>;
}

export interface UnitView {
  id: string;
  name: string;
  kind: UnitKind;
  /** Named in the year's table (as opposed to added by the office). */
  named: boolean;
  active: boolean;
}

export interface MeView {
  openid: string;
  /** Office administrator (市政府办公室 政务公开科). */
  isAdmin: boolean;
  contact: null | {
    status: ContactStatus;
    unitId: string;
    unitName: string;
    name: string;
    /** Masked unless the caller is an admin. */
    phone: string;
  };
  /** True while no administrator exists yet: the app offers the setup-code screen. */
  needsSetup: boolean;
  /**
   * Subscribe-message template ids configured for reminders (deadline,
   * returned, 催办), to pass to wx.requestSubscribeMessage on a tap.
   */
  subscribeTemplates: string[];
  /**
   * The subset of `subscribeTemplates` that are long-term (长期订阅): ask
   * for them in a call of their own, never together with one-time ids.
   */
  longTermTemplates: string[];
  /** Long-term templates this person has accepted and not turned off: no need to ask again. */
  longTermHeld: string[];
}

/** 一次性订阅: one accept = one message; 长期订阅: one accept = messages until the person turns it off. */
export type SubscriptionKind = 'one-time' | 'long-term';

export type SubscribeResult = 'accept' | 'reject' | 'ban' | 'filter';
export type ReminderKind = 'deadline' | 'returned' | 'urge';
/** Why a reminder reached nobody in a unit (the office's daily digest). */
export type UnreachableReason = 'no_contact' | 'no_quota' | 'refused' | 'failed' | 'unconfirmed';

export interface DigestPersonView {
  name: string;
  reason: UnreachableReason;
  /** The kind of the template the reminder went out on (null: unknown, e.g. nobody bound). */
  subscription: SubscriptionKind | null;
}
/** One unit's reminder that reached nobody. */
export interface DigestEntryView {
  kind: ReminderKind;
  unitId: string;
  unitName: string;
  roundId: string | null;
  roundName: string;
  dueDate: string | null;
  /** The tasks the reminder was about (ascending). */
  taskNos: number[];
  pending: number;
  overdue: number;
  reason: UnreachableReason;
  /** The unit's active contacts and why each was not reached (empty: nobody bound). */
  people: DigestPersonView[];
  /** ISO time the entry was recorded. */
  at: string;
}
export interface DigestView {
  /** `YYYY-MM-DD` in Asia/Shanghai. */
  day: string;
  entries: DigestEntryView[];
  /** Ready to paste into the 政务公开 group: names the units and what they owe; '' when nothing is missing. */
  message: string;
  updatedAt: string | null;
}

export interface PlanSectionView {
  no: number;
  label: string;
  title: string;
}
export interface PlanCategoryView {
  no: number;
  label: string;
  title: string;
  section: number;
}
export interface TaskUnitView {
  unitId: string;
  unitName: string;
  role: Role;
}
export interface PlanTaskView {
  id: string;
  no: number;
  section: number;
  category: number;
  requirement: string;
  unitsText: string;
  lead: string[];
  cooperate: string[];
  responsible: string[];
  deadline?: string;
  deadlineText?: string;
}
export interface PlanView {
  id: string;
  year: number;
  docNo: string;
  title: string;
  noticeTitle: string;
  issuer: string;
  issuedOn: string;
  sections: PlanSectionView[];
  categories: PlanCategoryView[];
  tasks: PlanTaskView[];
  units: UnitView[];
  assignmentCount: number;
}
export interface PlanSummary {
  id: string;
  year: number;
  title: string;
  current: boolean;
}

export interface SeedResult {
  planId: string;
  tasks: number;
  units: number;
  assignments: number;
  /** Documents written by this call; 0 when the data was already in place. */
  written: number;
}

export type Progress = 'ongoing' | 'done';
export type ReportState = 'submitted' | 'returned' | 'approved';
export type RoundStatus = 'open' | 'closed';

export interface RoundView {
  id: string;
  planId: string;
  name: string;
  /** `YYYY-MM-DD`, by the end of that day in Asia/Shanghai. */
  dueDate: string;
  scope: 'all' | number[];
  /** Task number (string key) → its own due day in this round. */
  overrides: Record<string, string>;
  status: RoundStatus;
}

export interface RoundInput {
  name: string;
  dueDate: string;
  scope: 'all' | number[];
  overrides?: Record<string, string>;
}

/** An uploaded file as the client reports it; the server checks the fileID. */
export interface EvidenceInput {
  fileID: string;
  /** Original file name (files from chats) or a generated one (photos). */
  name: string;
  size: number;
}
export interface LinkInput {
  url: string;
  title?: string;
}
export interface EvidenceView {
  images: EvidenceInput[];
  files: EvidenceInput[];
  links: LinkInput[];
}

export interface ReviewView {
  decision: 'approve' | 'return';
  note: string;
  by: string;
  at: string;
}

export interface ReportView {
  id: string;
  assignmentId: string;
  unitId: string;
  unitName: string;
  roundId: string;
  roundName: string;
  /** 1, 2, … within (assignment, round); every submit is a new version. */
  version: number;
  text: string;
  progress: Progress;
  evidence: EvidenceView;
  state: ReportState;
  /** ISO time. */
  submittedAt: string;
  submittedByName: string;
  review: ReviewView | null;
}

export interface MyTaskItem {
  assignmentId: string;
  taskId: string;
  taskNo: number;
  /** The full requirement; the page clamps it. */
  requirement: string;
  role: Role;
  /** Whether the current round asks about this task. */
  inRound: boolean;
  dueDate: string | null;
  /** Calendar days to the due day (0 = today, negative = late); null outside the round. */
  daysLeft: number | null;
  status: AssignmentStatus | null;
  /** The note of the latest 退回, when the latest version was returned. */
  returnNote: string | null;
  lastSubmittedAt: string | null;
}

export interface MyTasksView {
  unit: { id: string; name: string };
  plan: { id: string; year: number; title: string };
  round: RoundView | null;
  counts: {
    /** 本单位 N 项 */
    total: number;
    /** 本轮待报 M 项: not started, returned or overdue in the current round */
    pending: number;
    returned: number;
    overdue: number;
    submitted: number;
    approved: number;
  };
  items: MyTaskItem[];
}

export interface CooperatingReport {
  unitId: string;
  unitName: string;
  role: Role;
  status: AssignmentStatus | null;
  latest: ReportView | null;
}

export interface TaskDetailView {
  task: PlanTaskView & { sectionTitle: string; categoryTitle: string };
  assignment: { id: string; role: Role; unitId: string; unitName: string };
  /** Every unit on the task with its role, leads first. */
  units: TaskUnitView[];
  round: RoundView | null;
  dueDate: string | null;
  daysLeft: number | null;
  status: AssignmentStatus | null;
  /** My unit's versions on this task, all rounds, newest first. */
  history: ReportView[];
  /** Only for a lead unit: the other units' latest report in the current round. */
  cooperating: CooperatingReport[] | null;
}

export interface SubmitReportInput {
  assignmentId: string;
  roundId: string;
  text: string;
  progress: Progress;
  images: EvidenceInput[];
  files: EvidenceInput[];
  links: LinkInput[];
  /** 保密审查: the contact confirms the material passed the secrecy review. */
  secrecyConfirmed: boolean;
  /** Client-generated per submit attempt; a retry with the same id returns the first result. */
  requestId: string;
}

export interface ContactView {
  openid: string;
  name: string;
  /** Masked unless the caller is an admin. */
  phone: string;
  unitId: string | null;
  unitName: string;
  status: ContactStatus | null;
  isAdmin: boolean;
  createdAt: string;
  updatedAt: string;
}

// ---- The office: administrators, the unit directory, review, overview, 催办, audit log ----

export interface AdminView {
  openid: string;
  name: string;
  /** The unit this person also reports for, if any (市政府办公室's people are often both). */
  unitId: string | null;
  unitName: string;
  /** The caller. */
  isSelf: boolean;
}

/** A unit as the office manages it (retired units included). */
export interface DirectoryUnitView extends UnitView {
  order: number;
  /** Earlier names (kept on rename) and other spellings a table cell may use. */
  aliases: string[];
  /** Active contact persons of the unit. */
  contacts: number;
}

export interface UnitCreateInput {
  name: string;
  kind: UnitKind;
  /** Short code, also the unit's id and upload folder: a–z, 0–9 and `-`; generated when absent. */
  code?: string;
}
export interface UnitUpdateInput {
  id: string;
  name?: string;
  kind?: UnitKind;
  order?: number;
  /** The whole alias list after the change (a rename still adds the old name). */
  aliases?: string[];
}
export interface UnitChangeResult {
  unit: DirectoryUnitView;
  /** Assignments written in the current plan for the unit (its groups' cells and the names it now matches). */
  assignmentsAdded: number;
}

export type ReviewDecision = 'approve' | 'return';

export interface ReviewDecideInput {
  reportId: string;
  decision: ReviewDecision;
  /** Required for 退回 (what to fix), optional for approval; ≤ 200 characters. */
  note?: string;
  /** The state the office saw; anything else is a CONFLICT (someone decided first). */
  expectedState?: ReportState;
}

export interface ReviewQueueItem {
  reportId: string;
  assignmentId: string;
  roundId: string;
  roundName: string;
  taskId: string;
  taskNo: number;
  /** The requirement's first words, for the list. */
  taskSummary: string;
  unitId: string;
  unitName: string;
  role: Role;
  version: number;
  progress: Progress;
  submittedAt: string;
  submittedByName: string;
  /** Photos + files + links. */
  evidenceCount: number;
}
export interface ReviewQueueView {
  /** Oldest first. */
  items: ReviewQueueItem[];
  /** Everything awaiting review in the filter (items may be fewer: `limit`). */
  total: number;
}

export interface EvidenceFileView extends EvidenceInput {
  /** Temporary download link (valid about 2 hours); null when storage no longer has the file. */
  url: string | null;
}
export interface ReportDetailView {
  report: ReportView;
  round: { id: string; name: string; status: RoundStatus };
  task: { id: string; no: number; requirement: string };
  role: Role;
  images: EvidenceFileView[];
  files: EvidenceFileView[];
  /** Every review of this version, oldest first. */
  reviews: ReviewView[];
  /** What the link check found for each of `report.evidence.links`, in order; null while not yet checked. */
  linkChecks: (LinkStateView | null)[];
  /** The highest version of the assignment in the round: only that one can be reviewed. */
  latestVersion: number;
  /** The latest version, still awaiting review. */
  reviewable: boolean;
}

/**
 * One overview cell: `-` the unit has no assignment on the task, otherwise
 * the status: `n` not started, `s` submitted, `r` returned, `a` approved,
 * `o` overdue.
 */
export type OverviewCode = '-' | 'n' | 's' | 'r' | 'a' | 'o';
export const OVERVIEW_CODE: Record<AssignmentStatus, OverviewCode> = {
  not_started: 'n',
  submitted: 's',
  returned: 'r',
  approved: 'a',
  overdue: 'o',
};
export interface StatusCounts {
  /** Assignments counted (in the round's scope). */
  assigned: number;
  not_started: number;
  submitted: number;
  returned: number;
  approved: number;
  overdue: number;
}
export interface OverviewTask {
  id: string;
  no: number;
  dueDate: string;
  counts: StatusCounts;
}
export interface OverviewUnit {
  id: string;
  name: string;
  kind: UnitKind;
  /** One OverviewCode per task, in the order of `tasks`. */
  cells: string;
  /** The latest report id per task (same order), null where the unit has none in the round. */
  reports: (string | null)[];
  counts: StatusCounts;
}
/** A round at a glance: completion statistics, never a ranking (units stay in directory order). */
export interface RoundOverview {
  round: RoundView;
  /** ISO time the statuses were computed at. */
  asOf: string;
  tasks: OverviewTask[];
  units: OverviewUnit[];
  totals: StatusCounts;
  /** Units with overdue tasks, directory order. */
  overdue: { unitId: string; taskNos: number[] }[];
  /** Units with assignments in the round and no report at all in it. */
  neverSubmitted: string[];
  /** Latest reports whose evidence links did not open at their last check, directory order then task. */
  brokenLinks: { unitId: string; taskNo: number; reportId: string; links: number }[];
}

export interface UrgeTarget {
  openid: string;
  name: string;
  /** Has an unused 催办 subscription (or a long-term one that holds): the reminder service can notify this person. */
  canNotify: boolean;
  /** What the person holds on the 催办 template: one-time messages left, a long-term subscription, or nothing. */
  subscription: SubscriptionKind | null;
}
export interface UrgeUnit {
  unitId: string;
  unitName: string;
  /** Tasks past their due day with nothing submitted or approved (returned ones excluded). */
  missing: number[];
  /** Tasks whose latest report was returned (退回) and not yet resubmitted. */
  returned: number[];
  /** The unit's active contact persons (never their phone numbers). */
  contacts: UrgeTarget[];
}
export interface UrgePreview {
  round: RoundView;
  asOf: string;
  /** Late units, directory order. */
  units: UrgeUnit[];
  /** Ready to paste into the 政务公开 WeChat group. Empty when no unit is late. */
  text: string;
  /** Whether a 催办 subscribe-message template is configured at all. */
  notifyConfigured: boolean;
}
export interface UrgeSendResult extends UrgePreview {
  urgeId: string;
  /** Requested units that are no longer late (left out). */
  skipped: string[];
  /** A retry with the same requestId: the first 催办 is returned, nothing is recorded again. */
  duplicate: boolean;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  actorName: string;
  action: string;
  target: string;
  /** The person or unit the target names, when known. */
  targetName: string;
  detail: Record<string, unknown> | null;
}
export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: string | null;
}

/** Action name → request and response. Add an action here first. */
export interface Actions {
  'me.get': { req: Record<string, never>; res: MeView };
  'plan.list': { req: Record<string, never>; res: PlanSummary[] };
  'plan.get': { req: { year?: number }; res: PlanView };
  'admin.bootstrap': { req: { setupCode: string; name: string }; res: MeView };
  'plan.seed': { req: { year: number }; res: SeedResult };

  /** The active units, for the bind page's picker. */
  'unit.list': { req: Record<string, never>; res: UnitView[] };
  /**
   * Ask to report for a unit. Pending until an admin approves, or active at
   * once when `groupCloudId` (from wx.getGroupEnterInfo) proves membership of
   * the registered 政务公开 group. Re-binding replaces a pending request or
   * moves an active contact to the new unit (pending again).
   */
  'contact.bind': { req: { unitId: string; name: string; phone: string; groupCloudId?: string }; res: MeView };
  'contact.leave': { req: Record<string, never>; res: MeView };
  /** Admin: contacts, pending first. */
  'contact.list': { req: { status?: ContactStatus; unitId?: string }; res: ContactView[] };
  /** `unitId`: the unit the office reviewed; a re-bind since then makes this a CONFLICT. */
  'contact.approve': { req: { openid: string; unitId?: string }; res: ContactView };
  'contact.reject': { req: { openid: string; note?: string }; res: ContactView };
  'contact.remove': { req: { openid: string }; res: ContactView };
  /** Admin: register the group the app was opened from as the 政务公开 group. */
  'group.register': { req: { groupCloudId: string }; res: { registered: true } };

  'round.list': { req: { planId?: string }; res: RoundView[] };
  'round.create': { req: RoundInput & { planId?: string }; res: RoundView };
  'round.update': { req: RoundInput & { id: string }; res: RoundView };
  'round.close': { req: { id: string }; res: RoundView };

  /** My unit's assignments in the current plan, with the current round's status. */
  'tasks.mine': { req: Record<string, never>; res: MyTasksView };
  'task.detail': { req: { taskId: string }; res: TaskDetailView };
  'report.submit': { req: SubmitReportInput; res: { report: ReportView; duplicate: boolean } };
  /** My unit's latest report on an assignment (any round), to start a new one from. */
  'report.latest': { req: { assignmentId: string }; res: ReportView | null };

  /**
   * Records what wx.requestSubscribeMessage returned: each accepted
   * one-time template adds one message the reminders may send to this
   * person; an accepted long-term template holds until a reject/ban (or
   * a 43101 on send) says the person turned it off.
   */
  'subscription.record': {
    req: { results: Record<string, SubscribeResult> };
    /** `quota`: one-time messages left per one-time template; `longTerm`: long-term templates that hold. */
    res: { quota: Record<string, number>; longTerm: string[] };
  };

  /** Admin: the day's reminders that reached nobody in a unit, with a group message to paste (default: today). */
  'digest.get': { req: { day?: string }; res: DigestView };

  /** Admin: the office's administrators. */
  'admin.list': { req: Record<string, never>; res: AdminView[] };
  /** Admin: make someone who has opened the app an administrator. */
  'admin.add': { req: { openid: string; name: string }; res: AdminView };
  /** Admin: take administrator rights away; the last administrator cannot be removed. */
  'admin.remove': { req: { openid: string }; res: AdminView };

  /** Admin: the whole unit directory, retired units included. */
  'unit.directory': { req: Record<string, never>; res: DirectoryUnitView[] };
  /** Admin: add a unit; departments and towns get their group assignments in the current plan. */
  'unit.create': { req: UnitCreateInput; res: UnitChangeResult & { created: boolean } };
  'unit.update': { req: UnitUpdateInput; res: UnitChangeResult };
  /** Admin: a retired unit keeps its history, gets no new assignments, and its contacts lose access. */
  'unit.retire': { req: { id: string }; res: UnitChangeResult };
  'unit.restore': { req: { id: string }; res: UnitChangeResult };

  /** Admin: approve or return (退回) the latest version of a report. */
  'review.decide': { req: ReviewDecideInput; res: ReportView };
  /** Admin: latest versions awaiting review, oldest first. */
  'review.queue': { req: { roundId?: string; limit?: number }; res: ReviewQueueView };
  /** Admin: any unit's report with evidence links and its review history. */
  'report.get': { req: { reportId: string }; res: ReportDetailView };

  /** Admin: tasks × units statuses of a round. */
  'overview.round': { req: { roundId: string }; res: RoundOverview };
  /** Admin: the late units of a round and a ready-to-paste group message. */
  'urge.preview': { req: { roundId: string }; res: UrgePreview };
  /** Admin: record a 催办 (the reminder service notifies from it); returns the message text. */
  'urge.send': { req: { roundId: string; unitIds?: string[]; requestId?: string }; res: UrgeSendResult };

  /** Admin: the audit log, newest first. */
  'audit.list': { req: { before?: string; limit?: number; actor?: string; action?: string }; res: AuditPage };

  /** Admin: is this deployment complete? Collections, templates, the timer's last run, storage rule, setup code, versions. */
  'system.check': { req: Record<string, never>; res: SystemCheck };
}

export type CheckStatus = 'ok' | 'warn' | 'error' | 'unknown';
export interface SystemCheckItem {
  key: 'collections' | 'templates' | 'timer' | 'storage' | 'setupCode' | 'versions';
  label: string;
  status: CheckStatus;
  /** What was found, and what to do about it, in one or two sentences. */
  detail: string;
}
export interface SystemCheck {
  /** The worst status of the items. */
  status: CheckStatus;
  items: SystemCheckItem[];
  checkedAt: string;
}
export type ActionName = keyof Actions;
export type ActionRequest<A extends ActionName> = Actions[A]['req'];
export type ActionResponse<A extends ActionName> = Actions[A]['res'];

export const ROLE_LABEL: Record<Role, string> = {
  lead: '牵头',
  cooperate: '配合',
  responsible: '责任',
};

export const PROGRESS_LABEL: Record<Progress, string> = {
  ongoing: '推进中',
  done: '已完成',
};

export const REPORT_LIMITS = {
  text: 2000,
  images: 9,
  files: 5,
  links: 10,
  /** Extensions accepted for files chosen from chats. */
  fileExtensions: ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'jpg', 'jpeg', 'png'],
  /** Extensions accepted for photos; the server also checks the stored bytes are a picture. */
  imageExtensions: ['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'heif'],
  /** Largest photo or file; the server checks the size storage really holds. */
  fileBytes: 20 * 1024 * 1024,
} as const;

/**
 * Where one contact's uploads for their unit go: `units/<unitId>/<openid>/`.
 * The server accepts as evidence only files under the caller's own unit and
 * openid, so a file someone else put anywhere never becomes the caller's.
 */
export const uploadPrefix = (unitId: string, openid: string) => `units/${unitId}/${openid}/`;

export const STATUS_LABEL: Record<AssignmentStatus, string> = {
  not_started: '待报送',
  submitted: '已报送',
  returned: '已退回',
  approved: '已通过',
  overdue: '已逾期',
};

export const UNREACHABLE_LABEL: Record<UnreachableReason, string> = {
  no_contact: '未绑定联络员',
  no_quota: '没有剩余订阅次数',
  refused: '已拒收或关闭订阅',
  failed: '发送失败',
  unconfirmed: '发送结果未确认',
};

/** The label of why a person was not reached, worded for the kind of subscription the reminder needed. */
export function unreachableLabel(reason: UnreachableReason, subscription: SubscriptionKind | null | undefined): string {
  if (subscription === 'long-term' && reason === 'no_quota') return '未开启长期订阅';
  if (subscription === 'long-term' && reason === 'refused') return '已关闭长期订阅';
  return UNREACHABLE_LABEL[reason];
}
