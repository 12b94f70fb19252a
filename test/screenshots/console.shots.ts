/**
 * `npm run screenshots`: the local console in chromium, on the seeded 2021
 * table with a little activity (contacts, a round, a photo, one reminder
 * run), written to docs/screenshots/console*.png for the README.
 */
import fs from 'fs';
import path from 'path';
import { openBrowser } from '../helpers/chromium';
import { addActivity, buildConsole, photo, startConsoleCloud } from '../helpers/console';
import { OUT_DIR } from './render';

const WIDTH = 1280;
const HEIGHT = 800;

function expectPng(file: string): void {
  const png = fs.readFileSync(file);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(WIDTH);
}

test('the console: 数据 (the 2021 table) and 消息 (outbox, subscriptions and reminder log)', async () => {
  buildConsole();
  const c = await startConsoleCloud();
  const browser = await openBrowser({ width: WIDTH, height: HEIGHT });
  try {
    const page = await browser.context.newPage();
    const activity = await addActivity(c.t, await photo(page, 480));
    await c.t.cloud.runTrigger('reminder', 'remind', { Time: `${activity.remindDay}T09:00:00+08:00` });
    fs.mkdirSync(OUT_DIR, { recursive: true });

    await page.goto(`${c.base}/#data/plan/2021`);
    await page.locator('tr.task-row').nth(43).waitFor();
    const data = path.join(OUT_DIR, 'console.png');
    await page.screenshot({ path: data });
    expectPng(data);

    await page.goto(`${c.base}/#messages`);
    await page.locator('tr.outbox-row').nth(2).waitFor();
    await page.locator('tr.subscription-row').first().waitFor();
    await page.locator('tr.reminder-row').first().waitFor();
    const messages = path.join(OUT_DIR, 'console-messages.png');
    await page.screenshot({ path: messages });
    expectPng(messages);
  } finally {
    await browser.close();
    await c.close();
  }
});
