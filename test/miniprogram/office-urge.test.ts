/**
 * @jest-environment jsdom
 *
 * 催办: the late units with their contacts and who can be notified, the
 * group message and its copy button, a send recorded once even when the
 * answer is lost, and today's digest of reminders that reached nobody.
 */
import { ADMIN, LONG_TERM_TEMPLATES, TEMPLATES, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, bindActive, officeDayFromNow, until, wxState } from '../helpers/miniprogram';
import { remind } from '../reminder/helpers';
import { openOffice, texts } from './office-helpers';

const SIFA_A = 'o-contact-urge-sifa-a';
const SIFA_B = 'o-contact-urge-sifa-b';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

test('late units with their contacts and who can be notified; the message copies; sending records the 催办', async () => {
  await bindActive(t, SIFA_A, '市司法局', '王晓明', '13800000001');
  await bindActive(t, SIFA_B, '市司法局', '李红', '13800000002');
  // 王晓明 accepted a 催办 subscription; 李红 did not.
  await api(t, SIFA_A, 'subscription.record', { results: { [TEMPLATES.urge]: 'accept' } });
  const round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(-1), scope: [24] });
  const preview = await api(t, ADMIN, 'urge.preview', { roundId: round.id });
  expect(preview.units.length).toBeGreaterThan(1);

  const page = await openOffice(t, ADMIN, 'urge');
  await until(() => !page.data().previewLoading, 'the preview');
  expect(page.textOf('.urge-text')).toBe(preview.text.replace(/\s+/g, ' ').trim());
  const rows = texts(page, '.urge-unit');
  expect(rows).toHaveLength(preview.units.length);
  const sifa = rows.find((r) => r.startsWith('市司法局')) ?? '';
  expect(sifa).toContain('第24项未报送');
  expect(sifa).toContain('王晓明（可通知）');
  expect(sifa).toContain('李红（无订阅）');
  // A late unit nobody reports for says so.
  expect(rows.filter((r) => r.includes('暂无联络员'))).toHaveLength(preview.units.filter((u) => u.contacts.length === 0).length);
  expect(page.text()).toContain('1 人订阅了催办通知');

  await page.tap('.copy-urge');
  expect(wxState.clipboard).toBe(preview.text);

  await page.tap('.btn-send');
  await until(() => page.textOf('.urge-sent') !== '', 'the send');
  expect(page.textOf('.urge-sent')).toContain(`已记录催办：${preview.units.length} 个单位，1 人会收到微信通知`);
  const urges = t.cloud.db.find('urges', {});
  expect(urges).toHaveLength(1);
  expect(urges[0]?.unitIds).toEqual(preview.units.map((u) => u.unitId));
  expect(urges[0]?.text).toBe(preview.text);
});

test('nobody late: the page says no 催办 is needed and offers no send', async () => {
  const round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(5), scope: [25] });
  const page = await openOffice(t, ADMIN, 'urge', { roundId: round.id });
  await until(() => !page.data().previewLoading, 'the preview');
  expect(page.textOf('.urge-none')).toContain('无需催办');
  expect(page.root.querySelector('.btn-send')).toBeUndefined();
  expect(page.textOf('.digest-empty')).toContain('今天的提醒都已送达');
});

test('today’s digest lists the units nobody could be reminded in, and copies its message', async () => {
  await bindActive(t, SIFA_A, '市司法局', '王晓明', '13800000001');
  await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(3), scope: [44] });
  await remind(t, officeDayFromNow(0));
  const digest = await api(t, ADMIN, 'digest.get', {});
  expect(digest.entries.length).toBeGreaterThan(0);

  const page = await openOffice(t, ADMIN, 'urge');
  const rows = texts(page, '.digest-row');
  expect(rows).toHaveLength(digest.entries.length);
  const sifa = rows.find((r) => r.startsWith('市司法局')) ?? '';
  expect(sifa).toContain('截止提醒');
  expect(sifa).toContain('王晓明（没有剩余订阅次数）');
  expect(rows.some((r) => r.includes('未绑定联络员'))).toBe(true);
  await page.tap('.btn-copy-digest');
  expect(wxState.clipboard).toBe(digest.message);
});

test('long-term templates: the page notes who holds a long-term 催办 subscription, and the digest who has not turned one on', async () => {
  t.close();
  t = startTestCloud({ env: { SUBSCRIBE_TEMPLATES: JSON.stringify(LONG_TERM_TEMPLATES) } });
  await t.seed();
  await bindActive(t, SIFA_A, '市司法局', '王晓明', '13800000001');
  await bindActive(t, SIFA_B, '市司法局', '李红', '13800000002');
  await api(t, SIFA_A, 'subscription.record', { results: { 'tmpl-urge-long': 'accept' } });
  await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(-1), scope: [24] });
  await remind(t, officeDayFromNow(0));

  const page = await openOffice(t, ADMIN, 'urge');
  await until(() => !page.data().previewLoading, 'the preview');
  const sifa = texts(page, '.urge-unit').find((r) => r.startsWith('市司法局')) ?? '';
  expect(sifa).toContain('王晓明（长期订阅）');
  expect(sifa).toContain('李红（无订阅）');
  const digest = texts(page, '.digest-row').find((r) => r.startsWith('市司法局')) ?? '';
  expect(digest).toContain('李红（未开启长期订阅）');
  expect(digest).toContain('王晓明（未开启长期订阅）');
});

test('a 催办 whose answer is lost is recorded once when the officer taps again', async () => {
  const round = await api(t, ADMIN, 'round.create', { name: '第三季度报送', dueDate: officeDayFromNow(-2), scope: [44] });
  const page = await openOffice(t, ADMIN, 'urge', { roundId: round.id });
  await until(() => !page.data().previewLoading, 'the 催办 preview');
  expect(texts(page, '.urge-unit').length).toBeGreaterThan(0);

  // The first send reaches the function, but its answer never comes back to the phone.
  const invoke = t.cloud.invoke.bind(t.cloud);
  const sentIds: unknown[] = [];
  let drop = true;
  t.cloud.invoke = async (name, event, who) => {
    const e = event as { action?: string; data?: { requestId?: string } };
    const result = await invoke(name, event, who);
    if (e.action === 'urge.send') {
      sentIds.push(e.data?.requestId);
      if (drop) {
        drop = false;
        throw new Error('connection reset (stub)');
      }
    }
    return result;
  };
  await page.tap('.btn-send');
  await until(() => page.textOf('.urge-error') !== '', 'the network error');
  expect(page.textOf('.urge-error')).toContain('不会重复催办');

  await page.tap('.btn-send');
  await until(() => page.textOf('.urge-sent') !== '', 'the second answer');
  expect(page.textOf('.urge-sent')).toContain('此前已经记录，没有重复发送');
  expect(sentIds).toHaveLength(2);
  expect(sentIds[0]).toBe(sentIds[1]);
  expect(t.cloud.db.find('urges', {})).toHaveLength(1);
});
