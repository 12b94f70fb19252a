/** @jest-environment jsdom */
import { phone as serverPhone } from '../../cloudfunctions/common/validate';
import { DIRECTORY } from '../../cloudfunctions/common/table';
import { isValidPhone } from '../../miniprogram/utils/validate';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { api, openPage, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';

let t: TestCloud;
beforeEach(async () => {
  t = startTestCloud();
  await t.seed();
});
afterEach(() => t.close());

async function openBind(openid: string): Promise<RenderedPage> {
  useCloud(t, openid);
  const page = await openPage('pages/bind/index');
  await until(() => page.data().phase !== 'loading', 'the bind page to load');
  return page;
}

const optionNames = (page: RenderedPage) => page.root.querySelectorAll('.unit-option').map((n) => n.dom?.textContent?.trim());

test('a newcomer finds the unit by typing, fills name and phone, and waits for the office; approved, the page says so', async () => {
  const openid = 'o-contact-sifa-01';
  const page = await openBind(openid);
  expect(page.data().phase).toBe('form');
  // Every unit of the directory, grouped 部门 / 镇街 / 其他单位.
  expect(optionNames(page)).toHaveLength(DIRECTORY.units.length);
  expect(page.root.querySelectorAll('.unit-group-title').map((n) => n.dom?.textContent?.trim())).toEqual(['部门', '镇街', '其他单位']);

  await page.type('.search-input', '香城');
  expect(optionNames(page)).toEqual(['香城镇']);
  await page.type('.search-input', '司法');
  expect(optionNames(page)).toEqual(['市司法局']);
  await page.type('.search-input', '不存在的局');
  expect(page.text()).toContain('没有找到“不存在的局”');
  await page.type('.search-input', '司法');
  await page.tap('.unit-option');
  expect(page.textOf('.picked-unit')).toContain('市司法局');

  await page.type('.input-name', '王联络');
  await page.type('.input-phone', '1380000');
  await page.tap('.btn-submit');
  expect(page.textOf('.error-phone')).toContain('电话号码格式不正确');
  // Refused on the phone: nothing reached the office.
  expect((await api(t, openid, 'me.get')).contact).toBeNull();

  await page.type('.input-phone', '138 0000 0001');
  expect(page.textOf('.error-phone')).toBe('');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'pending', 'the pending state');
  expect(page.text()).toContain('已提交，等待政务公开科审核');
  expect(page.text()).toContain('市司法局');
  expect(page.text()).toContain('138****0001');

  // 修改申请: the form comes back with the unit and name; the masked phone is typed again.
  await page.tap('.link-action');
  expect(page.data().phase).toBe('form');
  expect(page.textOf('.picked-unit')).toContain('市司法局');
  expect(page.data().name).toBe('王联络');
  await page.type('.input-name', '王联络员');
  await page.type('.input-phone', '0537-5212345');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'pending', 'the pending state again');
  expect(page.text()).toContain('王联络员');

  await api(t, ADMIN, 'contact.approve', { openid });
  const again = await openBind(openid);
  expect(again.data().phase).toBe('active');
  expect(again.text()).toContain('已绑定市司法局');
  await again.tap('.btn');
  expect(wxState.relaunches).toEqual(['/pages/home/index']);
});

test('submitting an empty form shows what is missing next to each field', async () => {
  const page = await openBind('o-contact-empty-01');
  await page.tap('.btn-submit');
  expect(page.textOf('.error-unitId')).toBe('请选择所在单位');
  expect(page.textOf('.error-name')).toBe('请填写姓名');
  expect(page.textOf('.error-phone')).toBe('请填写联系电话');
  // Typing in a field clears its own error only.
  await page.type('.input-name', '李四');
  expect(page.textOf('.error-name')).toBe('');
  expect(page.textOf('.error-phone')).toBe('请填写联系电话');
});

test('a refusal from the server lands next to the field it names', async () => {
  const page = await openBind('o-contact-server-01');
  await page.tap('.unit-option');
  await page.type('.input-name', '赵六');
  await page.type('.input-phone', '13900000002');
  const invoke = t.cloud.invoke.bind(t.cloud);
  t.cloud.invoke = async (name, event, who) => {
    if ((event as { action?: string }).action === 'contact.bind') {
      return { ok: false, code: 'INVALID_INPUT', message: '该号码已停机，请换一个号码', field: 'phone' };
    }
    return invoke(name, event, who);
  };
  await page.tap('.btn-submit');
  await until(() => page.textOf('.error-phone') !== '', 'the phone error');
  expect(page.textOf('.error-phone')).toBe('该号码已停机，请换一个号码');
  expect(page.textOf('.error-form')).toBe('');
  expect(page.data().phase).toBe('form');
});

test("the server's own refusal is shown as it is: in Chinese, no field key", async () => {
  const page = await openBind('o-contact-server-02');
  await page.tap('.unit-option');
  await page.type('.input-name', '赵六');
  await page.type('.input-phone', '13900000003');
  // A page of an older version, sending a field this server does not know: the real server answers.
  const invoke = t.cloud.invoke.bind(t.cloud);
  t.cloud.invoke = (name, event, who) => {
    const e = event as { action?: string; data?: Record<string, unknown> };
    return invoke(name, e.action === 'contact.bind' ? { ...e, data: { ...e.data, unitName: '市司法局' } } : event, who);
  };
  await page.tap('.btn-submit');
  await until(() => page.textOf('.error-form') !== '', 'the form error');
  expect(page.textOf('.error-form')).toBe('请求中含有本系统不认识的内容，请更新小程序或刷新页面后重试');
  expect(page.data().phase).toBe('form');
});

test('opened from the registered 政务公开 group, the binding is active at once', async () => {
  await api(t, ADMIN, 'group.register', { groupCloudId: t.cloud.issueGroupCloudId(ADMIN, 'g-zwgk-2021') });
  const openid = 'o-contact-group-01';
  const page = await openBind(openid);
  wxState.groupCloudId = t.cloud.issueGroupCloudId(openid, 'g-zwgk-2021');
  await page.type('.search-input', '香城');
  await page.tap('.unit-option');
  await page.type('.input-name', '孙七');
  await page.type('.input-phone', '0537-5212345');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'active', 'the active state');
  expect(page.text()).toContain('已绑定香城镇');
  expect((await api(t, openid, 'me.get')).contact?.status).toBe('active');
});

test('a group ticket the server cannot use still files the request for the office', async () => {
  await api(t, ADMIN, 'group.register', { groupCloudId: t.cloud.issueGroupCloudId(ADMIN, 'g-zwgk-2021') });
  const openid = 'o-contact-group-02';
  const page = await openBind(openid);
  // Issued to someone else: the server cannot resolve it for this caller.
  wxState.groupCloudId = t.cloud.issueGroupCloudId('o-somebody-else', 'g-zwgk-2021');
  const sent: unknown[] = [];
  const invoke = t.cloud.invoke.bind(t.cloud);
  t.cloud.invoke = (name, event, who) => {
    const e = event as { action?: string; data?: { groupCloudId?: string } };
    if (e.action === 'contact.bind') sent.push(e.data?.groupCloudId);
    return invoke(name, event, who);
  };
  await page.tap('.unit-option');
  await page.type('.input-name', '周八');
  await page.type('.input-phone', '13700000003');
  await page.tap('.btn-submit');
  await until(() => page.data().phase === 'pending', 'the pending state');
  expect(page.text()).toContain('已提交，等待政务公开科审核');
  // Sent with the ticket first, refused for it, then filed without it.
  expect(sent).toEqual([wxState.groupCloudId, undefined]);
});

test('the phone rule on the phone is the server rule', () => {
  const samples = [
    '13800000001',
    '138 0000 0001',
    '138-0000-0001',
    '+8613800000001',
    '8613800000001',
    '１３８００００００１',
    '12800000001',
    '1380000000',
    '138000000011',
    '0537-5212345',
    '0537 5212345',
    '(0537)5212345',
    '（0537）5212345',
    '010-12345678',
    '05375212345',
    '5212345',
    '0537-521234',
    '0537-5212345-801',
    'abc',
    '',
  ];
  const check = serverPhone();
  for (const s of samples) {
    let server: boolean;
    try {
      check(s, 'phone');
      server = true;
    } catch {
      server = false;
    }
    expect([s, isValidPhone(s)]).toEqual([s, server]);
  }
});
