/**
 * Set-up for the contact journey tests: approved contacts of a few units,
 * reporting rounds, and real uploads into the local storage (over its HTTP
 * face, the path wx.uploadFile takes against the local cloud), with bytes
 * that pass the server's checks of stored files.
 */
import type { RoundInput, RoundView, SubmitReportInput } from '../../miniprogram/shared/api';
import { buildPlanDocs, type AssignmentDoc } from '../../cloudfunctions/common/domain/plan-docs';
import { addDays, officeDay } from '../../cloudfunctions/common/domain/dates';
import { DIRECTORY, TABLE_2021 } from '../../cloudfunctions/common/table';
import { Client, picture } from '../../scripts/load';
import { ADMIN, okData, type TestCloud } from './local-cloud';

/** Photo bytes the server's picture check accepts (scripts/load.ts). */
export { picture };

/** One contact per unit; the openid says whose it is. */
export const CONTACTS = {
  ssfj: { openid: 'o-contact-ssfj-0001', unitId: 'ssfj', name: '司法甲', phone: '13800000001' },
  xiangcheng: { openid: 'o-contact-xiangcheng-01', unitId: 'xiangcheng-zhen', name: '香城乙', phone: '13800000002' },
  szfbgs: { openid: 'o-contact-szfbgs-0001', unitId: 'szfbgs', name: '办公丙', phone: '13800000003' },
  swbb: { openid: 'o-contact-swbb-000001', unitId: 'swbb', name: '编办丁', phone: '13800000004' },
} as const;
export type ContactKey = keyof typeof CONTACTS;

/** Binds each contact to its unit and has the admin approve it. */
export async function approveContacts(t: TestCloud, keys: readonly ContactKey[] = Object.keys(CONTACTS) as ContactKey[]): Promise<void> {
  for (const key of keys) {
    const c = CONTACTS[key];
    okData(await t.as(c.openid)('contact.bind', { unitId: c.unitId, name: c.name, phone: c.phone }));
    okData(await t.as(ADMIN)('contact.approve', { openid: c.openid }));
  }
}

export async function createRound(t: TestCloud, input: Partial<RoundInput> = {}): Promise<RoundView> {
  return okData(await t.as(ADMIN)('round.create', { name: '第三季度', dueDate: inDays(30), scope: 'all', ...input }));
}

/** A valid report.submit payload with no evidence; `extra` overrides any field. */
export function reportInput(
  assignmentId: string,
  roundId: string,
  requestId: string,
  extra: Partial<SubmitReportInput> = {},
): SubmitReportInput {
  return {
    assignmentId,
    roundId,
    text: '已公开',
    progress: 'done',
    images: [],
    files: [],
    links: [],
    secrecyConfirmed: true,
    requestId,
    ...extra,
  };
}

/** The office day `n` days from the real today: tests run on the real clock. */
export const inDays = (n: number) => addDays(officeDay(new Date()), n);

/** The 2021 assignments as the bundled table and directory define them. */
export function expectedAssignments(unitId: string): AssignmentDoc[] {
  const units = DIRECTORY.units.map((u) => ({ id: u.code, name: u.name, kind: u.kind, active: true }));
  return buildPlanDocs(TABLE_2021, units, DIRECTORY.groups).assignments.filter((a) => a.unitId === unitId);
}

export const assignmentOf = (taskNo: number, unitId: string) => `plan-2021-t${String(taskNo).padStart(2, '0')}-${unitId}`;

/** Total database requests since the last reset. */
export const dbRequests = (t: TestCloud) => Object.values(t.cloud.db.stats().requests).reduce((a, b) => a + b, 0);

export interface Uploader {
  /** Uploads `bytes` to `cloudPath` as `openid`; resolves to the fileID. */
  upload(openid: string, cloudPath: string, bytes?: Buffer): Promise<string>;
  close(): Promise<void>;
}

/** Uploads through the test cloud's `POST /storage/upload`, as wx.uploadFile does against the local cloud. */
export async function startUploader(t: TestCloud): Promise<Uploader> {
  const client = new Client(await t.origin());
  return {
    upload: (openid, cloudPath, bytes = picture(`bytes of ${cloudPath}`)) => client.upload(openid, cloudPath, bytes),
    // The bridge is the test cloud's: it closes with it.
    close: () => Promise.resolve(),
  };
}

/** An evidence entry for an upload: the name the person sees and the size storage holds. */
export const evidenceOf = (fileID: string, name: string, bytes: Buffer) => ({ fileID, name, size: bytes.length });
