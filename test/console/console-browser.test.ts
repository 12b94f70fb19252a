/**
 * The local console in a real browser (Debian's chromium, headless, off the
 * network), against a seeded local cloud with its bridge on a free port:
 * what a newcomer sees after `npm start` and opening the URL.
 */
import type { Page } from 'playwright-core';
import { openBrowser, type OpenBrowser } from '../helpers/chromium';
import { addActivity, buildConsole, photo, startConsoleCloud, type Activity, type ConsoleCloud } from '../helpers/console';
import { CONTACTS, assignmentOf, reportInput } from '../helpers/journey';
import { okData } from '../helpers/local-cloud';

let c: ConsoleCloud;
let browser: OpenBrowser;
let activity: Activity;
let page: Page;
const errors: string[] = [];
const HOSTILE = '<img src=x onerror="window.__pwned=1">已公开';

beforeAll(async () => {
  buildConsole();
  [c, browser] = await Promise.all([startConsoleCloud(), openBrowser()]);
  page = await browser.context.newPage();
  // Fail a step with its own message before jest's test timeout; a step's calls can take seconds on a busy machine.
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(e.message));
  activity = await addActivity(c.t, await photo(page, 320));
  okData(
    await c.t.as(CONTACTS.ssfj.openid)(
      'report.submit',
      reportInput(assignmentOf(11, 'ssfj'), activity.roundId, 'console-xss-1', { text: HOSTILE }),
    ),
  );
}, 60000);
afterAll(async () => {
  await browser?.close();
  await c?.close();
});
afterEach(() => expect(errors).toEqual([]));

async function open(hash: string): Promise<void> {
  await page.goto(`${c.base}/#${hash}`);
}

const texts = (selector: string) => page.locator(selector).allInnerTexts();

test('after seeding, the console opens on the 2021 table: 44 tasks with their units by role', async () => {
  await open('');
  await page.locator('tr.task-row').nth(43).waitFor();
  expect(await page.locator('tr.task-row').count()).toBe(44);
  expect(await texts('.plan-table th')).toEqual(['序号', '任务要求', '责任单位', '完成时限']);
  const t11 = page.locator('tr.task-row[data-no="11"]');
  expect(await t11.innerText()).toMatch(/加大“互联网\+执法”[\s\S]*责任\s*市司法局/);
  const t1 = await page.locator('tr.task-row[data-no="1"]').innerText();
  expect(t1).toMatch(/牵头\s*市发展改革局、市自然资源和规划局/);
  expect(t1).toMatch(/配合\s*市政府各部门、各镇街（\d+ 个单位）/);
  expect(await page.locator('.side-link.active').innerText()).toMatch(/2021 年\s*44/);
  expect(await page.title()).toBe('数据 · 本地云控制台');
});

test('a collection pages and filters; phone numbers and openids stay masked', async () => {
  await open('data/coll/tasks');
  await page.getByText('第 1–20 条，共 44 条').waitFor();
  await page.getByRole('button', { name: '下一页' }).click();
  await page.getByText('第 21–40 条，共 44 条').waitFor();
  await page.getByLabel('字段', { exact: true }).fill('no');
  await page.getByLabel('值', { exact: true }).fill('11');
  await page.getByRole('button', { name: '筛选' }).click();
  await page.getByText('第 1–1 条，共 1 条').waitFor();
  expect(await texts('tr.doc-row td:first-child')).toEqual(['plan-2021-t11']);

  await page.locator('.side-link', { hasText: 'contacts' }).click();
  await page.getByText('集合 contacts').waitFor();
  await page.locator('tr.doc-row').nth(4).waitFor();
  const body = await page.locator('main').innerText();
  expect(body).toContain('138****0001');
  for (const person of Object.values(CONTACTS)) {
    expect(body).not.toContain(person.phone);
    expect(body).not.toContain(person.openid);
  }
  // A row opens into the whole (masked) document.
  await page.locator('tr.doc-row', { hasText: '司法甲' }).click();
  expect(await page.locator('tr.detail-row:not([hidden]) pre').innerText()).toContain('"unitId": "ssfj"');
});

test('user text is shown as text, never run as markup', async () => {
  await open('data/coll/reports');
  await page.locator('tr.doc-row').first().click();
  const detail = await page.locator('tr.detail-row:not([hidden]) pre').innerText();
  expect(detail).toContain('<img src=x onerror=');
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
});

test('running the reminder timer on a simulated day fills the outbox, 43101 included', async () => {
  await open('functions');
  const row = page.locator('tr[data-timer="reminder/remind"]');
  expect(await row.innerText()).toContain('0 0,3,6,9,12,15,18,21,24,27 9 * * * *');
  await row.getByLabel('模拟日期').fill(activity.remindDay);
  await row.getByRole('button', { name: '立即运行' }).click();
  const result = page.locator('.run-result');
  await result.waitFor();
  expect(await result.innerText()).toContain('发件箱新增 3 条');
  await page.locator('tr.call-row', { hasText: 'reminder' }).first().waitFor();

  await open('messages');
  await page.locator('tr.outbox-row').nth(2).waitFor();
  const outbox = await texts('tr.outbox-row');
  expect(outbox).toHaveLength(3);
  expect(outbox.filter((r) => r.includes('成功'))).toHaveLength(2);
  const refused = outbox.find((r) => r.includes('43101'));
  expect(refused).toContain('办公丙（市政府办公室）');
  expect(refused).toContain('任务截止提醒');
  expect(outbox.join('\n')).toContain('还有3天截止');
  await page.locator('tr.reminder-row').first().waitFor();
  const log = (await texts('tr.reminder-row')).join('\n');
  expect(log).toMatch(/市司法局[\s\S]*已发送/);
  expect(log).toContain('未绑定联络员');
});

test('an uploaded image is previewed', async () => {
  await open('storage');
  const row = page.locator('tr.file-row', { hasText: activity.photoShown });
  await row.waitFor();
  expect(await row.innerText()).toMatch(/市司法局[\s\S]*o-co\*\*\*0001[\s\S]*KB[\s\S]*image\/png/);
  // The browser fetched and decoded the bytes: a broken image has no natural width.
  const width = await row.locator('img.thumb').evaluate(
    (el) =>
      new Promise<number>((resolve) => {
        const img = el as unknown as { complete: boolean; naturalWidth: number; addEventListener(type: string, fn: () => void): void };
        if (img.complete) resolve(img.naturalWidth);
        img.addEventListener('load', () => resolve(img.naturalWidth));
        img.addEventListener('error', () => resolve(0));
      }),
  );
  expect(width).toBe(320);
});

test('the 账号 panel calls the real api as a chosen local user, with that user’s permissions', async () => {
  await open('account');
  const result = page.locator('.run-result');
  const ask = async (action: string) => {
    await page.getByLabel('动作').selectOption(action);
    await page.getByRole('button', { name: '调用' }).click();
    await result.waitFor();
    return { status: await result.innerText(), body: await page.locator('pre.call-result').innerText() };
  };
  await page.getByLabel('本地用户').locator('option', { hasText: '司法甲' }).waitFor({ state: 'attached' });
  await page.getByLabel('本地用户').selectOption({ label: (await page.locator('option', { hasText: '司法甲' }).innerText()).trim() });

  const mine = await ask('tasks.mine');
  expect(mine.status).toBe('tasks.mine 成功');
  expect(mine.body).toContain(assignmentOf(11, 'ssfj'));
  // An office-only action: the function's own check refuses a contact.
  const denied = await ask('contact.list');
  expect(denied.status).toContain('contact.list 返回 FORBIDDEN');

  await page.getByLabel('新的 openid').fill('o-browser-newcomer');
  const me = await ask('me.get');
  expect(me.status).toBe('me.get 成功');
  expect(me.body).toContain('"isAdmin": false');
  expect(me.body).not.toContain('司法甲');
});
