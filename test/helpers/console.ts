/**
 * The local console for tests: a seeded test cloud behind the real HTTP
 * bridge on a free loopback port, the console's client built as
 * `npm run build` builds it, and a little activity to look at (contacts,
 * a round, subscriptions, an uploaded photo).
 */
import { execFileSync } from 'child_process';
import type http from 'http';
import path from 'path';
import type { Page } from 'playwright-core';
import { createBridge, listen } from '../../scripts/local-cloud/server';
import { addDays } from '../../cloudfunctions/common/domain/dates';
import { TEMPLATES, okData, startTestCloud, type TestCloud } from './local-cloud';
import { approveContacts, CONTACTS, createRound, inDays, startUploader } from './journey';
import { uploadPrefix } from '../../miniprogram/shared/api';
import { maskValue } from '../../scripts/local-cloud/console/views';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ConsoleCloud {
  t: TestCloud;
  /** e.g. http://127.0.0.1:41234 */
  base: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Builds build/console/ (the page, script and styles the bridge serves). */
export function buildConsole(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'console'], { cwd: ROOT, stdio: 'pipe' });
}

export async function startConsoleCloud(opts: { consoleAssets?: string } = {}): Promise<ConsoleCloud> {
  const t = startTestCloud();
  await t.seed();
  const server = createBridge(t.cloud, [], opts);
  const base = await listen(server, 0);
  return {
    t,
    base,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      t.close();
    },
  };
}

/** A real PNG (a 政务公开 notice board, `width` × 2/3 `width` CSS px) drawn by the browser itself. */
export async function photo(page: Page, width = 320): Promise<Buffer> {
  const height = Math.round((width * 2) / 3);
  await page.setContent(
    `<div id="photo" style="width:${width}px;height:${height}px;display:grid;place-items:center;background:#1a5fb4;color:#fff;font:${Math.round(width / 12)}px sans-serif">政务公开专栏</div>`,
  );
  return page.locator('#photo').screenshot();
}

export interface Activity {
  roundId: string;
  dueDate: string;
  /** Three days before the due date: a deadline-reminder day under the default schedule. */
  remindDay: string;
  /** Where the photo went. */
  photoPath: string;
  /** The photo's path as the console shows it: the owner's openid in it masked. */
  photoShown: string;
}

/**
 * Four approved contacts; 司法局 and 香城镇 accepted the deadline template (ledger and
 * WeChat agree), 市政府办公室 only in our ledger (WeChat answers 43101); a round due in
 * ten days; a photo uploaded by 司法局's contact.
 */
export async function addActivity(t: TestCloud, photo: Buffer): Promise<Activity> {
  await approveContacts(t);
  for (const key of ['ssfj', 'xiangcheng', 'szfbgs'] as const) {
    const { openid } = CONTACTS[key];
    okData(await t.as(openid)('subscription.record', { results: { [TEMPLATES.deadline]: 'accept' } }));
    if (key !== 'szfbgs') t.cloud.openapi.grant(openid, TEMPLATES.deadline);
  }
  const dueDate = inDays(10);
  const round = await createRound(t, { name: '第三季度报送', dueDate });
  const uploader = await startUploader(t);
  const photoPath = `${uploadPrefix(CONTACTS.ssfj.unitId, CONTACTS.ssfj.openid)}2021/photo-${Date.now()}.png`;
  try {
    await uploader.upload(CONTACTS.ssfj.openid, photoPath, photo);
  } finally {
    await uploader.close();
  }
  const photoShown = maskValue(photoPath, [CONTACTS.ssfj.openid]) as string;
  return { roundId: round.id, dueDate, remindDay: addDays(dueDate, -3), photoPath, photoShown };
}
