/**
 * The fast version of the load run (`npm run bench` and `npm run soak` run
 * the long one and print its figures): 50 contact persons submitting at once
 * while 5 administrators review, over the HTTP bridge. Correctness only —
 * no timing is asserted here: no error, no lost or doubled report, and a
 * retry of every submit finds its first result.
 */
import { Client, EXPECTED_REFUSALS, integrity, prepare, retrySubmits, runLoad, type Cast, type LoadRun } from '../../scripts/load';
import { ADMIN, startTestCloud, type TestCloud } from '../helpers/local-cloud';

let t: TestCloud;
let client: Client;
let cast: Cast;
let run: LoadRun;
const find = (collection: string, filter: Record<string, unknown>) => t.cloud.db.find(collection, filter);

beforeAll(async () => {
  t = startTestCloud();
  // On the platform each call gets its own instance; here 55 people share one process and this machine's cores,
  // so a call may wait far longer than it would run. Correctness is asserted here; time is the bench's figure.
  const api = t.cloud.functions.get('api');
  if (!api) throw new Error('no api function');
  api.timeout = 600;
  await t.seed();
  client = new Client(await t.origin());
  cast = await prepare(client, { office: ADMIN, tag: 'fast', contacts: 50, admins: 5 });
  client.calls.length = 0;
  run = await runLoad(client, cast, { submitsPerContact: 2, decisionsPerAdmin: 6, photoEvery: 2 });
}, 120_000);
afterAll(() => t.close());

test('every request was answered, and nothing but two admins racing for one report was refused', () => {
  expect(run.submits).toHaveLength(100);
  const unexpected = client.calls.filter((c) => c.outcome !== 'ok' && !EXPECTED_REFUSALS.has(c.outcome));
  expect(unexpected.map((c) => `${c.action}:${c.outcome} ${c.message ?? ''}`)).toEqual([]);
  expect(run.submits.every((s) => s.outcome === 'ok' && s.duplicate === false)).toBe(true);
  expect(run.decisions.filter((d) => d.outcome === 'ok').length).toBeGreaterThanOrEqual(20);
});

test('every acknowledged report and decision is in the database exactly once, with its evidence', () => {
  const check = integrity(find, cast.roundId, run.submits, run.decisions);
  expect(check).toMatchObject({ problems: [], acknowledged: 100, reports: 100, unacknowledgedPresent: 0 });
  expect(check.reviews).toBe(run.decisions.filter((d) => d.outcome === 'ok').length);
});

test('retrying every submit with its own requestId returns the first result and adds nothing', async () => {
  const again = await retrySubmits(client, run.submits);
  expect(again.every((s, i) => s.outcome === 'ok' && s.duplicate === true && s.reportId === run.submits[i]?.reportId)).toBe(true);
  expect(integrity(find, cast.roundId, [...run.submits, ...again], run.decisions)).toMatchObject({ problems: [], reports: 100 });
});

test('the integrity check sees a lost report, one nobody submitted, a gap in versions and a missing decision', async () => {
  // It must be able to fail: remove one acknowledged report, forge a copy of another (the unique
  // request index already refuses a second report for one request, so the copy has its own key).
  const [lost, doubled] = run.submits;
  const { db } = await import('../../cloudfunctions/common/cloud');
  const copy = t.cloud.db.find('reports', { _id: doubled?.reportId })[0] as Record<string, unknown>;
  await db.collection('reports').doc(String(lost?.reportId)).remove();
  await db.collection('reports').add({ data: { ...copy, _id: `${String(copy._id)}-copy`, version: 99, requestKey: 'o-forger:x' } });
  const decided = run.decisions.find((d) => d.outcome === 'ok');
  await db.collection('reviews').where({ reportId: decided?.reportId }).remove();
  const problems = integrity(find, cast.roundId, run.submits, run.decisions).problems.join('\n');
  expect(problems).toContain(`acknowledged (${lost?.reportId}) but missing`);
  expect(problems).toContain('o-forger:x: a report nobody submitted');
  expect(problems).toMatch(new RegExp(`${String(copy.assignmentId)}: versions [0-9,]*,99`));
  expect(problems).toContain(`${decided?.reportId}: ${decided?.decision} acknowledged, recorded nothing`);
});
