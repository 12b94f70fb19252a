/** @jest-environment jsdom */
/**
 * Forwarding into the 政务公开工作群 and binding from its card, as real WeChat
 * needs it: every forwardable page gives a card with a shareTicket that lands on
 * binding, and the group proof is fetched at the tap (it expires in minutes).
 */
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, openPage, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';
import { openOffice, reopen } from './office-helpers';

const GROUP = 'g-zwgk-2021';
const SIFA = 'o-contact-sifa-share';
const NEWCOMER = 'o-contact-new-share';
const MINUTE = 60_000;

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

/** The card must open 绑定单位, and the page must have asked for a shareTicket first. */
function expectGroupCard(page: RenderedPage, title: RegExp) {
  expect(wxState.shareMenus).toEqual([expect.objectContaining({ withShareTicket: true })]);
  const card = page.share();
  expect(card?.path).toMatch(/^\/pages\/bind\/index(\?|$)/);
  expect(card?.title).toMatch(title);
}

test('home, task and 邀请联络员 forward a card with a shareTicket that lands a newcomer on binding', async () => {
  await bindActive(t, SIFA, '市司法局');

  useCloud(t, SIFA);
  const home = await openPage('pages/home/index');
  await until(() => home.data().phase === 'ready', 'home');
  expectGroupCard(home, /联络员.*绑定/);

  useCloud(t, SIFA);
  const task = await openPage('pages/task/index', { id: 'plan-2021-t24' });
  await until(() => task.data().phase === 'ready', 'the task');
  // The card names the task, so the group sees what is asked.
  const requirement = (task.data().task as { requirement: string }).requirement;
  expectGroupCard(task, new RegExp(`^政务公开报送：${requirement.slice(0, 6)}`));

  // The office: an entry on the overview, then one tap on a share button.
  const overview = await openOffice(t, ADMIN, 'overview');
  await overview.tap('.entry-invite');
  expect(wxState.navigations).toEqual(['/office/pages/invite/index']);
  const invite = await openOffice(t, ADMIN, 'invite');
  expectGroupCard(invite, /联络员.*绑定/);
  expect(invite.share('button')).toEqual(invite.share('menu'));
  expect(invite.root.querySelector('.invite-share')).toBeDefined();
  expect(invite.text()).toContain('转发到工作群');
  expect(invite.text()).toContain('选择政务公开工作群');
  expect(invite.text()).toContain('登记本群');
});

async function registerGroup() {
  await api(t, ADMIN, 'group.register', { groupCloudId: t.cloud.issueGroupCloudId(ADMIN, GROUP) });
}

/** A newcomer opens the card's path (the bind page) from the group at `openedAt`. */
async function openCard(openedAt: number): Promise<RenderedPage> {
  useCloud(t, NEWCOMER);
  wxState.groupEnter = { opengid: GROUP, openedAt };
  const page = await openPage('pages/bind/index', { from: 'invite' });
  await until(() => page.data().phase === 'form', 'the bind form');
  await page.type('.search-input', '香城');
  await page.tap('.unit-option');
  await page.type('.input-name', '孙七');
  await page.type('.input-phone', '13700000007');
  return page;
}

test('a newcomer from the group card binds at once; the group proof is fetched at the tap, not on load', async () => {
  await registerGroup();
  // Filling the form took longer than a CloudID lives: one fetched on load would have expired.
  const page = await openCard(Date.now());
  expect(wxState.groupEnterCalls).toEqual([]);
  const tapped = Date.now();
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'active', 'the active state');
  expect(wxState.groupEnterCalls).toHaveLength(1);
  expect(wxState.groupEnterCalls[0]).toBeGreaterThanOrEqual(tapped);
  expect(page.text()).toContain('已绑定香城镇');
  expect((await api(t, NEWCOMER, 'me.get')).contact?.status).toBe('active');
});

test('a card opened too long ago: the request still goes to the office, with a clear instruction to reopen the card', async () => {
  await registerGroup();
  const page = await openCard(Date.now() - 6 * MINUTE);
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'pending', 'the pending state');
  expect(page.textOf('.group-expired')).toContain('工作群验证已失效');
  expect(page.textOf('.group-expired')).toContain('回到工作群重新点开小程序卡片，点「修改申请」再提交一次');
  expect((await api(t, NEWCOMER, 'me.get')).contact?.status).toBe('pending');

  // Following the instruction: reopened from the group, 修改申请, submit again.
  wxState.groupEnter = { opengid: GROUP, openedAt: Date.now() };
  await page.tap('.link-action');
  await page.type('.input-phone', '13700000007');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'active', 'the active state');
  expect((await api(t, NEWCOMER, 'me.get')).contact?.status).toBe('active');
});

test('the office registers the group with a proof fetched at the tap; an expired one says what to do', async () => {
  // Opened from the group's card six minutes ago.
  useCloud(t, ADMIN);
  wxState.groupEnter = { opengid: GROUP, openedAt: Date.now() - 6 * MINUTE };
  const page = await reopen('contacts');
  await until(() => page.root.querySelector('.register-group') !== undefined, 'the register button');
  const before = wxState.groupEnterCalls.length;
  await page.tap('.register-group');
  await until(() => page.textOf('.group-error') !== '', 'the refusal');
  expect(wxState.groupEnterCalls.length).toBe(before + 1);
  expect(page.textOf('.group-error')).toContain('请回到工作群，重新点开卡片后再试');

  wxState.groupEnter = { opengid: GROUP, openedAt: Date.now() };
  await page.tap('.register-group');
  await until(() => page.textOf('.group-done') !== '', 'the registration');
  expect(page.textOf('.group-error')).toBe('');
});
