/** Stored document shapes shared by the functions (see docs/data-model.md). */
import type { ContactStatus, UnitKind } from '../../miniprogram/shared/api';

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
