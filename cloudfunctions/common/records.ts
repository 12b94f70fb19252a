/** Stored document shapes shared by the functions (see docs/data-model.md). */
import type {
  ContactStatus,
  EvidenceView,
  Progress,
  ReportState,
  RoundStatus,
  SubscriptionKind,
  UnitKind,
} from '../../miniprogram/shared/api';

export interface UnitDoc {
  _id: string;
  name: string;
  kind: UnitKind;
  named: boolean;
  active: boolean;
  order: number;
  /** Earlier names and other spellings: table cells with them still match the unit. */
  aliases?: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** One per person (keyed by OPENID): a unit contact, an office admin, or both. */
export interface ContactDoc {
  _id: string;
  name: string;
  phone: string;
  unitId: string | null;
  status: ContactStatus | null;
  isAdmin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface AuditDoc {
  _id?: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

export interface RoundDoc {
  _id: string;
  planId: string;
  name: string;
  dueDate: string;
  scope: 'all' | number[];
  overrides: Record<string, string>;
  status: RoundStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One submitted version. Never updated except for its review `state`. */
/**
 * A file of a submitted report: `fileID` is the server's copy under
 * `evidence/` (reports from before copies existed name the upload itself
 * and have no sha256).
 */
export interface StoredEvidence {
  fileID: string;
  name: string;
  size: number;
  /** Hex sha256 of the bytes when the report was submitted. */
  sha256?: string;
  /** The contact's upload the copy was taken from. */
  sourceFileID?: string;
}

export interface ReportDoc {
  _id: string;
  assignmentId: string;
  planId: string;
  taskNo: number;
  unitId: string;
  roundId: string;
  version: number;
  text: string;
  progress: Progress;
  evidence: { images: StoredEvidence[]; files: StoredEvidence[]; links: EvidenceView['links'] };
  secrecyConfirmed: true;
  state: ReportState;
  submittedBy: string;
  submittedByName: string;
  submittedAt: Date;
  /** `<openid>:<client request id>`, unique: a retried submit finds the first. */
  requestKey: string;
}

/**
 * A request key's claim: its `_id` (from the key) is what lets one request
 * be carried out once; written in the same transaction as what it made.
 */
export interface RequestDoc {
  _id: string;
  kind: 'report.submit';
  /** The document the request made. */
  ref: string;
  at: Date;
}

export interface ReviewDoc {
  _id?: string;
  reportId: string;
  decision: 'approve' | 'return';
  note: string;
  by: string;
  byName: string;
  at: Date;
  /** Copied from the report (reviews by review.decide), so a notifier needs no join. */
  assignmentId?: string;
  planId?: string;
  taskNo?: number;
  unitId?: string;
  roundId?: string;
  version?: number;
}

/** A 催办 as the office sent it; a fact for the reminder service, never changed afterwards. */
export interface UrgeDoc {
  _id: string;
  planId: string;
  roundId: string;
  roundName: string;
  /** The units urged (for queries); `units` has what each owed. */
  unitIds: string[];
  units: { unitId: string; unitName: string; missing: number[]; returned: number[] }[];
  /** One per active contact of each urged unit, when the 催办 was recorded. */
  targets: UrgeTargetDoc[];
  /** The group message as shown to the office. */
  text: string;
  /** The 催办 template id at the time (null: none configured). */
  templateId: string | null;
  by: string;
  byName: string;
  at: Date;
  /** `<openid>:<client request id>` when the client sent one: a retried send finds the first. */
  requestKey?: string;
}
export interface UrgeTargetDoc {
  openid: string;
  name: string;
  unitId: string;
  /** Had 催办-template quota (or a long-term 催办 subscription) when the 催办 was recorded. */
  canNotify: boolean;
  /** What the person held then; absent in 催办 recorded before long-term templates existed (one-time). */
  subscription?: SubscriptionKind | null;
}

/**
 * One per imported plan (`_id` = the plan's id): the import's lease while it
 * writes, then its result, which a retry with the same request returns.
 */
export interface ImportDoc {
  _id: string;
  year: number;
  fileID: string;
  /** `<openid>:<client request id>`. */
  requestKey: string;
  makeCurrent: boolean;
  state: 'writing' | 'done';
  /** While `writing`: another import of the year may take over after this. */
  leaseUntil: Date;
  by: string;
  at: Date;
  result?: { planId: string; year: number; tasks: number; assignments: number; current: boolean };
}

export interface SettingsGroupDoc {
  _id: 'group';
  opengid: string;
  by: string;
  at: Date;
}
