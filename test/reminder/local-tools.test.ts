/**
 * The local tools around reminders: the bridge's GET /local/outbox and
 * `npm run remind -- --now <day>` on a data folder.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import type { AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import { db } from '../../cloudfunctions/common/cloud';
import { createBridge } from '../../scripts/local-cloud/server';
import { LOCAL_TEMPLATE_IDS } from '../../scripts/local-cloud/templates';
import { startTestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, createRound } from '../helpers/journey';
import { remind, subscribe } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');

test('GET /local/outbox pages through what was sent', async () => {
  const t = startTestCloud();
  const server = createBridge(t.cloud);
  try {
    await t.seed();
    await approveContacts(t);
    for (const c of Object.values(CONTACTS)) await subscribe(t, c.openid, 'deadline', 1);
    await createRound(t, { dueDate: '2021-09-30', scope: [8] });
    expect((await remind(t, '2021-09-27')).sent).toBe(4);

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = async (query: string) => {
      const res = await fetch(`${base}/local/outbox${query}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const first = await page('?limit=3');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 4, offset: 0, limit: 3, next: 3 });
    expect(first.body.items).toHaveLength(3);
    const rest = await page('?offset=3&limit=3');
    expect(rest.body).toMatchObject({ total: 4, offset: 3, next: null, items: [{ result: { errCode: 0 } }] });
    const mine = await page(`?touser=${CONTACTS.ssfj.openid}`);
    expect(mine.body).toMatchObject({ total: 1, items: [{ touser: CONTACTS.ssfj.openid }] });
    expect((await page('?limit=0')).status).toBe(400);
    expect((await page('?offset=-1')).status).toBe(400);
    expect((await fetch(`${base}/local/outbox`, { method: 'POST' })).status).toBe(405);
  } finally {
    server.close();
    t.close();
  }
});

test('npm run remind -- --now <day> runs the timer on a data folder and prints the sends and the digest', async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'reminder', 'remind'], { cwd: ROOT });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-remind-'));
  try {
    const t = startTestCloud({ dir });
    await t.seed();
    await approveContacts(t, ['xiangcheng', 'swbb']);
    await createRound(t, { dueDate: '2021-09-30', scope: [8] });
    // 香城镇's contact accepted the local deadline template (as the app records it under `npm start`).
    const key = `${CONTACTS.xiangcheng.openid}:${LOCAL_TEMPLATE_IDS.deadline}`;
    await db.collection('subscriptions').add({
      data: { _id: key, openid: CONTACTS.xiangcheng.openid, templateId: LOCAL_TEMPLATE_IDS.deadline, quota: 2, updatedAt: new Date() },
    });
    t.close();

    const out = execFileSync(process.execPath, [path.join(ROOT, 'build', 'remind.js'), '--now', '2021-09-27', '--dir', dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(out).toContain('提醒运行：2021-09-27');
    expect(out).toMatch(
      /截止提醒 → 香城乙（o-co\*\*\*g-01） 成功：thing1=第8项 更新完善权责清单和本级政府行政… {2}time2=2021年9月30日 23:59 {2}thing3=还有3天截止，请及时报送/,
    );
    expect(out).toContain(`市委编办（${CONTACTS.swbb.name}：没有剩余订阅次数）`);
    expect(out).toContain('可转发到工作群的消息：');
    expect(out).not.toContain(CONTACTS.xiangcheng.phone);

    // Run again the same day: nothing is sent twice.
    const again = execFileSync(process.execPath, [path.join(ROOT, 'build', 'remind.js'), '--now', '2021-09-27', '--dir', dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(again).toContain('发件箱（本次 0 条）');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60000);
