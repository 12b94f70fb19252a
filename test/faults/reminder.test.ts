/**
 * Faults in the middle of a reminder run, beyond the platform timeout that
 * test/reminder/failures.test.ts covers: a database error at every single
 * write of a run, and the whole local cloud killed (SIGKILL, a real
 * process) while it sends. Either way nobody receives a reminder twice,
 * and every reminder that may have been lost is marked `unconfirmed` (the
 * office's digest lists it) — the at-most-once design of common/notify.ts.
 */
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { WRITE_ACTIONS } from '../../scripts/local-cloud/db/database';
import type { OutboxEntry } from '../../scripts/local-cloud/openapi';
import { REPO_ROOT } from '../../scripts/local-cloud/runtime';
import { ADMIN, TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, createRound } from '../helpers/journey';
import { delivered, leaseClock, moreContacts, remind, reminderDocs, subscribe } from '../reminder/helpers';
import { bundleChild } from '../helpers/child';

const DAY = '2021-09-27';
const LEASE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deadline messages per person among `entries`. */
function perPerson(entries: OutboxEntry[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const e of entries) if (e.templateId === TEMPLATES.deadline) n.set(e.touser, (n.get(e.touser) ?? 0) + 1);
  return n;
}

describe('a database error at any write of a run', () => {
  let t: TestCloud;
  const logged: string[] = [];
  beforeAll(async () => {
    t = startTestCloud({ env: { REMINDER_LEASE_MS: String(LEASE_MS) } });
    await t.seed();
    await approveContacts(t, ['ssfj', 'xiangcheng']);
    for (const c of [CONTACTS.ssfj, CONTACTS.xiangcheng]) await subscribe(t, c.openid, 'deadline', 100);
    await moreContacts(t, 2);
    for (const id of ['o-extra-contact-00', 'o-extra-contact-01']) await subscribe(t, id, 'deadline', 99);
    jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
    jest.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
  }, 30_000);
  afterAll(() => {
    jest.restoreAllMocks();
    t.close();
  });

  test('nobody is reminded twice; every reminder is sent once or marked unconfirmed', async () => {
    // Each attempt is a new round due on 30 September: its reminders are new keys, due on the 27th.
    const run = async () => {
      const round = await createRound(t, { name: '故障演练', dueDate: '2021-09-30', scope: [8] });
      const mark = delivered(t).length;
      return { round, sent: () => perPerson(delivered(t).slice(mark)) };
    };
    const clean = await run();
    t.cloud.db.resetStats();
    await remind(t, DAY);
    const writes = Object.entries(t.cloud.db.stats().requests)
      .filter(([action]) => WRITE_ACTIONS.has(action))
      .reduce((n, [, k]) => n + k, 0);
    okData(await t.as(ADMIN)('round.close', { id: clean.round.id }));
    const everyone = [...clean.sent().keys()].sort();
    expect(everyone).toHaveLength(4);
    // Claims of the unreachable units, claims of the sends, their outcomes, the quota ledger, the digest.
    expect(writes).toBeGreaterThanOrEqual(5);

    const outcomes: Record<string, number> = {};
    for (let i = 0; i < writes; i++) {
      const attempt = await run();
      t.cloud.db.failNext({ action: 'write', skip: i });
      const first = (await t.cloud.runTrigger('reminder', 'remind', { Time: `${DAY}T09:00:00+08:00` })) as { ok: boolean };
      t.cloud.db.clearFaults();
      // The next run of the day, once the failed run's claims are past their lease.
      await sleep(LEASE_MS + 20);
      await remind(t, DAY, '09:20:00');

      const sent = attempt.sent();
      const docs = reminderDocs(t, { roundId: attempt.round.id, kind: 'deadline' });
      for (const openid of everyone) {
        const n = sent.get(openid) ?? 0;
        const state = docs.find((d) => d.openid === openid)?.state;
        // Once, or unconfirmed (sent or not: WeChat cannot be asked) — never twice, never silently dropped.
        if (state === 'unconfirmed') expect([i, openid, n <= 1]).toEqual([i, openid, true]);
        else expect([i, openid, state, n]).toEqual([i, openid, 'sent', 1]);
      }
      expect(docs.filter((d) => d.state === 'sending')).toEqual([]);
      const kind = `${first.ok ? 'ok' : 'failed'}${docs.some((d) => d.state === 'unconfirmed') ? '+unconfirmed' : ''}`;
      outcomes[kind] = (outcomes[kind] ?? 0) + 1;
      okData(await t.as(ADMIN)('round.close', { id: attempt.round.id }));
    }
    process.stdout.write(`reminder run faults: ${writes} writes ${JSON.stringify(outcomes)}\n`);
    // Faults before the sends are retried by the next run; faults after them leave unconfirmed keys.
    expect(outcomes.failed).toBeGreaterThan(0);
    expect(Object.keys(outcomes).some((k) => k.endsWith('+unconfirmed'))).toBe(true);
    // What the functions logged says what failed, and never whom it was for.
    for (const line of logged) expect(line).not.toMatch(/o-contact-|o-extra-contact-\d\d(?!\*)/);
  }, 60_000);
});

describe('the local cloud killed while a run sends', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-remind-crash-'));
  // Inside the project: the local cloud finds cloudfunctions/ from where it runs.
  const bundle = path.join(REPO_ROOT, 'build', `remind-crash-child-${process.pid}.js`);
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(bundle, { force: true });
  });

  test('claims survive the crash: the next runs send only the unclaimed, and nothing twice', async () => {
    const people = await (async () => {
      const t = startTestCloud({ dir });
      try {
        await t.seed();
        await approveContacts(t, ['ssfj', 'xiangcheng']);
        for (const c of [CONTACTS.ssfj, CONTACTS.xiangcheng]) await subscribe(t, c.openid, 'deadline', 1);
        const more = await moreContacts(t, 13);
        await createRound(t, { name: '第三季度', dueDate: '2021-09-30', scope: [8] });
        return [CONTACTS.ssfj.openid, CONTACTS.xiangcheng.openid, ...more];
      } finally {
        t.close();
      }
    })();
    bundleChild(path.join(__dirname, 'remind-child.ts'), bundle);
    // The dead run's claims hold for 10 minutes of the real clock: the restart below is within them however busy the
    // machine, and leaseClock passes them without waiting.
    const child = spawn(process.execPath, [bundle, dir, `${DAY}T09:00:00+08:00`, '600000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let acked = 0;
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      acked = (out.match(/^sent$/gm) ?? []).length;
      // WeChat has answered three sends of the first chunk of ten: pull the plug.
      if (acked >= 3) child.kill('SIGKILL');
    });
    const stuck = setTimeout(() => child.kill('SIGTERM'), 20_000);
    const signal = await exit;
    clearTimeout(stuck);
    expect([signal, acked >= 3 ? 'killed mid-run' : out]).toEqual(['SIGKILL', 'killed mid-run']);

    const t = startTestCloud({ dir, env: { REMINDER_LEASE_MS: String(LEASE_MS) } });
    const clock = leaseClock();
    try {
      const beforeRestart = perPerson(delivered(t));
      // WeChat's outbox has what it answered; the claims of the whole chunk are on disk.
      expect([...beforeRestart.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(acked);
      const claimed = reminderDocs(t, { state: 'sending' });
      expect(claimed).toHaveLength(10);
      // Within the dead run's lease: its claims are left alone, the rest is sent.
      await remind(t, DAY, '09:05:00');
      clock.pastLeases(claimed.map((d) => d.leaseUntil as Date));
      const later = await remind(t, DAY, '09:15:00');
      expect(later).toMatchObject({ sent: 0, unconfirmed: 10 });

      const sent = perPerson(delivered(t));
      for (const openid of people) {
        const n = sent.get(openid) ?? 0;
        const state = reminderDocs(t, { openid, kind: 'deadline' })[0]?.state;
        // Sent by a later run: once. Claimed by the dead run: unconfirmed, with what WeChat got before the crash.
        if (state === 'sent') expect([openid, n]).toEqual([openid, 1]);
        else expect([openid, state, n]).toEqual([openid, 'unconfirmed', beforeRestart.get(openid) ?? 0]);
      }
      expect([...sent.values()].every((n) => n === 1)).toBe(true);
    } finally {
      clock.restore();
      t.close();
    }
  }, 60_000);
});
