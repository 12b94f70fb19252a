/**
 * Abuse and fault suite, first part: property-based input fuzzing of every
 * action of the `api` and `ledger` functions (fast-check), one engine for
 * both.
 *
 * For each action, hostile payloads — wrong types, huge strings, deep
 * objects, unicode edge cases, database operators in place of ids,
 * prototype keys, arrays for objects, NaN/Infinity/undefined, extra keys —
 * are sent as an administrator and as an active contact. Properties:
 *  - the call never throws: an envelope comes back;
 *  - the envelope is well-formed: `{ok:true,data}` or `{ok:false,code,message,field?}`
 *    with a documented code and a non-empty message;
 *  - a refusal is never INTERNAL, and an INVALID_INPUT message names no field by its key;
 *  - a refused call writes nothing: no journal record, no collection count
 *    change, no file stored or written over (the ledger's files and audit
 *    entries come only with a success);
 *  - Object.prototype (and Array.prototype) are not polluted afterwards.
 *
 * BASES and LEDGER_BASES are Records over ActionName and LedgerActionName: an
 * action added to either contract without a realistic payload does not
 * compile. FUZZ_RUNS sets the cases per action and role (default 25; the
 * ledger actions that build a real file run a fifth of it, at least 5);
 * FUZZ_SEED replays a run. At the end the run prints how many cases ran per
 * action and role and what they got back (FUZZ_REPORT=<file> also writes it
 * as JSON).
 */
import fs from 'fs';
import path from 'path';
import * as fc from 'fast-check';
import type { ActionName, ApiResult, ErrorCode } from '../../miniprogram/shared/api';
import type { LedgerActionName } from '../../miniprogram/shared/ledger-api';
import { ADMIN, TEMPLATES, okData, startTestCloud, writeMark, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, startUploader } from '../helpers/journey';
import { BASES, GROUP, LEDGER_BASES, LEDGER_HEAVY, SELF_CHANGING, setUpBases, setUpLedgerBases, type Base, type LedgerCtx } from './bases';
import { payloadArb, show, type FuzzCase } from './hostile';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Cases per role of an action that builds a real file: a fifth, at least 5 (never more than RUNS). */
const HEAVY_RUNS = Math.min(RUNS, Math.max(5, Math.ceil(RUNS / 5)));

/** Every code docs/api.md documents (an exhaustive Record: a new code must be listed). */
const CODES: Record<ErrorCode, true> = {
  INVALID_INPUT: true,
  UNKNOWN_ACTION: true,
  UNAUTHENTICATED: true,
  NOT_BOUND: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  CONFLICT: true,
  ROUND_CLOSED: true,
  SETUP_CODE_INVALID: true,
  INTERNAL: true,
};

const ROLES = ['admin', 'contact'] as const;
type FuzzRole = (typeof ROLES)[number];
const PRIMARY: Record<FuzzRole, string> = { admin: ADMIN, contact: CONTACTS.ssfj.openid };

/** One action of one function, as the engine sees it. */
interface Target {
  fn: 'api' | 'ledger';
  action: ActionName | LedgerActionName;
  base: Base<LedgerCtx>;
  runs: number;
  /** It changes the caller's own binding: run as a stand-in of the role. */
  selfChanging: boolean;
  call(openid: string, data: unknown): Promise<ApiResult<unknown>>;
}

const TARGETS: Target[] = [
  ...(Object.keys(BASES) as ActionName[]).map((action): Target => ({
    fn: 'api',
    action,
    base: BASES[action],
    runs: RUNS,
    selfChanging: SELF_CHANGING.has(action),
    call: (openid, data) => t.as(openid)(action, data as never),
  })),
  ...(Object.keys(LEDGER_BASES) as LedgerActionName[]).map((action): Target => ({
    fn: 'ledger',
    action,
    base: LEDGER_BASES[action],
    runs: LEDGER_HEAVY.has(action) ? HEAVY_RUNS : RUNS,
    selfChanging: false,
    call: (openid, data) => t.ledger(openid)(action, data as never),
  })),
];

let t: TestCloud;
let ctx: LedgerCtx;
let journal: string;
let standInSeq = 0;
const standIns: Partial<Record<FuzzRole, string>> = {};
const ran = new Map<Target, Record<FuzzRole, number>>();
const outcomes = new Map<Target, Record<string, number>>();
const protoBefore = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
};

async function newStandIn(role: FuzzRole): Promise<string> {
  const openid = `o-fuzz-${role}-${++standInSeq}`;
  if (role === 'admin') {
    okData(await t.as(openid)('me.get', {}));
    okData(await t.as(ADMIN)('admin.add', { openid, name: '模糊管理员' }));
  } else {
    okData(await t.as(openid)('contact.bind', { unitId: 'ssfj', name: '模糊联络员', phone: '13800007777' }));
    okData(await t.as(ADMIN)('contact.approve', { openid }));
  }
  return openid;
}

async function callerFor(target: Target, role: FuzzRole): Promise<string> {
  if (!target.selfChanging) return PRIMARY[role];
  return (standIns[role] ??= await newStandIn(role));
}

const snapshot = () => writeMark(t);

/** The field names a payload holds, nested ones too (not the keys of maps, which are data). */
function keysOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(keysOf);
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [...(/^[A-Za-z]\w*$/.test(k) && !k.startsWith('tmpl-') ? [k] : []), ...keysOf(x)]);
}

function checkEnvelope(res: unknown): string | null {
  if (typeof res !== 'object' || res === null) return `not an envelope: ${show(res)}`;
  const r = res as Record<string, unknown>;
  if (r.ok === true) return 'data' in r ? null : 'ok without data';
  if (r.ok !== false) return `ok is ${show(r.ok)}`;
  const extra = Object.keys(r).filter((k) => !['ok', 'code', 'message', 'field'].includes(k));
  if (extra.length) return `unexpected keys ${extra.join(',')}`;
  if (typeof r.code !== 'string' || !(r.code in CODES)) return `undocumented code ${show(r.code)}`;
  if (typeof r.message !== 'string' || r.message.trim() === '') return `empty message for ${r.code}`;
  if (r.field !== undefined && typeof r.field !== 'string') return `field is ${show(r.field)}`;
  return null;
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  journal = path.join(t.dir, 'db', 'journal.log');
  const api = { ...(await setUpBases(t, 'fuzz')), groupCloudId: t.cloud.issueGroupCloudId(ADMIN, GROUP) };
  ctx = { ...api, ...(await setUpLedgerBases(t)) };
  expect(fs.existsSync(journal)).toBe(true);
}, 60_000);

afterAll(() => {
  t?.close();
  // Counted in the property itself: one per case fast-check actually ran.
  const rows = TARGETS.filter((target) => ran.has(target)).map((target) => ({
    fn: target.fn,
    action: target.action,
    ...(ran.get(target) ?? { admin: 0, contact: 0 }),
    outcomes: outcomes.get(target) ?? {},
  }));
  const total = rows.reduce((n, r) => n + r.admin + r.contact, 0);
  const width = Math.max(...rows.map((r) => r.action.length));
  const lines = rows.map(
    (r) =>
      `  ${r.fn.padEnd(6)}  ${r.action.padEnd(width)}  ${String(r.admin + r.contact).padStart(5)} (admin ${r.admin}, contact ${r.contact})  ` +
      Object.entries(r.outcomes)
        .map(([code, n]) => `${code} ${n}`)
        .join(', '),
  );
  const heavy = [...LEDGER_HEAVY].join(', ');
  process.stdout.write(
    `\ninput fuzz: ${total} cases over ${rows.length} actions of api and ledger (FUZZ_RUNS=${RUNS} per action and role, ` +
      `${HEAVY_RUNS} for ${heavy}${SEED === undefined ? '' : `; FUZZ_SEED=${SEED}`})\n${lines.join('\n')}\n`,
  );
  // For `npm run soak`, which runs this file with more cases and prints the figures.
  if (process.env.FUZZ_REPORT) fs.writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ runs: RUNS, total, actions: rows }));
});

test.each(TARGETS.map((target) => [`${target.fn} ${target.action}`, target] as const))(
  '%s: hostile payloads get a clean refusal and write nothing',
  async (_name, target) => {
    const { fn, action } = target;
    // A refusal names fields in Chinese: none of the payload's own keys may show in its message.
    const fieldKeys = keysOf(target.base(ctx));
    const counts = { admin: 0, contact: 0 };
    const seen: Record<string, number> = {};
    ran.set(target, counts);
    outcomes.set(target, seen);
    for (const role of ROLES) {
      await fc.assert(
        fc.asyncProperty(payloadArb(target.base(ctx)), async (fuzz: FuzzCase) => {
          counts[role]++;
          const openid = await callerFor(target, role);
          const before = snapshot();
          // An exception (not an envelope) comes back as the platform's call error.
          const res: ApiResult<unknown> | Error = await target
            .call(openid, fuzz.data)
            .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
          const what = `${fn} ${action} as ${role}`;
          if (res instanceof Error) throw new Error(`${what} threw ${res.message} for ${fuzz.kind} ${show(fuzz.data)}`);
          const bad = checkEnvelope(res);
          if (bad) throw new Error(`${what}: ${bad} for ${fuzz.kind} ${show(fuzz.data)}`);
          const outcome = res.ok ? 'ok' : res.code;
          seen[outcome] = (seen[outcome] ?? 0) + 1;
          if (!res.ok) {
            if (res.code === 'INTERNAL') throw new Error(`${what}: INTERNAL for ${fuzz.kind} ${show(fuzz.data)}`);
            const key =
              res.code === 'INVALID_INPUT'
                ? fieldKeys.find((k) => new RegExp(`(?<![A-Za-z])${k}(?![A-Za-z])`).test(res.message))
                : undefined;
            if (key) throw new Error(`${what}: the message "${res.message}" names the field ${key} for ${fuzz.kind} ${show(fuzz.data)}`);
            const after = snapshot();
            if (after !== before) {
              throw new Error(
                `${what}: refused (${res.code} ${res.message}) but wrote: ${before} -> ${after} for ${fuzz.kind} ${show(fuzz.data)}`,
              );
            }
          } else if (target.selfChanging) {
            // The stand-in's binding changed: the next case gets a new one in the role.
            delete standIns[role];
          }
        }),
        {
          numRuns: target.runs,
          seed: SEED,
          endOnFailure: true,
          // fast-check's own report would stringify the hostile payload (2000-deep objects, arrays
          // with a `constructor` key) and fail doing so: the property's error already shows it.
          asyncReporter: async (run) => {
            if (!run.failed) return;
            const err = run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
            throw new Error(`${err}\n(replay: FUZZ_SEED=${run.seed}, case ${run.counterexamplePath ?? '?'} of ${fn} ${action} as ${role})`);
          },
        },
      );
    }
    expect(counts.admin + counts.contact).toBeGreaterThanOrEqual(2 * target.runs);
  },
  60_000,
);

test('the write detector sees a database write', async () => {
  const before = snapshot();
  okData(await t.as(CONTACTS.xiangcheng.openid)('subscription.record', { results: { [TEMPLATES.urge]: 'accept' } }));
  expect(snapshot()).not.toBe(before);
});

test('the write detector sees a stored file, and a file written over', async () => {
  const up = await startUploader(t);
  const before = snapshot();
  await up.upload(ADMIN, 'imports/o-test-office-admin/detector.xlsx');
  const added = snapshot();
  expect(added).not.toBe(before);
  // The same path again, same size: only the upload time tells.
  await new Promise((r) => setTimeout(r, 5));
  await up.upload(ADMIN, 'imports/o-test-office-admin/detector.xlsx');
  expect(snapshot()).not.toBe(added);
});

test('the primary callers kept their roles through the fuzzing', async () => {
  const admin = okData(await t.as(ADMIN)('me.get', {}));
  expect(admin.isAdmin).toBe(true);
  const contact = okData(await t.as(CONTACTS.ssfj.openid)('me.get', {}));
  expect(contact.contact?.status).toBe('active');
});

test('no prototype was polluted', () => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore.object);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(protoBefore.array);
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'isAdmin', 'status', 'leaf', 'a']) expect(probe[key]).toBeUndefined();
});
