/**
 * The contract between the mini program and the `api` cloud function.
 * Both sides import these types (the cloud side through esbuild), so a
 * request or response shape cannot drift between them. No runtime code
 * beyond constants lives here: this file ships in the main package.
 */

export type UnitKind = 'department' | 'town' | 'other';
export type Role = 'lead' | 'cooperate' | 'responsible';
export type ContactStatus = 'pending' | 'active' | 'rejected' | 'removed';
/** Status of one assignment in one round, as the contact and the office see it. */
export type AssignmentStatus = 'not_started' | 'submitted' | 'returned' | 'approved' | 'overdue';

export type ErrorCode =
  'INVALID_INPUT' | 'UNKNOWN_ACTION' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'SETUP_CODE_INVALID' | 'INTERNAL';

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

/** Action name → request and response. Add an action here first. */
export interface Actions {
  'me.get': { req: Record<string, never>; res: MeView };
  'plan.list': { req: Record<string, never>; res: PlanSummary[] };
  'plan.get': { req: { year?: number }; res: PlanView };
  'admin.bootstrap': { req: { setupCode: string; name: string }; res: MeView };
  'plan.seed': { req: { year: number }; res: SeedResult };
}
export type ActionName = keyof Actions;
export type ActionRequest<A extends ActionName> = Actions[A]['req'];
export type ActionResponse<A extends ActionName> = Actions[A]['res'];

export const ROLE_LABEL: Record<Role, string> = {
  lead: '牵头',
  cooperate: '配合',
  responsible: '责任',
};

export const STATUS_LABEL: Record<AssignmentStatus, string> = {
  not_started: '待报送',
  submitted: '已报送',
  returned: '已退回',
  approved: '已通过',
  overdue: '已逾期',
};
