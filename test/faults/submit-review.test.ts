/**
 * Faults in the middle of the two writes people depend on: a contact's
 * submit and the office's review. A database error is injected at every
 * single request the action makes (one run per request index), and storage
 * fails at each step a submit asks it something. Afterwards nothing is
 * half-written, and the retry the app makes (same requestId; the same
 * decision) records the action exactly once.
 */
import type { RoundView, SubmitReportInput } from '../../miniprogram/shared/api';
import { uploadPrefix } from '../../miniprogram/shared/api';
import type { StorageFaultAction } from '../../scripts/local-cloud/storage';
import { ADMIN, TEMPLATES, okData, startTestCloud, writeMark, type TestCloud } from '../helpers/local-cloud';
import {
  CONTACTS,
  approveContacts,
  assignmentOf,
  createRound,
  dbRequests,
  evidenceOf,
  inDays,
  picture,
  reportInput,
  startUploader,
} from '../helpers/journey';
import { delivered, subscribe } from '../reminder/helpers';

const XC = CONTACTS.xiangcheng;
let t: TestCloud;
let round: RoundView;
let evidence: Pick<SubmitReportInput, 'images' | 'files'>;

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await approveContacts(t, ['xiangcheng']);
  round = await createRound(t, { dueDate: inDays(20) });
  const up = await startUploader(t);
  const p = uploadPrefix('xiangcheng-zhen', CONTACTS.xiangcheng.openid);
  const bytes = [picture('1'), picture('2'), Buffer.from('%PDF-1.4 会议纪要')];
  const [a, b, c] = await Promise.all(bytes.map((x, i) => up.upload(XC.openid, `${p}faults/${i}.${i < 2 ? 'jpg' : 'pdf'}`, x)));
  evidence = {
    images: [evidenceOf(a as string, '照片1.jpg', bytes[0] as Buffer), evidenceOf(b as string, '照片2.jpg', bytes[1] as Buffer)],
    files: [evidenceOf(c as string, '会议纪要.pdf', bytes[2] as Buffer)],
  };
}, 30_000);
afterAll(() => t.close());
afterEach(() => t.cloud.db.clearFaults());

// The functions log each injected failure (without personal data); keep them, and out of the test output.
const logged: string[] = [];
beforeEach(() => {
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
});
afterEach(() => {
  jest.restoreAllMocks();
  for (const line of logged.splice(0)) expect(line).toMatch(/^\[(api|notify)\] .*\(injected\)$/);
});

let seq = 0;
const input = (taskNo = 24) =>
  reportInput(assignmentOf(taskNo, 'xiangcheng-zhen'), round.id, `faults-${++seq}`, { text: `第 ${seq} 次报送`, ...evidence });
const submit = (data: SubmitReportInput) => t.as(XC.openid)('report.submit', data);
const byRequest = (data: SubmitReportInput) => t.cloud.db.find('reports', { requestKey: `${XC.openid}:${data.requestId}` });
const evidenceOfReport = (id: string) => t.cloud.db.count('evidence', { reportId: id });

/** Exactly one report for the request, with all three evidence documents, each naming a copy storage holds. */
function recordedOnce(data: SubmitReportInput): string {
  const found = byRequest(data);
  expect(found).toHaveLength(1);
  const id = String(found[0]?._id);
  expect(evidenceOfReport(id)).toBe(3);
  const named = t.cloud.db.find('evidence', { reportId: id }).map((d) => String(d.fileID));
  const stored = new Set(t.cloud.storage.list({ prefix: 'evidence/', limit: 10_000 }).map((f) => f.fileID));
  for (const fileID of named) expect(stored.has(fileID) ? fileID : `missing ${fileID}`).toBe(fileID);
  return id;
}

/**
 * What users can see changed: the database and storage outside `evidence/`.
 * A submit that fails after copying may leave copies there, which no report
 * or evidence document names (checked in `noVisibleOrphans`).
 */
const mark = () => writeMark(t, { exceptPrefix: 'evidence/' });

/** Every evidence copy a report does not name is named by nothing else either. */
function noVisibleOrphans(): void {
  const named = new Set(t.cloud.db.find('evidence', {}).map((d) => String(d.fileID)));
  const inReports = new Set(
    t.cloud.db
      .find('reports', {})
      .flatMap((r) => [
        ...(r.evidence as { images: { fileID: string }[]; files: { fileID: string }[] }).images,
        ...(r.evidence as { files: { fileID: string }[] }).files,
      ])
      .map((f) => f.fileID),
  );
  expect([...named].filter((f) => !inReports.has(f))).toEqual([]);
}

test('a database error at any request of a submit: nothing half-written; the retry records it exactly once', async () => {
  // How many requests a submit makes (with evidence: reads, the storage check, one transaction).
  const clean = input();
  t.cloud.db.resetStats();
  okData(await submit(clean));
  const requests = dbRequests(t);
  recordedOnce(clean);
  expect(requests).toBeGreaterThanOrEqual(8);

  const outcomes: Record<string, number> = {};
  for (let i = 0; i < requests; i++) {
    const data = input();
    const before = mark();
    t.cloud.db.failNext({ action: 'any', skip: i });
    const res = await submit(data);
    const wrote = mark() !== before;
    const outcome = res.ok ? 'ok' : `${res.code}${wrote ? '+written' : ''}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    // The fault hit the submit (every one of its requests matters) …
    expect([i, res.ok ? 'ok' : res.code]).toEqual([i, 'INTERNAL']);
    // … and left nothing, or (a fault after the commit) the whole report.
    if (wrote) recordedOnce(data);
    else expect(byRequest(data)).toEqual([]);
    t.cloud.db.clearFaults();
    const again = okData(await submit(data));
    expect([i, again.duplicate]).toEqual([i, wrote]);
    expect(recordedOnce(data)).toBe(again.report.id);
  }
  process.stdout.write(`submit faults: ${requests} requests ${JSON.stringify(outcomes)}\n`);
  // Faults before the commit are the many; whatever happened, versions never repeat.
  expect(outcomes.INTERNAL).toBeGreaterThanOrEqual(requests - 2);
  const versions = t.cloud.db.find('reports', { assignmentId: assignmentOf(24, 'xiangcheng-zhen') }).map((r) => r.version as number);
  expect(versions.sort((a, b) => a - b)).toEqual(versions.map((_v, i) => i + 1));
  noVisibleOrphans();
});

test.each<[StorageFaultAction, number, string]>([
  ['getTempFileURL', 0, 'asking storage for the files'],
  ['downloadFile', 0, 'reading the stored files’ size and type'],
  // The probe reads three files; the copy then downloads them again and uploads each.
  ['downloadFile', 3, 'downloading a file to copy it'],
  ['getUploadMetadata', 1, 'starting the upload of the second copy'],
  ['uploadFile', 2, 'uploading the third copy'],
])('storage failing while %s #%d (%s): INTERNAL, nothing visible written; the retry records it once', async (fault, skip) => {
  const data = input();
  const before = mark();
  t.cloud.storage.failNext(fault, 1, skip);
  expect(await submit(data)).toMatchObject({ ok: false, code: 'INTERNAL' });
  expect(mark()).toBe(before);
  expect(okData(await submit(data)).duplicate).toBe(false);
  recordedOnce(data);
  noVisibleOrphans();
});

test('a database error at any request of a 退回: the decision is recorded once and the unit is told once', async () => {
  // A clean 退回, to count its requests (the decision, then the immediate notification).
  const decide = (reportId: string) =>
    t.as(ADMIN)('review.decide', { reportId, decision: 'return', note: '请补充照片', expectedState: 'submitted' });
  const returnedTo = () => delivered(t).filter((e) => e.touser === XC.openid && e.templateId === TEMPLATES.returned).length;
  await subscribe(t, XC.openid, 'returned', 1);
  const first = okData(await submit(input(8)));
  t.cloud.db.resetStats();
  okData(await decide(first.report.id));
  const requests = dbRequests(t);
  expect(requests).toBeGreaterThanOrEqual(8);

  const seen: Record<string, number> = {};
  for (let i = 0; i < requests; i++) {
    await subscribe(t, XC.openid, 'returned', 1);
    const { report } = okData(await submit(input(8)));
    const told = returnedTo();
    t.cloud.db.failNext({ action: 'any', skip: i });
    const res = await decide(report.id);
    t.cloud.db.clearFaults();
    const reviews = () => t.cloud.db.find('reviews', { reportId: report.id });
    const committed = reviews().length === 1;
    seen[`${res.ok ? 'ok' : res.code}${committed ? '+committed' : ''}`] =
      (seen[`${res.ok ? 'ok' : res.code}${committed ? '+committed' : ''}`] ?? 0) + 1;
    if (!committed) {
      // Nothing of the decision landed: not the state, not the audit entry. The office decides again.
      expect([i, res.ok, t.cloud.db.find('reports', { _id: report.id })[0]?.state]).toEqual([i, false, 'submitted']);
      expect(t.cloud.db.count('audit', { target: `report:${report.id}` })).toBe(0);
      okData(await decide(report.id));
    } else if (!res.ok) {
      // Decided, but the answer was lost: deciding again says it is decided, and decides nothing twice.
      expect((await decide(report.id)).ok).toBe(false);
    }
    // The timer delivers a notification the decision could not send.
    await t.cloud.runTrigger('reminder', 'remind', { Time: new Date().toISOString() });
    expect([i, reviews().length, t.cloud.db.find('reports', { _id: report.id })[0]?.state]).toEqual([i, 1, 'returned']);
    expect([i, t.cloud.db.count('audit', { target: `report:${report.id}` })]).toEqual([i, 1]);
    expect([i, returnedTo() - told]).toEqual([i, 1]);
  }
  process.stdout.write(`review faults: ${requests} requests ${JSON.stringify(seen)}\n`);
  // Both kinds happened: faults that undid the decision, and faults in the notification after it.
  expect(Object.keys(seen).some((k) => !k.includes('committed'))).toBe(true);
  expect(Object.keys(seen).some((k) => k.includes('committed'))).toBe(true);
});
