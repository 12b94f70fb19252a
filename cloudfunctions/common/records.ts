/** Stored document shapes shared by the functions (see docs/data-model.md). */
import type { ContactStatus, EvidenceView, Progress, ReportState, RoundStatus, UnitKind } from '../../miniprogram/shared/api';

export interface UnitDoc {
  _id: string;
  name: string;
  kind: UnitKind;
  named: boolean;
  active: boolean;
  order: number;
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
  evidence: EvidenceView;
  secrecyConfirmed: true;
  state: ReportState;
  submittedBy: string;
  submittedByName: string;
  submittedAt: Date;
  /** `<openid>:<client request id>`, unique: a retried submit finds the first. */
  requestKey: string;
}

export interface ReviewDoc {
  _id?: string;
  reportId: string;
  decision: 'approve' | 'return';
  note: string;
  by: string;
  byName: string;
  at: Date;
}

export interface SettingsGroupDoc {
  _id: 'group';
  opengid: string;
  by: string;
  at: Date;
}
