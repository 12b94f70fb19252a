/**
 * The screenshots' data: the demo year exactly as `npm start -- --demo` makes it
 * (scripts/local-cloud/demo.ts, run by the built local cloud in its own process),
 * then opened here by a test cloud on the demo's own clock.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { LOCAL_OFFICE, startLocalCloud } from '../../scripts/local-cloud/child';
import { readDemoMarker } from '../../scripts/local-cloud/demo';
import { LOCAL_TEMPLATE_IDS, localTemplates } from '../../scripts/local-cloud/templates';

/** The demo's first administrator (李静). */
export const DEMO_OFFICE = LOCAL_OFFICE;

/** The demo's contact for a unit, as demo.ts names them. */
export const demoContact = (unitId: string): string => `o-demo-${unitId}`.slice(0, 64);

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A test cloud holding the demo year, its clock on the demo's today. With `pageClock`, this
 * process's own Date (which the pages read for 还剩 N 天 and 今天) shows that day too, moving
 * on from there like a phone's clock.
 */
export async function startDemoCloud(opts: { pageClock?: boolean } = {}): Promise<TestCloud> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-demo-shots-'));
  const seeding = await startLocalCloud(dir, 300_000, ['--demo']);
  await seeding.stop();
  const marker = readDemoMarker(dir);
  if (!marker) throw new Error(`npm start -- --demo left no demo marker:\n${seeding.output()}`);
  const today = new Date(marker.today);

  const t = startTestCloud({ dir, env: { SUBSCRIBE_TEMPLATES: JSON.stringify(LOCAL_TEMPLATE_IDS) } });
  t.cloud.openapi.setTemplates(localTemplates(LOCAL_TEMPLATE_IDS));
  if (opts.pageClock) {
    // Only Date: the timers stay real, so waits still wait.
    jest.useFakeTimers({
      now: today,
      advanceTimers: true,
      doNotFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'setImmediate',
        'clearImmediate',
        'nextTick',
        'queueMicrotask',
        'hrtime',
        'performance',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
      ],
    });
  }
  t.cloud.clock.set(today);
  return t;
}
