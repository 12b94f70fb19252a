/**
 * `npm run screenshots`: the local console in chromium, on the demo year
 * (`npm start -- --demo`: the 2021 table, contacts, rounds, reports, reminders
 * and 催办 already sent), written to docs/screenshots/console*.png for the README.
 */
import fs from 'fs';
import path from 'path';
import { openBrowser } from '../helpers/chromium';
import { buildConsole } from '../helpers/console';
import { createBridge, listen } from '../../scripts/local-cloud/server';
import { startDemoCloud } from './demo';
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
  const t = await startDemoCloud();
  const server = createBridge(t.cloud, []);
  const base = await listen(server, 0);
  const browser = await openBrowser({ width: WIDTH, height: HEIGHT });
  try {
    const page = await browser.context.newPage();
    fs.mkdirSync(OUT_DIR, { recursive: true });

    await page.goto(`${base}/#data/plan/2021`);
    await page.locator('tr.task-row').nth(43).waitFor();
    const data = path.join(OUT_DIR, 'console.png');
    await page.screenshot({ path: data });
    expectPng(data);

    await page.goto(`${base}/#messages`);
    await page.locator('tr.outbox-row').nth(2).waitFor();
    await page.locator('tr.subscription-row').first().waitFor();
    await page.locator('tr.reminder-row').first().waitFor();
    const messages = path.join(OUT_DIR, 'console-messages.png');
    await page.screenshot({ path: messages });
    expectPng(messages);
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    t.close();
    fs.rmSync(t.dir, { recursive: true, force: true });
  }
});
