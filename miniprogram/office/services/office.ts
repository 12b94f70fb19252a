/**
 * The office's actions (政务公开科), as small named functions over `call`.
 * Lives in the office subpackage: contacts never download it.
 */
import type {
  AdminView,
  AuditPage,
  ContactView,
  DigestView,
  DirectoryUnitView,
  MeView,
  PlanView,
  ReportDetailView,
  ReportView,
  ReviewDecideInput,
  ReviewQueueView,
  RoundInput,
  RoundOverview,
  RoundView,
  SeedResult,
  SystemCheck,
  UnitChangeResult,
  UnitKind,
  UrgePreview,
  UrgeSendResult,
} from '../../shared/api';
import { call } from '../../services/call';

export const bootstrapAdmin = (setupCode: string, name: string): Promise<MeView> =>
  call('admin.bootstrap', { setupCode: setupCode.trim(), name: name.trim() });

/** The built-in 2021 table (idempotent: a second call writes nothing). */
export const seedPlan = (year: number): Promise<SeedResult> => call('plan.seed', { year });

export const checkSystem = (): Promise<SystemCheck> => call('system.check', {});

// ---- rounds and the overview --------------------------------------------------------

/** The rounds of a plan (the current plan's when omitted). */
export const listRounds = (planId?: string): Promise<RoundView[]> => call('round.list', planId ? { planId } : {});
export const createRound = (input: RoundInput): Promise<RoundView> => call('round.create', input);
export const updateRound = (id: string, input: RoundInput): Promise<RoundView> => call('round.update', { ...input, id });
export const closeRound = (id: string): Promise<RoundView> => call('round.close', { id });
export const fetchOverview = (roundId: string): Promise<RoundOverview> => call('overview.round', { roundId });

/**
 * The plan a round belongs to (task texts for lists). round.planId is an
 * id and plan.get takes a year, so plan.list maps one to the other.
 */
export async function fetchPlanOf(planId: string | undefined): Promise<PlanView> {
  const plans = await call('plan.list');
  const plan = plans.find((p) => p.id === planId) ?? plans.find((p) => p.current) ?? plans[0];
  return call('plan.get', plan ? { year: plan.year } : {});
}

// ---- review ---------------------------------------------------------------------------

export const fetchReviewQueue = (roundId?: string, limit = 50): Promise<ReviewQueueView> =>
  call('review.queue', roundId ? { roundId, limit } : { limit });
export const fetchReport = (reportId: string): Promise<ReportDetailView> => call('report.get', { reportId });
export const decideReport = (input: ReviewDecideInput): Promise<ReportView> => call('review.decide', input);

// ---- contacts, administrators, the group ------------------------------------------------

export const listContacts = (): Promise<ContactView[]> => call('contact.list', {});
/** `unitId`: the unit the office looked at; a re-bind since then is a CONFLICT, not a blind approval. */
export const approveContact = (openid: string, unitId: string | null): Promise<ContactView> =>
  call('contact.approve', unitId ? { openid, unitId } : { openid });
export const rejectContact = (openid: string, note: string): Promise<ContactView> =>
  call('contact.reject', note.trim() ? { openid, note: note.trim() } : { openid });
export const removeContact = (openid: string): Promise<ContactView> => call('contact.remove', { openid });
export const registerGroup = (groupCloudId: string): Promise<{ registered: true }> => call('group.register', { groupCloudId });

export const listAdmins = (): Promise<AdminView[]> => call('admin.list', {});
export const addAdmin = (openid: string, name: string): Promise<AdminView> => call('admin.add', { openid, name });
export const removeAdmin = (openid: string): Promise<AdminView> => call('admin.remove', { openid });

// ---- the unit directory -----------------------------------------------------------------

export const fetchDirectory = (): Promise<DirectoryUnitView[]> => call('unit.directory', {});
export const createUnit = (name: string, kind: UnitKind): Promise<UnitChangeResult & { created: boolean }> =>
  call('unit.create', { name: name.trim(), kind });
export const renameUnit = (id: string, name: string): Promise<UnitChangeResult> => call('unit.update', { id, name: name.trim() });
export const retireUnit = (id: string): Promise<UnitChangeResult> => call('unit.retire', { id });
export const restoreUnit = (id: string): Promise<UnitChangeResult> => call('unit.restore', { id });

// ---- 催办, the digest, the audit log -----------------------------------------------------

export const previewUrge = (roundId: string): Promise<UrgePreview> => call('urge.preview', { roundId });
/** `requestId` is kept by the page across retries: a lost answer never records a second 催办. */
export const sendUrge = (roundId: string, requestId: string): Promise<UrgeSendResult> => call('urge.send', { roundId, requestId });
export const fetchDigest = (): Promise<DigestView> => call('digest.get', {});

export interface AuditQuery {
  before?: string;
  action?: string;
  actor?: string;
}
export function fetchAudit(query: AuditQuery, limit = 20): Promise<AuditPage> {
  const data: AuditQuery & { limit: number } = { limit };
  if (query.before) data.before = query.before;
  if (query.action) data.action = query.action;
  if (query.actor) data.actor = query.actor;
  return call('audit.list', data);
}
