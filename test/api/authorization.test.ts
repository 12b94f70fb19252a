/**
 * Who may call what: every action of the api × every kind of caller, in
 * one table. The table is a Record over ActionName, so an action added to
 * the contract without a row here does not compile.
 *
 * "allowed" means the call succeeds with a realistic payload; a refusal
 * names the code docs/api.md documents for that caller.
 */
import type { ActionName, ActionRequest, ApiResult, RoundView } from '../../miniprogram/shared/api';
import { importPrefix, type LedgerActionName, type LedgerRequest } from '../../miniprogram/shared/ledger-api';
import type { LinksActionName, LinksRequest } from '../../miniprogram/shared/links-api';
import { ADMIN, SETUP_CODE, TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, assignmentOf, createRound, inDays, reportInput, startUploader } from '../helpers/journey';
import { fetchFile, withTitleYear } from '../helpers/ledger';

const ROLES = ['anonymous', 'none', 'pending', 'unitA', 'unitB', 'lead', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Outcome = 'allowed' | 'FORBIDDEN' | 'NOT_BOUND' | 'UNAUTHENTICATED';

/** What a payload may refer to: set up once before the table runs. */
interface Ctx {
  round: RoundView;
  lateRound: RoundView;
  spareRound: RoundView;
  reportA: string;
  me: string;
  pendingToApprove: string;
  pendingToReject: string;
  activeToRemove: string;
  spareAdmin: string;
  groupCloudId: (openid: string) => string;
  /** The 2021 template, uploaded where the admin role's person imports from. */
  importFile: string;
}
interface Row<A extends ActionName> {
  who: Record<Role, Outcome>;
  payload: (ctx: Ctx) => ActionRequest<A>;
  /** The call changes the caller's own binding: run it as a fresh person of the role. */
  fresh?: true;
}
type Table = { [A in ActionName]: Row<A> };
/** The same for the `ledger` function's contract. */
interface LedgerRow<A extends LedgerActionName> {
  who: Record<Role, Outcome>;
  payload: (ctx: Ctx) => LedgerRequest<A>;
}
type LedgerTable = { [A in LedgerActionName]: LedgerRow<A> };
/** And for the `linkcheck` function's. */
type LinksTable = { [A in LinksActionName]: { who: Record<Role, Outcome>; payload: (ctx: Ctx) => LinksRequest<A> } };

const ANYONE: Record<Role, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  none: 'allowed',
  pending: 'allowed',
  unitA: 'allowed',
  unitB: 'allowed',
  lead: 'allowed',
  admin: 'allowed',
};
const ADMIN_ONLY: Record<Role, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  none: 'FORBIDDEN',
  pending: 'FORBIDDEN',
  unitA: 'FORBIDDEN',
  unitB: 'FORBIDDEN',
  lead: 'FORBIDDEN',
  admin: 'allowed',
};
/** Actions an active contact takes for their own unit (an admin without a unit is not bound). */
const CONTACT: Record<Role, Outcome> = { ...ANYONE, none: 'NOT_BOUND', pending: 'NOT_BOUND', admin: 'NOT_BOUND' };
/** The same, on unit A's own assignment: other units' contacts are refused. */
const UNIT_A_ONLY: Record<Role, Outcome> = { ...CONTACT, unitB: 'FORBIDDEN', lead: 'FORBIDDEN' };
/** Admins and active contacts. */
const ADMIN_OR_CONTACT: Record<Role, Outcome> = { ...CONTACT, admin: 'allowed' };

const GROUP = 'tG-authz-group';
const EMPTY = () => ({}) as Record<string, never>;

const TABLE: Table = {
  'me.get': { who: ANYONE, payload: EMPTY },
  'plan.list': { who: ANYONE, payload: EMPTY },
  'plan.get': { who: ANYONE, payload: () => ({ year: 2021 }) },
  // An administrator exists: the setup code no longer makes anyone one.
  'admin.bootstrap': {
    who: {
      anonymous: 'UNAUTHENTICATED',
      none: 'FORBIDDEN',
      pending: 'FORBIDDEN',
      unitA: 'FORBIDDEN',
      unitB: 'FORBIDDEN',
      lead: 'FORBIDDEN',
      admin: 'FORBIDDEN',
    },
    payload: () => ({ setupCode: SETUP_CODE, name: '冒充者' }),
  },
  'plan.seed': { who: ADMIN_ONLY, payload: () => ({ year: 2021 }) },
  'unit.list': { who: ANYONE, payload: EMPTY },
  'contact.bind': { who: ANYONE, payload: () => ({ unitId: 'ssfj', name: '新联络员', phone: '13811112222' }), fresh: true },
  'contact.leave': { who: ANYONE, payload: EMPTY, fresh: true },
  'contact.list': { who: ADMIN_ONLY, payload: () => ({ status: 'pending' }) },
  'contact.approve': { who: ADMIN_ONLY, payload: (c) => ({ openid: c.pendingToApprove, unitId: 'ssfj' }) },
  'contact.reject': { who: ADMIN_ONLY, payload: (c) => ({ openid: c.pendingToReject, note: '请用单位名称重新申请' }) },
  'contact.remove': { who: ADMIN_ONLY, payload: (c) => ({ openid: c.activeToRemove }) },
  'group.register': { who: ADMIN_ONLY, payload: (c) => ({ groupCloudId: c.groupCloudId(c.me) }) },
  'round.list': { who: ADMIN_OR_CONTACT, payload: EMPTY },
  'round.create': { who: ADMIN_ONLY, payload: () => ({ name: '授权测试轮次', dueDate: inDays(20), scope: [24] }) },
  'round.update': { who: ADMIN_ONLY, payload: (c) => ({ id: c.spareRound.id, name: '备用轮次', dueDate: inDays(25), scope: 'all' }) },
  'round.close': { who: ADMIN_ONLY, payload: (c) => ({ id: c.spareRound.id }) },
  'tasks.mine': { who: CONTACT, payload: EMPTY },
  // Task 24 is on every unit of the table (市政府办公室 leads it).
  'task.detail': { who: CONTACT, payload: () => ({ taskId: 'plan-2021-t24' }) },
  'report.submit': {
    who: UNIT_A_ONLY,
    payload: (c) => ({
      assignmentId: assignmentOf(24, 'ssfj'),
      roundId: c.round.id,
      text: '授权测试报送',
      progress: 'ongoing',
      images: [],
      files: [],
      links: [],
      secrecyConfirmed: true,
      requestId: `authz-${c.me.slice(-12)}`,
    }),
  },
  'report.latest': { who: UNIT_A_ONLY, payload: () => ({ assignmentId: assignmentOf(24, 'ssfj') }) },
  'subscription.record': { who: ANYONE, payload: () => ({ results: { [TEMPLATES.urge]: 'reject' } }) },
  'admin.list': { who: ADMIN_ONLY, payload: EMPTY },
  'admin.add': { who: ADMIN_ONLY, payload: () => ({ openid: 'o-authz-added-admin', name: '新管理员' }) },
  'admin.remove': { who: ADMIN_ONLY, payload: (c) => ({ openid: c.spareAdmin }) },
  'unit.directory': { who: ADMIN_ONLY, payload: EMPTY },
  'unit.create': { who: ADMIN_ONLY, payload: () => ({ name: '授权测试局', kind: 'department', code: 'authz-test' }) },
  'unit.update': { who: ADMIN_ONLY, payload: () => ({ id: 'authz-test', order: 99 }) },
  'unit.retire': { who: ADMIN_ONLY, payload: () => ({ id: 'authz-test' }) },
  'unit.restore': { who: ADMIN_ONLY, payload: () => ({ id: 'authz-test' }) },
  'review.decide': { who: ADMIN_ONLY, payload: (c) => ({ reportId: c.reportA, decision: 'approve' }) },
  'review.queue': { who: ADMIN_ONLY, payload: (c) => ({ roundId: c.round.id }) },
  'report.get': { who: ADMIN_ONLY, payload: (c) => ({ reportId: c.reportA }) },
  'overview.round': { who: ADMIN_ONLY, payload: (c) => ({ roundId: c.lateRound.id }) },
  'urge.preview': { who: ADMIN_ONLY, payload: (c) => ({ roundId: c.lateRound.id }) },
  'urge.send': { who: ADMIN_ONLY, payload: (c) => ({ roundId: c.lateRound.id, unitIds: ['xiangcheng-zhen'] }) },
  'audit.list': { who: ADMIN_ONLY, payload: () => ({ limit: 10 }) },
  'digest.get': { who: ADMIN_ONLY, payload: () => ({ day: '2021-09-30' }) },
  'system.check': { who: ADMIN_ONLY, payload: () => ({}) },
};

const LEDGER_TABLE: LedgerTable = {
  'ledger.export': { who: ADMIN_ONLY, payload: () => ({ year: 2021 }) },
  'ledger.archive': { who: ADMIN_ONLY, payload: (c) => ({ roundId: c.round.id }) },
  'ledger.template': { who: ADMIN_ONLY, payload: () => ({}) },
  'import.check': { who: ADMIN_ONLY, payload: (c) => ({ fileID: c.importFile }) },
  'import.commit': {
    who: ADMIN_ONLY,
    payload: (c) => ({ fileID: c.importFile, year: 2031, makeCurrent: false, requestId: 'authz-import' }),
  },
  'plan.setCurrent': { who: ADMIN_ONLY, payload: () => ({ year: 2021 }) },
};

const LINKS_TABLE: LinksTable = {
  // No URLs: who may ask is the question here (test/links/ fetches pages).
  'links.check': { who: ADMIN_OR_CONTACT, payload: () => ({ urls: [] }) },
  'links.recheck': { who: ADMIN_ONLY, payload: (c) => ({ reportId: c.reportA }) },
  'links.history': { who: { ...UNIT_A_ONLY, admin: 'allowed' }, payload: (c) => ({ reportId: c.reportA }) },
};

let t: TestCloud;
let ctx: Omit<Ctx, 'me'>;
const people: Record<Role, string | undefined> = {
  anonymous: undefined,
  none: 'o-authz-stranger-01',
  pending: 'o-authz-pending-01',
  unitA: CONTACTS.ssfj.openid,
  unitB: CONTACTS.xiangcheng.openid,
  lead: CONTACTS.szfbgs.openid,
  admin: 'o-authz-admin-0001',
};

async function bind(openid: string, unitId: string, approve: boolean): Promise<void> {
  okData(await t.as(openid)('contact.bind', { unitId, name: '测试联络员', phone: '13800009999' }));
  if (approve) okData(await t.as(ADMIN)('contact.approve', { openid }));
}

let freshSeq = 0;
/** A new person in `role`, for calls that change the caller's own binding. */
async function freshPerson(role: Role): Promise<string | undefined> {
  if (role === 'anonymous') return undefined;
  const openid = `o-authz-fresh-${role}-${++freshSeq}`;
  if (role === 'pending') await bind(openid, 'ssfj', false);
  if (role === 'unitA') await bind(openid, 'ssfj', true);
  if (role === 'unitB') await bind(openid, 'xiangcheng-zhen', true);
  if (role === 'lead') await bind(openid, 'szfbgs', true);
  if (role === 'admin') okData(await t.as(ADMIN)('admin.add', { openid, name: '临时管理员' }));
  return openid;
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  const admin = t.as(ADMIN);
  await bind(CONTACTS.ssfj.openid, 'ssfj', true);
  await bind(CONTACTS.xiangcheng.openid, 'xiangcheng-zhen', true);
  await bind(CONTACTS.szfbgs.openid, 'szfbgs', true);
  await bind(people.pending as string, 'ssfj', false);
  okData(await admin('admin.add', { openid: people.admin as string, name: '授权测试管理员' }));
  okData(await admin('admin.add', { openid: 'o-authz-spare-admin', name: '备用管理员' }));
  await bind('o-authz-to-approve', 'ssfj', false);
  await bind('o-authz-to-reject', 'ssfj', false);
  await bind('o-authz-to-remove', 'xiangcheng-zhen', true);

  const round = await createRound(t, { name: '第三季度', dueDate: inDays(10) });
  const lateRound = await createRound(t, { name: '上半年', dueDate: inDays(-5), scope: [24] });
  const spareRound = await createRound(t, { name: '备用', dueDate: inDays(15), scope: [1] });
  // On task 25 (named for 市司法局): the report.submit row's new versions on task 24 do not supersede it.
  const report = okData(
    await t.as(CONTACTS.ssfj.openid)('report.submit', reportInput(assignmentOf(25, 'ssfj'), round.id, 'authz-setup-report')),
  ).report;
  const uploader = await startUploader(t);
  const template = okData(await t.ledger(ADMIN)('ledger.template', { year: 2021 }));
  const importFile = await uploader.upload(
    people.admin as string,
    `${importPrefix(people.admin as string)}2031.xlsx`,
    // The 2021 table made into 2031's: the import takes only the year its title names.
    await withTitleYear(await fetchFile(template), 2031),
  );
  ctx = {
    round,
    lateRound,
    spareRound,
    reportA: report.id,
    pendingToApprove: 'o-authz-to-approve',
    pendingToReject: 'o-authz-to-reject',
    activeToRemove: 'o-authz-to-remove',
    spareAdmin: 'o-authz-spare-admin',
    groupCloudId: (openid) => t.cloud.issueGroupCloudId(openid, GROUP),
    importFile,
  };
});
afterAll(() => t.close());

/** What both functions' matrices need: a row per action, and a way to call as someone. */
interface AnyRow {
  who: Record<Role, Outcome>;
  payload: (ctx: Ctx) => unknown;
  fresh?: true;
}
type Send = (openid: string | undefined) => (action: string, data?: unknown) => Promise<ApiResult<unknown>>;

const FUNCTIONS: [string, Record<string, AnyRow>, () => Send][] = [
  ['api', TABLE, () => t.as as unknown as Send],
  ['ledger', LEDGER_TABLE, () => t.ledger as unknown as Send],
  ['linkcheck', LINKS_TABLE, () => t.links as unknown as Send],
];

describe.each(FUNCTIONS)('the %s function', (_fn, table, send) => {
  test('the table covers every action the function answers', async () => {
    // Compile time: the table is a Record over the contract's action names. Run time: none is unknown to the router.
    for (const action of Object.keys(table)) {
      const res = await send()(ADMIN)(action, {});
      expect(res.ok || res.code).not.toBe('UNKNOWN_ACTION');
    }
    expect(await send()(ADMIN)('no.such')).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION' });
  });

  const cases = Object.keys(table).flatMap((action) => ROLES.map((role) => [action, role] as const));
  test.each(cases)('%s as %s', async (action, role) => {
    const row = table[action] as AnyRow;
    const expected = row.who[role];
    const openid = row.fresh ? await freshPerson(role) : people[role];
    const res = await send()(openid)(action, row.payload({ ...ctx, me: openid ?? 'o-anonymous' }));
    if (expected === 'allowed') {
      // Realistic payloads: an allowed call succeeds outright.
      expect(res.ok ? 'ok' : `${res.code}: ${res.message}`).toBe('ok');
    } else {
      expect(res.ok ? 'ok' : res.code).toBe(expected);
    }
  });
});

/**
 * The reminder function answers only its timer: a client call — by anyone,
 * with any event, even one dressed as a timer event — is refused and
 * neither sends nor writes anything.
 */
describe('the reminder function, called from the app', () => {
  const EVENTS: Record<string, unknown> = {
    empty: {},
    'a timer event': { Type: 'Timer', TriggerName: 'remind', Time: '2021-09-27T09:00:00+08:00', Message: '' },
    'an action': { action: 'remind', data: {} },
  };
  const calls = ROLES.flatMap((role) => Object.keys(EVENTS).map((event) => [role, event] as const));

  test.each(calls)('as %s with %s: FORBIDDEN, nothing sent or written', async (role, event) => {
    const writes = () => ({ reminders: t.cloud.db.count('reminders', {}), digests: t.cloud.db.count('digests', {}) });
    const before = { ...writes(), sent: t.cloud.openapi.outbox({ limit: 1_000_000 }).length };
    const res = (await t.cloud.invoke('reminder', EVENTS[event], { openid: people[role] })) as ApiResult<unknown>;
    expect(res.ok ? 'ok' : res.code).toBe('FORBIDDEN');
    expect({ ...writes(), sent: t.cloud.openapi.outbox({ limit: 1_000_000 }).length }).toEqual(before);
  });

  test('the same event from the timer runs (the refusal is about the caller, not the event)', async () => {
    const res = (await t.cloud.runTrigger('reminder', 'remind', { Time: '2021-09-27T09:00:00+08:00' })) as ApiResult<unknown>;
    expect(res.ok ? 'ok' : res.code).toBe('ok');
  });
});
