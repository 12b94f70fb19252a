/**
 * `npm start -- --demo` on a fresh folder: a believable mid-September 2021,
 * built through the real functions. Each report state exists, contacts are
 * bound (some pending), evidence is real files in storage, reminders and a
 * 催办 went out, and the office's overview, review queue and digest have content.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { StatusCounts } from '../../miniprogram/shared/api';
import { LOCAL_OFFICE as OFFICE, startLocalCloud, type LocalCloudProcess } from '../../scripts/local-cloud/child';

const ROOT = path.resolve(__dirname, '..', '..');
let dir: string;
let cloud: LocalCloudProcess;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), 'api', 'reminder', 'local-cloud', 'console'], { cwd: ROOT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-demo-'));
  cloud = await startLocalCloud(dir, 240_000, ['--demo']);
}, 300_000);
afterAll(async () => {
  await cloud?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function api<T>(openid: string, action: string, data: unknown = {}): Promise<T> {
  const res = await fetch(`${cloud.origin}/call/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-local-openid': openid },
    body: JSON.stringify({ action, data }),
  });
  const body = (await res.json()) as { result: { ok: boolean; data: T; message?: string } };
  if (!body.result.ok) throw new Error(`${action}: ${body.result.message}`);
  return body.result.data;
}

test('the banner shows the demo day', () => {
  expect(cloud.output()).toContain('已生成演示数据');
  expect(cloud.output()).toContain('云端时间 / clock: 2021-09-21 10:30（北京时间）（已设定');
});

test('rounds around today hold every report state', async () => {
  const rounds = await api<{ id: string; name: string; status: string; dueDate: string }[]>(OFFICE, 'round.list');
  expect(rounds.map((r) => [r.name, r.status, r.dueDate])).toEqual([
    ['第二季度报送', 'closed', '2021-07-08'],
    ['政策解读专项检查', 'open', '2021-09-16'],
    ['第三季度报送', 'open', '2021-09-24'],
  ]);
  const totals = async (i: number) => (await api<{ totals: StatusCounts }>(OFFICE, 'overview.round', { roundId: rounds[i]?.id })).totals;
  const q2 = await totals(0);
  expect(q2.approved).toBe(q2.assigned);
  const check = await totals(1);
  expect(check.overdue).toBeGreaterThan(0);
  const q3 = await totals(2);
  for (const state of ['not_started', 'submitted', 'returned', 'approved'] as const) expect(q3[state]).toBeGreaterThan(0);
});

test('contacts are bound, some wait for approval; a contact sees 还剩 3 天 and a return note', async () => {
  const pending = await api<unknown[]>(OFFICE, 'contact.list', { status: 'pending' });
  const active = await api<unknown[]>(OFFICE, 'contact.list', { status: 'active' });
  expect(pending).toHaveLength(3);
  expect(active.length).toBeGreaterThanOrEqual(30);
  const queue = await api<{ items: { reportId: string; evidenceCount: number }[] }>(OFFICE, 'review.queue', {});
  expect(queue.items.length).toBeGreaterThan(5);
  const detail = await api<{ images: { url: string | null }[]; files: { name: string }[] }>(OFFICE, 'report.get', {
    reportId: queue.items[0]?.reportId,
  });
  expect(detail.images.length).toBeGreaterThan(0);
  // The photo is a real PNG in storage.
  const png = Buffer.from(await (await fetch(detail.images[0]?.url as string)).arrayBuffer());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const mine = await api<{ items: { inRound: boolean; daysLeft: number | null; returnNote: string | null }[] }>(
    'o-demo-srsj',
    'tasks.mine',
  );
  const inRound = mine.items.filter((i) => i.inRound);
  expect(inRound.length).toBeGreaterThan(0);
  for (const i of inRound) expect(i.daysLeft).toBe(3);
});

test('reminders and a 催办 went out, the digest and the audit trail have content', async () => {
  const outbox = (await (await fetch(`${cloud.origin}/local/outbox?limit=1000`)).json()) as { items: { templateId: string }[] };
  const kinds = new Set(outbox.items.map((m) => m.templateId));
  expect([...kinds].sort()).toEqual(['local-tmpl-deadline', 'local-tmpl-returned', 'local-tmpl-urge']);
  const digest = await api<{ day: string; entries: unknown[] }>(OFFICE, 'digest.get', {});
  expect(digest.day).toBe('2021-09-21');
  expect(digest.entries.length).toBeGreaterThan(0);
  const audit = await api<{ entries: { action: string }[] }>(OFFICE, 'audit.list', { limit: 100 });
  const actions = new Set(audit.entries.map((e) => e.action));
  for (const a of ['review.decide', 'urge.send']) expect(actions).toContain(a);
});
