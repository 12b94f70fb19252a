/**
 * @jest-environment jsdom
 *
 * The office pages are for administrators: anyone else who opens one (a
 * shared link, an old bookmark) sees a plain refusal with a way back, and
 * nothing of the office's data.
 */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { bindActive, openPage, until, useCloud, wxState } from '../helpers/miniprogram';
import { openOffice } from './office-helpers';

const CONTACT = 'o-contact-access-01';
const STRANGER = 'o-stranger-access-01';
const PAGES = ['overview', 'review', 'rounds', 'contacts', 'units', 'urge', 'audit', 'ledger'] as const;

let t: TestCloud;
beforeAll(async () => {
  t = startTestCloud();
  await t.seed();
  await bindActive(t, CONTACT, '市司法局', '王晓明', '13800000001');
});
afterAll(() => t.close());

describe.each([
  ['an active contact', CONTACT],
  ['someone never seen', STRANGER],
])('%s', (_who, openid) => {
  test.each(PAGES)('opening %s shows a clear refusal and a way home', async (name) => {
    const page = await openOffice(t, openid, name);
    expect(page.data().phase).toBe('forbidden');
    expect(page.text()).toContain('仅限政务公开科使用');
    expect(page.text()).toContain('如需开通，请联系现有管理员');
    // Nothing of the office's data is on screen.
    expect(page.text()).not.toContain('13800000001');
    await page.tap('.btn');
    expect(wxState.relaunches).toEqual(['/pages/home/index']);
  });
});

test('首页 offers the 工作台 to administrators only, and 设置管理员 to nobody once one exists', async () => {
  useCloud(t, CONTACT);
  const contact = await openPage('pages/home/index');
  await until(() => contact.data().phase === 'ready', 'home');
  expect(contact.root.querySelector('.office-cell')).toBeUndefined();
  expect(contact.root.querySelector('.setup-cell')).toBeUndefined();

  useCloud(t, ADMIN);
  const admin = await openPage('pages/home/index');
  await until(() => admin.data().phase === 'ready', 'home');
  expect(admin.textOf('.office-cell')).toContain('政务公开科工作台');
  expect(admin.root.querySelector('.setup-cell')).toBeUndefined();
});

test('the setup page, once an administrator exists, says whom to ask', async () => {
  const page = await openOffice(t, CONTACT, 'setup');
  expect(page.data().phase).toBe('taken');
  expect(page.text()).toContain('系统已设置管理员');
  expect(page.text()).toContain('请联系政务公开科现有管理员');
  expect(page.root.querySelector('.input-code')).toBeUndefined();
});
