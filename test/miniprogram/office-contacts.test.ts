/**
 * @jest-environment jsdom
 *
 * 联络员管理: requests first with full phone numbers; 通过 names the unit
 * the office saw (a re-bind in between is not approved); 拒绝 with a
 * reason; 移除 after confirming; administrators added and removed (never
 * the last one); the 政务公开 group registered from a group launch, with the
 * way explained otherwise.
 */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, simulate, until, useCloud, wxState } from '../helpers/miniprogram';
import { openOffice, reopen, texts } from './office-helpers';

const ZHAO = 'o-contact-zhao-01';
const QIAN = 'o-contact-qian-01';
const SUN = 'o-contact-sun-01';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

const unitIdOf = async (name: string) => (await api(t, ADMIN, 'unit.list')).find((u) => u.name === name)?.id ?? '';

test('requests come first with full numbers; a re-bind in between is not approved blindly; 拒绝 keeps a reason', async () => {
  await bindActive(t, SUN, '香城镇', '孙七', '13900000007');
  await api(t, ZHAO, 'contact.bind', { unitId: await unitIdOf('市司法局'), name: '赵一', phone: '13800000011' });
  await api(t, QIAN, 'contact.bind', { unitId: await unitIdOf('市民政局'), name: '钱二', phone: '0537-5212345' });

  const page = await openOffice(t, ADMIN, 'contacts');
  const pending = texts(page, '.pending-row');
  expect(pending).toHaveLength(2);
  expect(pending.join('\n')).toContain('赵一 · 市司法局');
  expect(pending.join('\n')).toContain('13800000011');
  expect(pending.join('\n')).toContain('0537-5212345');
  expect(texts(page, '.active-row').join('\n')).toContain('13900000007');
  // Pending requests are listed before the active contacts.
  expect(page.text().indexOf('赵一')).toBeLessThan(page.text().indexOf('孙七'));

  // 赵一 moves the request to another unit after the page was loaded: 通过 must not approve it.
  await api(t, ZHAO, 'contact.bind', { unitId: await unitIdOf('市财政局'), name: '赵一', phone: '13800000011' });
  const zhaoIndex = texts(page, '.pending-row').findIndex((r) => r.includes('赵一'));
  await page.tap('.approve', zhaoIndex);
  await until(() => wxState.toasts.length > 0, 'the answer');
  expect(wxState.toasts[0]).toContain('已刷新');
  expect((await api(t, ZHAO, 'me.get')).contact?.status).toBe('pending');
  await until(() => page.text().includes('赵一 · 市财政局'), 'the reloaded request');

  // 拒绝 钱二 with a reason, kept in the audit log.
  const qianIndex = texts(page, '.pending-row').findIndex((r) => r.includes('钱二'));
  await page.tap('.reject', qianIndex);
  await page.type('.reject-note', '请使用本人手机号重新申请');
  await page.tap('.confirm-reject');
  await until(() => !page.text().includes('钱二 · 市民政局 0537'), 'the request to leave');
  expect((await api(t, QIAN, 'me.get')).contact?.status).toBe('rejected');
  const audit = await api(t, ADMIN, 'audit.list', { action: 'contact.reject' });
  expect(audit.entries[0]?.detail).toMatchObject({ note: '请使用本人手机号重新申请' });
  // Listed under 已拒绝或已移除, folded.
  await page.tap('.others-toggle');
  expect(page.textOf('.other-row')).toContain('已拒绝');
});

test('移除 asks first, then takes access away', async () => {
  await bindActive(t, SUN, '香城镇', '孙七', '13900000007');
  const page = await openOffice(t, ADMIN, 'contacts');
  wxState.modalConfirm = false;
  await page.tap('.remove');
  await until(() => wxState.modals.length === 1, 'the confirmation');
  expect(wxState.modals[0]).toContain('孙七 将不能再为香城镇查看和报送任务');
  // Let the dialog's answer land (its callback comes on a later turn) before looking.
  await simulate.sleep(20);
  expect((await api(t, SUN, 'me.get')).contact?.status).toBe('active');

  wxState.modalConfirm = true;
  await page.tap('.remove');
  await until(() => texts(page, '.active-row').length === 0, 'the contact to leave the list');
  expect((await api(t, SUN, 'me.get')).contact?.status).toBe('removed');
});

test('administrators: add someone on record, remove them, and the last one stays', async () => {
  await bindActive(t, SUN, '香城镇', '孙七', '13900000007');
  const page = await openOffice(t, ADMIN, 'contacts');
  expect(texts(page, '.admin-row')).toEqual(['测试管理员（我）移除']);

  await page.tap('.add-admin');
  expect(texts(page, '.candidate-row').join('\n')).toContain('孙七');
  await page.type('.admin-search', '香城');
  expect(texts(page, '.candidate-row')).toHaveLength(1);
  await page.tap('.make-admin');
  await until(() => texts(page, '.admin-row').length === 2, 'the new administrator');
  expect(wxState.modals[0]).toContain('孙七（香城镇） 将可以审核报送');
  expect((await api(t, SUN, 'me.get')).isAdmin).toBe(true);
  expect(texts(page, '.active-row')[0]).toContain('管理员');

  const sunIndex = texts(page, '.admin-row').findIndex((r) => r.includes('孙七'));
  await page.tap('.remove-admin', sunIndex);
  await until(() => texts(page, '.admin-row').length === 1, 'the removal');
  expect((await api(t, SUN, 'me.get')).isAdmin).toBe(false);

  // Removing the last administrator is refused in plain words.
  wxState.toasts = [];
  await page.tap('.remove-admin');
  await until(() => wxState.toasts.length > 0, 'the refusal');
  expect(wxState.toasts[0]).toContain('至少要保留一位管理员');
  expect((await api(t, ADMIN, 'me.get')).isAdmin).toBe(true);
});

test('the 政务公开 group: opened from the group, one tap registers it; otherwise the page explains how', async () => {
  const plain = await openOffice(t, ADMIN, 'contacts');
  await until(() => plain.textOf('.group-how') !== '', 'the explanation');
  expect(plain.textOf('.group-how')).toContain('从群里点开这张卡片');
  expect(plain.root.querySelector('.register-group')).toBeUndefined();

  // Opened from the group's card: the launch carries the group's cloudID.
  useCloud(t, ADMIN);
  wxState.groupCloudId = t.cloud.issueGroupCloudId(ADMIN, 'g-zwgk-2021');
  const page = await reopen('contacts');
  await until(() => page.root.querySelector('.register-group') !== undefined, 'the register button');
  await page.tap('.register-group');
  await until(() => page.textOf('.group-done') !== '', 'the registration');
  expect(page.textOf('.group-done')).toContain('将自动通过');
  // It took: a contact opening the app from that group is bound at once.
  const groupCloudId = t.cloud.issueGroupCloudId(ZHAO, 'g-zwgk-2021');
  const me = await api(t, ZHAO, 'contact.bind', { unitId: await unitIdOf('市司法局'), name: '赵一', phone: '13800000011', groupCloudId });
  expect(me.contact?.status).toBe('active');
});
