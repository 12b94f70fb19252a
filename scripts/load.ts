/**
 * Load on the local cloud through its HTTP bridge (the path the mini program
 * takes in development): contact persons submitting progress reports, every
 * few with a photo, while administrators work through the review queue.
 * Used by the fast load test in `npm test`, by `npm run bench` and
 * `npm run soak`; `integrity()` is the check every one of them ends with.
 *
 * Nothing here knows a business rule: it only calls actions and then reads
 * what the database holds.
 */
import path from 'path';
import type { ActionName, ActionRequest, ActionResponse, ApiResult, SubmitReportInput } from '../miniprogram/shared/api';
import { uploadPrefix } from '../miniprogram/shared/api';
import { createDatabaseBackend } from './local-cloud/db/database';

/** An answer that never came: the connection failed or the process died. */
export interface TransportFailure {
  ok: false;
  code: 'TRANSPORT';
  message: string;
}
export type Answer<T> = ApiResult<T> | TransportFailure;

export interface CallRecord {
  action: string;
  ms: number;
  /** `ok`, the envelope's code, or TRANSPORT. */
  outcome: string;
  /** What a failed call said (a refusal's message, the transport's error). */
  message?: string;
}

/** Calls the api over `POST /call/api`, as a given person, recording each call's latency and outcome. */
export class Client {
  readonly calls: CallRecord[] = [];
  constructor(readonly origin: string) {}

  async api<A extends ActionName>(openid: string, action: A, data: ActionRequest<A>): Promise<Answer<ActionResponse<A>>> {
    const started = performance.now();
    let answer: Answer<ActionResponse<A>>;
    try {
      const res = await fetch(`${this.origin}/call/api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-local-openid': openid },
        body: JSON.stringify({ action, data }),
      });
      const body = (await res.json()) as { result?: ApiResult<ActionResponse<A>>; errCode?: number; errMsg?: string };
      answer = body.result ?? { ok: false, code: 'TRANSPORT', message: `${res.status} ${body.errCode ?? ''} ${body.errMsg ?? ''}` };
    } catch (err) {
      answer = { ok: false, code: 'TRANSPORT', message: err instanceof Error ? err.message : String(err) };
    }
    const ms = performance.now() - started;
    this.calls.push(answer.ok ? { action, ms, outcome: 'ok' } : { action, ms, outcome: answer.code, message: answer.message });
    return answer;
  }

  /** An action that must succeed (set-up), else throws. */
  async must<A extends ActionName>(openid: string, action: A, data: ActionRequest<A>): Promise<ActionResponse<A>> {
    const res = await this.api(openid, action, data);
    if (!res.ok) throw new Error(`${action} as ${openid}: ${res.code} ${res.message}`);
    return res.data;
  }

  /** `POST /storage/upload` as wx.uploadFile sends it; resolves to the fileID. */
  async upload(openid: string, cloudPath: string, bytes: Buffer): Promise<string> {
    const boundary = `----load${Math.random().toString(16).slice(2)}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="cloudPath"\r\n\r\n${cloudPath}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${this.origin}/storage/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-local-openid': openid },
      body,
    });
    const json = (await res.json()) as { fileID?: string; message?: string };
    if (!json.fileID) throw new Error(`upload ${cloudPath}: ${res.status} ${json.message ?? ''}`);
    return json.fileID;
  }
}

/** Runs `work` over `items`, at most `n` at a time. */
export async function pool<T>(items: readonly T[], n: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** The first bytes of a JPEG: what the server's picture check looks for. */
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

/** Bytes a photo upload can carry: a JPEG start, then `rest` (text, or that many filler bytes). */
export function picture(rest: string | number = 0): Buffer {
  return Buffer.concat([JPEG_START, typeof rest === 'number' ? Buffer.alloc(rest, 0x20) : Buffer.from(rest)]);
}

export interface Contact {
  openid: string;
  unitId: string;
  assignments: string[];
  photo: { fileID: string; name: string; size: number };
}

export interface Cast {
  tag: string;
  office: string;
  roundId: string;
  contacts: Contact[];
  admins: string[];
}

/**
 * People for a load run, set up through the api as the office would: `contacts`
 * contact persons spread over the units (several share a unit), approved, each
 * with one uploaded photo; `admins` administrators; one open round over all
 * tasks. `office` must already be an administrator. `tag` keeps runs apart.
 */
export async function prepare(client: Client, opts: { office: string; tag: string; contacts: number; admins: number }): Promise<Cast> {
  const { office, tag } = opts;
  const units = (await client.must(office, 'unit.list', {})).filter((u) => u.active);
  const round = await client.must(office, 'round.create', {
    name: `负载演练 ${tag}`.slice(0, 30),
    dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    scope: 'all',
  });
  const contacts: Contact[] = [];
  await pool(
    Array.from({ length: opts.contacts }, (_v, i) => i),
    8,
    async (i) => {
      const openid = `o-load-${tag}-c${i}`;
      const unit = units[i % units.length];
      if (!unit) throw new Error('no active units');
      await client.must(openid, 'contact.bind', { unitId: unit.id, name: `负载联络员${i}`, phone: `139${String(i).padStart(8, '0')}` });
      await client.must(office, 'contact.approve', { openid, unitId: unit.id });
      const mine = await client.must(openid, 'tasks.mine', {});
      const bytes = picture(1024 + i);
      const cloudPath = `${uploadPrefix(unit.id, openid)}load/${tag}/c${i}-1.jpg`;
      const fileID = await client.upload(openid, cloudPath, bytes);
      contacts[i] = {
        openid,
        unitId: unit.id,
        assignments: mine.items.map((it) => it.assignmentId),
        photo: { fileID, name: '照片1.jpg', size: bytes.length },
      };
    },
  );
  const admins: string[] = [];
  for (let i = 0; i < opts.admins; i++) {
    const openid = `o-load-${tag}-a${i}`;
    await client.must(openid, 'me.get', {});
    await client.must(office, 'admin.add', { openid, name: `负载管理员${i}` });
    admins.push(openid);
  }
  return { tag, office, roundId: round.id, contacts, admins };
}

export interface Submitted {
  openid: string;
  input: SubmitReportInput;
  /** ok, an error code, or TRANSPORT (no answer). */
  outcome: string;
  reportId?: string;
  duplicate?: boolean;
}
export interface Decided {
  admin: string;
  reportId: string;
  decision: 'approve' | 'return';
  outcome: string;
}
export interface LoadRun {
  submits: Submitted[];
  decisions: Decided[];
  ms: number;
}

export interface LoadOptions {
  /** Submits per contact person (one after another; all persons at once). */
  submitsPerContact: number;
  /** Decisions each administrator attempts (queue → report → decide). */
  decisionsPerAdmin: number;
  /** Every n-th submit carries the person's photo (0: never). */
  photoEvery?: number;
  /** Which submit round of a soak this is: keeps request ids apart. */
  pass?: number;
}

/** A submit as the report page sends it. */
export function submitInput(cast: Cast, c: Contact, i: number, j: number, opts: LoadOptions): SubmitReportInput {
  const assignment = c.assignments[(i * 7 + j * 3) % c.assignments.length] as string;
  const photoEvery = opts.photoEvery ?? 3;
  return {
    assignmentId: assignment,
    roundId: cast.roundId,
    text: `第 ${j + 1} 次报送：已在政府网站政务公开专栏更新（${cast.tag}）。`,
    progress: j % 2 === 0 ? 'ongoing' : 'done',
    images: photoEvery > 0 && j % photoEvery === 0 ? [c.photo] : [],
    files: [],
    links: [{ url: `https://www.zoucheng.gov.cn/zwgk/${i}-${j}.html` }],
    secrecyConfirmed: true,
    requestId: `${cast.tag}-p${opts.pass ?? 0}-c${i}-s${j}`,
  };
}

/** Every contact submits, every admin reviews, all at once; returns what each got back. */
export async function runLoad(client: Client, cast: Cast, opts: LoadOptions): Promise<LoadRun> {
  const started = performance.now();
  const submits: Submitted[] = [];
  const decisions: Decided[] = [];
  let contactsDone = false;
  const contacts = Promise.all(
    cast.contacts.map(async (c, i) => {
      for (let j = 0; j < opts.submitsPerContact; j++) {
        const input = submitInput(cast, c, i, j, opts);
        const res = await client.api(c.openid, 'report.submit', input);
        submits.push(
          res.ok
            ? { openid: c.openid, input, outcome: 'ok', reportId: res.data.report.id, duplicate: res.data.duplicate }
            : { openid: c.openid, input, outcome: res.code },
        );
      }
    }),
  ).finally(() => (contactsDone = true));
  const admins = cast.admins.map(async (admin, a) => {
    let attempts = 0;
    while (attempts < opts.decisionsPerAdmin) {
      const queue = await client.api(admin, 'review.queue', { roundId: cast.roundId, limit: 20 });
      const items = queue.ok ? queue.data.items : [];
      if (items.length === 0) {
        if (contactsDone) break;
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      attempts++;
      // Admins pick different rows, as people would; two sometimes pick the same one.
      const item = items[(a * 5 + attempts) % items.length];
      if (!item) continue;
      await client.api(admin, 'report.get', { reportId: item.reportId });
      const decision = attempts % 3 === 0 ? 'return' : 'approve';
      const res = await client.api(admin, 'review.decide', {
        reportId: item.reportId,
        decision,
        expectedState: 'submitted',
        ...(decision === 'return' ? { note: '请补充照片和链接' } : {}),
      });
      decisions.push({ admin, reportId: item.reportId, decision, outcome: res.ok ? 'ok' : res.code });
    }
  });
  await Promise.all([contacts, ...admins]);
  return { submits, decisions, ms: performance.now() - started };
}

/**
 * One submit per contact person, all at once (each with the person's photo),
 * calling `crash` once `after` of them have been answered ok: the local cloud
 * dies in the middle of the burst. Returns what each submit got back.
 */
export async function burstAndCrash(
  client: Client,
  cast: Cast,
  pass: number,
  after: number,
  crash: () => Promise<void>,
): Promise<Submitted[]> {
  let oks = 0;
  let crashed: Promise<void> | undefined;
  const submits = await Promise.all(
    cast.contacts.map(async (c, i): Promise<Submitted> => {
      const input = submitInput(cast, c, i, 0, { submitsPerContact: 1, decisionsPerAdmin: 0, photoEvery: 1, pass });
      const res = await client.api(c.openid, 'report.submit', input);
      if (res.ok && ++oks === after) crashed = crash();
      return res.ok
        ? { openid: c.openid, input, outcome: 'ok', reportId: res.data.report.id, duplicate: res.data.duplicate }
        : { openid: c.openid, input, outcome: res.code };
    }),
  );
  await (crashed ?? crash());
  return submits;
}

/** Sends every submit again with its own requestId, all at once, as the app's retry does. */
export async function retrySubmits(client: Client, submits: readonly Submitted[]): Promise<Submitted[]> {
  return Promise.all(
    submits.map(async (s) => {
      const res = await client.api(s.openid, 'report.submit', s.input);
      return res.ok
        ? { ...s, outcome: 'ok', reportId: res.data.report.id, duplicate: res.data.duplicate }
        : { ...s, outcome: res.code, reportId: undefined, duplicate: undefined };
    }),
  );
}

export type Find = (collection: string, filter: Record<string, unknown>) => Record<string, unknown>[];

export interface Integrity {
  /** Submits answered ok: each must be in the database exactly once. */
  acknowledged: number;
  /** Reports of the round (a submit without an answer may or may not have landed). */
  reports: number;
  /** Submits without an ok answer whose report is there (once). */
  unacknowledgedPresent: number;
  reviews: number;
  problems: string[];
}

/**
 * What the database holds for a round against what the load was told:
 * every acknowledged submit present exactly once (with all its evidence),
 * nothing nobody submitted, versions 1…n without gaps or repeats, every
 * acknowledged decision recorded once with the report in its state, and at
 * most one decision per report.
 */
export function integrity(find: Find, roundId: string, submits: readonly Submitted[], decisions: readonly Decided[]): Integrity {
  const problems: string[] = [];
  const reports = find('reports', { roundId });
  const byKey = new Map<string, Record<string, unknown>[]>();
  for (const r of reports) byKey.set(String(r.requestKey), [...(byKey.get(String(r.requestKey)) ?? []), r]);
  const asked = new Map<string, Submitted[]>();
  for (const s of submits) {
    const key = `${s.openid}:${s.input.requestId}`;
    asked.set(key, [...(asked.get(key) ?? []), s]);
  }
  let acknowledged = 0;
  let unacknowledgedPresent = 0;
  for (const [key, tries] of asked) {
    const found = byKey.get(key) ?? [];
    const oks = tries.filter((s) => s.outcome === 'ok');
    if (found.length > 1) problems.push(`${key}: ${found.length} reports`);
    if (oks.length > 0) {
      acknowledged++;
      if (found.length === 0) problems.push(`${key}: acknowledged (${oks[0]?.reportId}) but missing`);
      for (const s of oks)
        if (found.length === 1 && found[0]?._id !== s.reportId) problems.push(`${key}: answered ${s.reportId}, stored ${found[0]?._id}`);
    } else if (found.length === 1) unacknowledgedPresent++;
  }
  for (const key of byKey.keys()) if (!asked.has(key)) problems.push(`${key}: a report nobody submitted`);

  const versions = new Map<string, number[]>();
  for (const r of reports) versions.set(String(r.assignmentId), [...(versions.get(String(r.assignmentId)) ?? []), Number(r.version)]);
  for (const [assignment, vs] of versions) {
    const sorted = [...vs].sort((a, b) => a - b);
    if (sorted.some((v, i) => v !== i + 1)) problems.push(`${assignment}: versions ${sorted.join(',')}`);
  }
  const evidence = new Map<string, number>();
  for (const e of find('evidence', { roundId })) evidence.set(String(e.reportId), (evidence.get(String(e.reportId)) ?? 0) + 1);
  for (const r of reports) {
    const ev = r.evidence as { images: unknown[]; files: unknown[] };
    const expected = ev.images.length + ev.files.length;
    if ((evidence.get(String(r._id)) ?? 0) !== expected)
      problems.push(`${String(r._id)}: ${evidence.get(String(r._id)) ?? 0} of ${expected} evidence documents`);
  }

  const reviews = find('reviews', { roundId });
  const reviewsOf = new Map<string, Record<string, unknown>[]>();
  for (const v of reviews) reviewsOf.set(String(v.reportId), [...(reviewsOf.get(String(v.reportId)) ?? []), v]);
  const stateOf = new Map(reports.map((r) => [String(r._id), String(r.state)]));
  for (const [reportId, vs] of reviewsOf) {
    if (vs.length > 1) problems.push(`${reportId}: ${vs.length} decisions`);
    const after = vs[0]?.decision === 'approve' ? 'approved' : 'returned';
    if (stateOf.get(reportId) !== after) problems.push(`${reportId}: decided ${String(vs[0]?.decision)} but ${stateOf.get(reportId)}`);
  }
  for (const d of decisions) {
    if (d.outcome !== 'ok') continue;
    const vs = reviewsOf.get(d.reportId) ?? [];
    if (vs.length !== 1 || vs[0]?.decision !== d.decision)
      problems.push(`${d.reportId}: ${d.decision} acknowledged, recorded ${vs.map((v) => v.decision).join(',') || 'nothing'}`);
  }
  return { acknowledged, reports: reports.length, unacknowledgedPresent, reviews: reviews.length, problems };
}

/** Opens a stopped local cloud's database on `dir` and checks a round against what the clients were told. */
export function checkStopped(dir: string, roundId: string, run: Pick<LoadRun, 'submits' | 'decisions'>): Integrity {
  const db = createDatabaseBackend({ dir: path.join(dir, 'db'), fsync: false });
  try {
    return integrity((c, f) => db.find(c, f), roundId, run.submits, run.decisions);
  } finally {
    db.close();
  }
}

export interface LatencyFigures {
  count: number;
  errors: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

/** Latency quantiles and non-ok outcomes per action. */
export function latencies(calls: readonly CallRecord[]): Record<string, LatencyFigures> {
  const out: Record<string, LatencyFigures> = {};
  const by = new Map<string, CallRecord[]>();
  for (const c of calls) by.set(c.action, [...(by.get(c.action) ?? []), c]);
  for (const [action, cs] of by) {
    const ms = cs.map((c) => c.ms).sort((a, b) => a - b);
    const errors: Record<string, number> = {};
    for (const c of cs) if (c.outcome !== 'ok') errors[c.outcome] = (errors[c.outcome] ?? 0) + 1;
    out[action] = { count: cs.length, errors, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), p99: quantile(ms, 0.99) };
  }
  return out;
}

/** Outcomes a load run may see that are not errors: two admins racing for one report, a newer version in between. */
export const EXPECTED_REFUSALS: ReadonlySet<string> = new Set(['CONFLICT']);
