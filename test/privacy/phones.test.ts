/**
 * Phone numbers are for the office only. Every action of the api (the
 * realistic payloads of test/fuzz/bases.ts, a Record over ActionName) is
 * sent by every kind of caller that is not an administrator — a stranger, a
 * person waiting for approval, a unit's contact, the contact of the unit
 * that leads a task (whose task page shows the cooperating units' reports),
 * a cooperating unit's contact — and no answer, ok or refusal, holds anyone's
 * full number, their own included. Subscribe messages sent to people don't
 * either. The office sees full numbers (the control that the search works).
 */
import type { ActionName, ApiResult } from '../../miniprogram/shared/api';
import { maskPhone } from '../../cloudfunctions/common/mask';
import { ADMIN, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, inDays, reportInput } from '../helpers/journey';
import { BASES, GROUP, SELF_CHANGING, setUpBases, type Ctx } from '../fuzz/bases';
import { subscribe } from '../reminder/helpers';

/** The person waiting for approval (set up by setUpBases). */
const PENDING = { openid: 'o-privacy-pending', phone: '0537-5212345' };
const SECOND = { openid: 'o-privacy-ssfj-0002', unitId: 'ssfj', name: '司法己', phone: '13912345678' };
/** Everyone's number as stored (13811112222: what contact.bind's payload gives). */
const PHONES = [...Object.values(CONTACTS).map((c) => c.phone), PENDING.phone, SECOND.phone, '13811112222'];

const ROLES = {
  stranger: 'o-privacy-stranger-1',
  pending: PENDING.openid,
  unit: CONTACTS.ssfj.openid,
  lead: CONTACTS.szfbgs.openid,
  cooperating: CONTACTS.xiangcheng.openid,
} as const;

let t: TestCloud;
let ctx: Omit<Ctx, 'groupCloudId'>;

/** Full numbers in an answer: as stored, and as bare digits. */
function phonesIn(value: unknown): string[] {
  const text = JSON.stringify(value) ?? '';
  return PHONES.filter((p) => text.includes(p) || text.includes(p.replace(/\D/g, '')));
}

beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  // What the payloads refer to; its person waiting for approval has a landline.
  ctx = await setUpBases(t, 'privacy', PENDING.phone);
  await approveContacts(t, ['szfbgs', 'swbb']);
  okData(await t.as(SECOND.openid)('contact.bind', { unitId: SECOND.unitId, name: SECOND.name, phone: SECOND.phone }));
  okData(await t.as(ADMIN)('contact.approve', { openid: SECOND.openid }));
  // Task 24: 市政府办公室 leads; 市司法局 and 香城镇 cooperate and have reported, one of them returned.
  okData(await t.as(CONTACTS.ssfj.openid)('report.submit', reportInput(assignmentOf(24, 'ssfj'), ctx.roundId, 'privacy-ssfj-1')));
  const xc = reportInput(assignmentOf(24, 'xiangcheng-zhen'), ctx.roundId, 'privacy-xc-1');
  const returned = okData(await t.as(CONTACTS.xiangcheng.openid)('report.submit', xc));
  await subscribe(t, CONTACTS.xiangcheng.openid, 'returned', 1);
  await subscribe(t, CONTACTS.szfbgs.openid, 'urge', 1);
  okData(await t.as(ADMIN)('review.decide', { reportId: returned.report.id, decision: 'return', note: '请补充联系电话以外的材料' }));
  const late = await createRound(t, { name: '上半年', dueDate: inDays(-5), scope: [24] });
  okData(await t.as(ADMIN)('urge.send', { roundId: late.id, requestId: 'privacy-urge-01' }));
}, 60_000);
afterAll(() => t.close());

const actions = Object.keys(BASES) as ActionName[];
// Actions that change the caller's own binding go last, so the others see the role intact.
const ordered = [...actions.filter((a) => !SELF_CHANGING.has(a)), ...actions.filter((a) => SELF_CHANGING.has(a))];

test('a contact sees their own number masked; the office sees everyone’s in full', async () => {
  for (const c of [CONTACTS.ssfj, CONTACTS.szfbgs]) {
    expect(okData(await t.as(c.openid)('me.get', {})).contact?.phone).toBe(maskPhone(c.phone));
  }
  expect(okData(await t.as(PENDING.openid)('me.get', {})).contact?.phone).toBe('053*****2345');
  const listed = okData(await t.as(ADMIN)('contact.list', {}));
  expect(phonesIn(listed).sort()).toEqual(PHONES.filter((p) => p !== '13811112222').sort());
});

test('the lead unit’s task page shows the cooperating units’ reports without their contacts’ numbers', async () => {
  const detail = okData(await t.as(ROLES.lead)('task.detail', { taskId: 'plan-2021-t24' }));
  const latest = (detail.cooperating ?? []).filter((u) => u.latest !== null);
  expect(latest.map((u) => u.unitId).sort()).toEqual(['ssfj', 'xiangcheng-zhen']);
  expect(latest.map((u) => u.latest?.submittedByName).sort()).toEqual([CONTACTS.ssfj.name, CONTACTS.xiangcheng.name].sort());
  expect(phonesIn(detail)).toEqual([]);
});

test('subscribe messages sent to people hold no phone number', () => {
  const sent = t.cloud.openapi.outbox({ limit: 1_000_000 });
  expect(sent.map((e) => e.touser).sort()).toEqual([CONTACTS.szfbgs.openid, CONTACTS.xiangcheng.openid]);
  expect(sent.flatMap((e) => phonesIn(e.data))).toEqual([]);
});

// Last: the binding actions among them change who these people are.
test.each(Object.entries(ROLES))('as %s: no answer to any action holds a full phone number', async (_role, openid) => {
  const groupCloudId = t.cloud.issueGroupCloudId(openid, GROUP);
  const leaks: string[] = [];
  let answered = 0;
  for (const action of ordered) {
    const res = (await t.as(openid)(action, BASES[action]({ ...ctx, groupCloudId }) as never)) as ApiResult<unknown>;
    if (res.ok) answered++;
    for (const p of phonesIn(res)) leaks.push(`${action} → ${p}`);
  }
  expect(leaks).toEqual([]);
  // Every role got real answers (at least me.get, plan.get, unit.list …), not only refusals.
  expect(answered).toBeGreaterThanOrEqual(5);
});
