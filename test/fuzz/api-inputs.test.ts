/**
 * Abuse and fault suite, first part: property-based input fuzzing of every
 * action of the `api` function (fast-check).
 *
 * For each action, hostile payloads — wrong types, huge strings, deep
 * objects, unicode edge cases, database operators in place of ids,
 * prototype keys, arrays for objects, NaN/Infinity/undefined, extra keys —
 * are sent as an administrator and as an active contact. Properties:
 *  - the call never throws: an envelope comes back;
 *  - the envelope is well-formed: `{ok:true,data}` or `{ok:false,code,message,field?}`
 *    with a documented code and a non-empty message;
 *  - a refusal is never INTERNAL;
 *  - a refused call writes nothing (no journal record, no collection count changes);
 *  - Object.prototype (and Array.prototype) are not polluted afterwards.
 *
 * BASES is a Record over ActionName: an action added to the contract without
 * a realistic payload here does not compile. FUZZ_RUNS sets the cases per
 * action and role (default 25); FUZZ_SEED replays a run. At the end the run
 * prints how many cases ran per action and role and what they got back
 * (FUZZ_REPORT=<file> also writes it as JSON).
 */
import fs from 'fs';
import path from 'path';
import * as fc from 'fast-check';
import type { ActionName, ApiResult, ErrorCode } from '../../miniprogram/shared/api';
import { ADMIN, TEMPLATES, okData, startTestCloud, writeMark, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS } from '../helpers/journey';
import { BASES, GROUP, SELF_CHANGING, setUpBases, type Ctx } from './bases';
import { payloadArb, show, type FuzzCase } from './hostile';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

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

let t: TestCloud;
let ctx: Ctx;
let journal: string;
let standInSeq = 0;
const standIns: Partial<Record<FuzzRole, string>> = {};
const ran: Partial<Record<ActionName, Record<FuzzRole, number>>> = {};
const outcomes: Partial<Record<ActionName, Record<string, number>>> = {};
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

async function callerFor(action: ActionName, role: FuzzRole): Promise<string> {
  if (!SELF_CHANGING.has(action)) return PRIMARY[role];
  return (standIns[role] ??= await newStandIn(role));
}

const snapshot = () => writeMark(t);

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
  ctx = { ...(await setUpBases(t, 'fuzz')), groupCloudId: t.cloud.issueGroupCloudId(ADMIN, GROUP) };
  expect(fs.existsSync(journal)).toBe(true);
}, 60_000);

afterAll(() => {
  t?.close();
  // Counted in the property itself: one per case fast-check actually ran.
  const total = Object.values(ran).reduce((n, r) => n + r.admin + r.contact, 0);
  const rows = (Object.keys(ran) as ActionName[]).map((action) => ({
    action,
    ...(ran[action] ?? { admin: 0, contact: 0 }),
    outcomes: outcomes[action] ?? {},
  }));
  const width = Math.max(...rows.map((r) => r.action.length));
  const lines = rows.map(
    (r) =>
      `  ${r.action.padEnd(width)}  ${String(r.admin + r.contact).padStart(5)} (admin ${r.admin}, contact ${r.contact})  ` +
      Object.entries(r.outcomes)
        .map(([code, n]) => `${code} ${n}`)
        .join(', '),
  );
  process.stdout.write(
    `\napi input fuzz: ${total} cases over ${rows.length} actions (FUZZ_RUNS=${RUNS} per action and role${SEED === undefined ? '' : `, FUZZ_SEED=${SEED}`})\n${lines.join('\n')}\n`,
  );
  // For `npm run soak`, which runs this file with more cases and prints the figures.
  if (process.env.FUZZ_REPORT) fs.writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ runs: RUNS, total, actions: rows }));
});

const actions = Object.keys(BASES) as ActionName[];

test.each(actions)(
  '%s: hostile payloads get a clean refusal and write nothing',
  async (action) => {
    const counts = (ran[action] = { admin: 0, contact: 0 });
    const seen: Record<string, number> = (outcomes[action] = {});
    for (const role of ROLES) {
      await fc.assert(
        fc.asyncProperty(payloadArb(BASES[action](ctx)), async (fuzz: FuzzCase) => {
          counts[role]++;
          const openid = await callerFor(action, role);
          const before = snapshot();
          // An exception (not an envelope) comes back as the platform's call error.
          const res: ApiResult<unknown> | Error = await t
            .as(openid)(action, fuzz.data as never)
            .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
          if (res instanceof Error) throw new Error(`${action} as ${role} threw ${res.message} for ${fuzz.kind} ${show(fuzz.data)}`);
          const bad = checkEnvelope(res);
          if (bad) throw new Error(`${action} as ${role}: ${bad} for ${fuzz.kind} ${show(fuzz.data)}`);
          const outcome = res.ok ? 'ok' : res.code;
          seen[outcome] = (seen[outcome] ?? 0) + 1;
          if (!res.ok) {
            if (res.code === 'INTERNAL') throw new Error(`${action} as ${role}: INTERNAL for ${fuzz.kind} ${show(fuzz.data)}`);
            const after = snapshot();
            if (after !== before) {
              throw new Error(
                `${action} as ${role}: refused (${res.code} ${res.message}) but wrote: ${before} -> ${after} for ${fuzz.kind} ${show(fuzz.data)}`,
              );
            }
          } else if (SELF_CHANGING.has(action)) {
            // The stand-in's binding changed: the next case gets a new one in the role.
            delete standIns[role];
          }
        }),
        {
          numRuns: RUNS,
          seed: SEED,
          endOnFailure: true,
          // fast-check's own report would stringify the hostile payload (2000-deep objects, arrays
          // with a `constructor` key) and fail doing so: the property's error already shows it.
          asyncReporter: async (run) => {
            if (!run.failed) return;
            const err = run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
            throw new Error(`${err}\n(replay: FUZZ_SEED=${run.seed}, case ${run.counterexamplePath ?? '?'} of ${action} as ${role})`);
          },
        },
      );
    }
    expect(counts.admin + counts.contact).toBeGreaterThanOrEqual(2 * RUNS);
  },
  60_000,
);

test('the write detector sees a write', async () => {
  const before = snapshot();
  okData(await t.as(CONTACTS.xiangcheng.openid)('subscription.record', { results: { [TEMPLATES.urge]: 'accept' } }));
  expect(snapshot()).not.toBe(before);
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
