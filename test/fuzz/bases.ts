/**
 * A realistic payload for every action of the api and of the ledger
 * function (Records over ActionName and LedgerActionName: an action added to
 * either contract without one here does not compile). The fuzzer mutates
 * them; the privacy test sends them as they are, as every kind of caller.
 */
import type { ActionName } from '../../miniprogram/shared/api';
import { importPrefix, type LedgerActionName } from '../../miniprogram/shared/ledger-api';
import { ADMIN, SETUP_CODE, TEMPLATES, okData, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, assignmentOf, createRound, inDays, reportInput, startUploader } from '../helpers/journey';
import { fetchFile, withTitleYear } from '../helpers/ledger';

/** What a payload may refer to: set up before use. */
export interface Ctx {
  roundId: string;
  spareRoundId: string;
  reportId: string;
  pending: string;
  spareAdmin: string;
  groupCloudId: string;
}
/** What the ledger payloads refer to besides: the 2021 table as the import template retitled 2035, uploaded under importPrefix(ADMIN). */
export interface LedgerCtx extends Ctx {
  importFileID: string;
}
export type Base<C = Ctx> = (c: C) => Record<string, unknown>;

/** The 政务公开 group a groupCloudId in Ctx should name. */
export const GROUP = 'tG-fuzz-group';
const FILE = 'cloud://local-env.local-bucket/units/ssfj/fuzz/photo.jpg';

/** A realistic payload per action: the fuzzer mutates these. */
export const BASES: Record<ActionName, Base> = {
  'me.get': () => ({}),
  'plan.list': () => ({}),
  'plan.get': () => ({ year: 2021 }),
  'admin.bootstrap': () => ({ setupCode: SETUP_CODE, name: '冒充者' }),
  'plan.seed': () => ({ year: 2021 }),
  'unit.list': () => ({}),
  'contact.bind': () => ({ unitId: 'ssfj', name: '模糊测试', phone: '13811112222' }),
  'contact.leave': () => ({}),
  'contact.list': () => ({ status: 'pending', unitId: 'ssfj' }),
  'contact.approve': (c) => ({ openid: c.pending, unitId: 'ssfj' }),
  'contact.reject': (c) => ({ openid: c.pending, note: '请用单位名称重新申请' }),
  'contact.remove': (c) => ({ openid: c.pending }),
  'group.register': (c) => ({ groupCloudId: c.groupCloudId }),
  'round.list': () => ({ planId: 'plan-2021' }),
  'round.create': () => ({ planId: 'plan-2021', name: '模糊轮次', dueDate: inDays(20), scope: [24, 25], overrides: { '24': inDays(10) } }),
  'round.update': (c) => ({ id: c.spareRoundId, name: '备用轮次', dueDate: inDays(25), scope: [1, 24], overrides: { '1': inDays(5) } }),
  'round.close': (c) => ({ id: c.spareRoundId }),
  'tasks.mine': () => ({}),
  'task.detail': () => ({ taskId: 'plan-2021-t24' }),
  'report.submit': (c) => ({
    assignmentId: assignmentOf(24, 'ssfj'),
    roundId: c.roundId,
    text: '模糊测试报送',
    progress: 'ongoing',
    images: [{ fileID: FILE, name: 'photo.jpg', size: 1024 }],
    files: [{ fileID: FILE.replace('photo.jpg', 'a.pdf'), name: 'a.pdf', size: 2048 }],
    links: [{ url: 'https://www.example.gov.cn/zwgk/1.html', title: '公开链接' }],
    secrecyConfirmed: true,
    requestId: 'fuzz-request-0001',
  }),
  'report.latest': () => ({ assignmentId: assignmentOf(24, 'ssfj') }),
  'subscription.record': () => ({ results: { [TEMPLATES.urge]: 'accept', [TEMPLATES.deadline]: 'reject' } }),
  'admin.list': () => ({}),
  'admin.add': () => ({ openid: CONTACTS.xiangcheng.openid, name: '新管理员' }),
  'admin.remove': (c) => ({ openid: c.spareAdmin }),
  'unit.directory': () => ({}),
  'unit.create': () => ({ name: '模糊测试局', kind: 'department', code: 'fuzz-unit' }),
  'unit.update': () => ({ id: 'fuzz-unit', name: '模糊测试局二', kind: 'other', order: 99, aliases: ['模糊局'] }),
  'unit.retire': () => ({ id: 'fuzz-unit' }),
  'unit.restore': () => ({ id: 'fuzz-unit' }),
  'review.decide': (c) => ({ reportId: c.reportId, decision: 'return', note: '请补充材料', expectedState: 'submitted' }),
  'review.queue': (c) => ({ roundId: c.roundId, limit: 10 }),
  'report.get': (c) => ({ reportId: c.reportId }),
  'overview.round': (c) => ({ roundId: c.roundId }),
  'urge.preview': (c) => ({ roundId: c.roundId }),
  'urge.send': (c) => ({ roundId: c.roundId, unitIds: ['xiangcheng-zhen'], requestId: 'fuzz-urge-0001' }),
  'audit.list': () => ({ before: '2099-01-01T00:00:00.000Z', limit: 10, actor: ADMIN, action: 'round.create' }),
  'digest.get': () => ({ day: '2021-09-30' }),
  'system.check': () => ({}),
};

/** A realistic payload per action of the `ledger` function (admin only). */
export const LEDGER_BASES: Record<LedgerActionName, Base<LedgerCtx>> = {
  'ledger.export': (c) => ({ year: 2021, roundId: c.roundId }),
  'ledger.archive': (c) => ({ year: 2021, roundId: c.roundId }),
  'ledger.template': () => ({ year: 2021 }),
  'import.check': (c) => ({ fileID: c.importFileID, year: 2035 }),
  'import.commit': (c) => ({ fileID: c.importFileID, year: 2035, makeCurrent: false, requestId: 'fuzz-import-0001' }),
  'plan.setCurrent': () => ({ year: 2021 }),
};

/** Ledger actions that build a real file (0.2–1 s each): the fuzzer runs fewer cases of them. */
export const LEDGER_HEAVY: ReadonlySet<LedgerActionName> = new Set<LedgerActionName>([
  'ledger.export',
  'ledger.archive',
  'ledger.template',
]);

/** Actions that change the caller's own binding: they run as a stand-in of the role, replaced after a success. */
export const SELF_CHANGING: ReadonlySet<ActionName> = new Set<ActionName>(['contact.bind', 'contact.leave']);

/**
 * What the payloads refer to, on a seeded cloud: 市司法局 and 香城镇's contacts
 * approved, someone waiting for approval (`pending`), a spare administrator,
 * the unit `fuzz-unit`, an open round with a report of 市司法局 on task 25 and
 * a spare round. The caller adds `groupCloudId` (it belongs to one caller).
 */
export async function setUpBases(t: TestCloud, prefix: string, pendingPhone = '13800006666'): Promise<Omit<Ctx, 'groupCloudId'>> {
  const pending = `o-${prefix}-pending`;
  const spareAdmin = `o-${prefix}-spare-admin`;
  await approveContacts(t, ['ssfj', 'xiangcheng']);
  okData(await t.as(pending)('contact.bind', { unitId: 'ssfj', name: '待审联络员', phone: pendingPhone }));
  okData(await t.as(spareAdmin)('me.get', {}));
  okData(await t.as(ADMIN)('admin.add', { openid: spareAdmin, name: '备用管理员' }));
  okData(await t.as(ADMIN)('unit.create', { name: '模糊测试局', kind: 'department', code: 'fuzz-unit' }));
  const round = await createRound(t, { name: '第三季度', dueDate: inDays(10) });
  const spare = await createRound(t, { name: '备用', dueDate: inDays(15), scope: [1] });
  const report = okData(
    await t.as(CONTACTS.ssfj.openid)('report.submit', reportInput(assignmentOf(25, 'ssfj'), round.id, `${prefix}-setup-report`)),
  ).report;
  return { roundId: round.id, spareRoundId: spare.id, reportId: report.id, pending, spareAdmin };
}

/**
 * What the ledger payloads add: the 2021 table, as the ledger's own template retitled 2035
 * (the year import.commit's payload names: the import takes only the title's year), uploaded by
 * ADMIN for import.
 */
export async function setUpLedgerBases(t: TestCloud): Promise<Pick<LedgerCtx, 'importFileID'>> {
  const template = okData(await t.ledger(ADMIN)('ledger.template', { year: 2021 }));
  const up = await startUploader(t);
  const table = await withTitleYear(await fetchFile(template), 2035);
  return { importFileID: await up.upload(ADMIN, `${importPrefix(ADMIN)}fuzz-2035.xlsx`, table) };
}
