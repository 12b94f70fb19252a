/**
 * The timer fires ten times each morning (config.json: 09:00, 09:03, …
 * 09:27 UTC+8): a run that could not send everything is continued by the
 * next firing (failures.test.ts), all of them end before 09:30, and on a day
 * the first run finished the later firings send nothing at all.
 */
import fs from 'fs';
import path from 'path';
import { REPO_ROOT } from '../../scripts/local-cloud/runtime';
import { nextFire, parseCron } from '../../scripts/local-cloud/cron';
import { REMINDER_DEFAULTS } from '../../cloudfunctions/common/reminder-config';
import { startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { CONTACTS, approveContacts, createRound } from '../helpers/journey';
import { moreContacts, outbox, remind, subscribe } from './helpers';

const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cloudfunctions', 'reminder', 'config.json'), 'utf8')) as {
  timeout: number;
  triggers: { name: string; type: string; config: string }[];
};

/** The firings of one office day, as UTC+8 clock times. */
function firingsOn(day: string): string[] {
  const cron = parseCron(config.triggers[0]?.config ?? '');
  const end = new Date(`${day}T23:59:59+08:00`);
  const out: string[] = [];
  for (let t = nextFire(cron, new Date(`${day}T00:00:00+08:00`)); t && t <= end; t = nextFire(cron, t)) {
    out.push(new Date(t.getTime() + 8 * 3600_000).toISOString().slice(11, 19));
  }
  return out;
}

test('one timer trigger fires ten times a morning, the last run ending (at its timeout) by 09:30', () => {
  // 云开发 allows one trigger per function: one cron names every firing.
  expect(config.triggers).toHaveLength(1);
  expect(config.triggers[0]).toMatchObject({ name: 'remind', type: 'timer' });
  for (const day of ['2021-09-27', '2021-10-02', '2022-01-01']) {
    expect(firingsOn(day)).toEqual(
      ['09:00', '09:03', '09:06', '09:09', '09:12', '09:15', '09:18', '09:21', '09:24', '09:27'].map((m) => `${m}:00`),
    );
  }
  expect(27 * 60 + config.timeout).toBeLessThanOrEqual(30 * 60);
  // Each run stops starting sends with time left in its timeout to record the last results and the digest.
  expect(REMINDER_DEFAULTS.budgetMs).toBeLessThanOrEqual(config.timeout * 1000 - 15_000);
});

describe('a morning at the default settings', () => {
  let t: TestCloud;
  afterEach(() => t.close());

  test('the first firing sends the day; the later ones send nothing and report complete', async () => {
    t = startTestCloud();
    await t.seed();
    await approveContacts(t, ['ssfj', 'xiangcheng']);
    await createRound(t, { name: '第三季度', dueDate: '2021-09-30', scope: [8] });
    const people = [CONTACTS.xiangcheng.openid, CONTACTS.ssfj.openid, ...(await moreContacts(t, 5))];
    await subscribe(t, CONTACTS.xiangcheng.openid, 'deadline', 1);
    await subscribe(t, CONTACTS.ssfj.openid, 'deadline', 1);

    const [first, ...later] = firingsOn('2021-09-27');
    const run1 = await remind(t, '2021-09-27', first);
    expect(run1).toMatchObject({ complete: true, sent: people.length, remaining: 0 });
    const afterFirst = outbox(t).length;
    for (const time of later) {
      const run = await remind(t, '2021-09-27', time);
      expect(run).toMatchObject({ complete: true, sent: 0, remaining: 0, digestNotified: 0 });
    }
    expect(outbox(t)).toHaveLength(afterFirst);
  });
});
