/**
 * The local cloud (`npm start`'s process, fsync on) is killed with SIGKILL
 * while 50 contact persons submit at once, each with a photo. After a
 * restart on the same data folder: every submit that got an ok answer is
 * there exactly once, nothing is half-written (a version without its
 * evidence, a gap in versions), and retrying every submit with its own
 * requestId — what the app does after a lost answer — leaves exactly one
 * report per submit.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LOCAL_OFFICE, startLocalCloud } from '../../scripts/local-cloud/child';
import { REPO_ROOT } from '../../scripts/local-cloud/runtime';
import { Client, burstAndCrash, checkStopped, prepare, retrySubmits, type Submitted } from '../../scripts/load';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The database as the restarted cloud will see it (opened after the process is gone). */
const check = (roundId: string, submits: Submitted[]) => checkStopped(dir, roundId, { submits, decisions: [] });

test('killed during 50 concurrent submits: every acknowledged one is there once, nothing half-written, retries land once', async () => {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs'), 'api', 'local-cloud'], { cwd: REPO_ROOT });
  const first = await startLocalCloud(dir);
  const cast = await prepare(new Client(first.origin), { office: LOCAL_OFFICE, tag: 'crash', contacts: 50, admins: 0 });
  // All at once, each with a photo; the fifth ok answer pulls the plug.
  const submits = await burstAndCrash(new Client(first.origin), cast, 0, 5, first.kill);
  expect(first.child.signalCode).toBe('SIGKILL');
  const acknowledged = submits.filter((s) => s.outcome === 'ok').length;
  // Answers either came (ok) or never did: no refusal, no INTERNAL.
  expect(submits.filter((s) => s.outcome !== 'ok' && s.outcome !== 'TRANSPORT')).toEqual([]);
  expect(acknowledged).toBeGreaterThanOrEqual(5);

  const afterCrash = check(cast.roundId, submits);
  expect(afterCrash.problems).toEqual([]);
  expect(afterCrash.acknowledged).toBe(acknowledged);
  expect(afterCrash.reports).toBe(acknowledged + afterCrash.unacknowledgedPresent);

  const second = await startLocalCloud(dir);
  try {
    const retried = await retrySubmits(new Client(second.origin), submits);
    expect(retried.filter((s) => s.outcome !== 'ok')).toEqual([]);
    // The acknowledged ones (and any that landed without an answer) come back as duplicates of the first result.
    for (const [i, s] of submits.entries()) {
      if (s.outcome === 'ok') expect([retried[i]?.duplicate, retried[i]?.reportId]).toEqual([true, s.reportId]);
    }
    expect(retried.filter((s) => s.duplicate).length).toBe(acknowledged + afterCrash.unacknowledgedPresent);
    await second.stop();
    const final = check(cast.roundId, [...submits, ...retried]);
    expect(final).toMatchObject({ problems: [], acknowledged: 50, reports: 50 });
    process.stdout.write(
      `crash during 50 concurrent submits: ${acknowledged} acknowledged before the kill, ` +
        `${afterCrash.unacknowledgedPresent} landed without an answer, ${50 - acknowledged - afterCrash.unacknowledgedPresent} lost in flight; ` +
        `after retries: ${final.reports} reports, ${final.problems.length} problems\n`,
    );
  } finally {
    await second.stop();
  }
}, 90_000);
