import { ADMIN, TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';

let t: TestCloud;
beforeEach(() => {
  t = startTestCloud();
});
afterEach(() => t.close());

test('me.get tells the app which templates to ask for', async () => {
  const me = okData(await t.as('o-someone-01')('me.get'));
  expect(me.subscribeTemplates).toEqual([TEMPLATES.deadline, TEMPLATES.returned, TEMPLATES.urge]);
});

test('each accepted, configured template adds one to the ledger; other answers add nothing', async () => {
  const me = t.as('o-someone-02');
  const first = okData(
    await me('subscription.record', {
      results: { [TEMPLATES.deadline]: 'accept', [TEMPLATES.returned]: 'reject', [TEMPLATES.urge]: 'ban', 'tmpl-unknown-1': 'accept' },
    }),
  );
  expect(first.quota).toEqual({ [TEMPLATES.deadline]: 1 });
  const second = okData(await me('subscription.record', { results: { [TEMPLATES.deadline]: 'accept', [TEMPLATES.urge]: 'accept' } }));
  expect(second.quota).toEqual({ [TEMPLATES.deadline]: 2, [TEMPLATES.urge]: 1 });
  // Another person's ledger is separate.
  const other = okData(await t.as(ADMIN)('subscription.record', { results: { [TEMPLATES.urge]: 'filter' } }));
  expect(other.quota).toEqual({});
  expect(t.cloud.db.find('subscriptions', { openid: 'o-someone-02' })).toHaveLength(2);
});

test('concurrent accepts are all counted', async () => {
  const me = t.as('o-someone-03');
  await Promise.all(Array.from({ length: 5 }, () => me('subscription.record', { results: { [TEMPLATES.deadline]: 'accept' } })));
  expect(t.cloud.db.find('subscriptions', { _id: `o-someone-03:${TEMPLATES.deadline}` })[0]).toMatchObject({ quota: 5 });
});

test.each([
  [{}, 'results'],
  [{ results: {} }, 'results'],
  [{ results: { [TEMPLATES.deadline]: 'yes' } }, `results.${TEMPLATES.deadline}`],
  [{ results: { 'bad id!': 'accept' } }, 'results.bad id!'],
  [{ results: { a: 'accept' }, openid: 'o-victim' }, 'openid'],
])('bad input %j is refused naming %s, and nothing is written', async (data, field) => {
  const res = await t.as('o-someone-04')('subscription.record', data as never);
  expect(res).toMatchObject({ ok: false, code: 'INVALID_INPUT', field });
  expect(t.cloud.db.count('subscriptions', {})).toBe(0);
});

describe('long-term templates', () => {
  const LONG = { deadline: { id: 'tmpl-deadline-long', kind: 'long-term' }, returned: TEMPLATES.returned, urge: TEMPLATES.urge };
  let lt: TestCloud;
  beforeEach(() => {
    lt = startTestCloud({ env: { SUBSCRIBE_TEMPLATES: JSON.stringify(LONG) } });
  });
  afterEach(() => lt.close());

  test('an accept holds (however often given), a reject or ban turns it off, a filter changes nothing', async () => {
    const me = lt.as('o-someone-05');
    const first = okData(await me('subscription.record', { results: { 'tmpl-deadline-long': 'accept', [TEMPLATES.urge]: 'accept' } }));
    expect(first).toEqual({ quota: { [TEMPLATES.urge]: 1 }, longTerm: ['tmpl-deadline-long'] });
    okData(await me('subscription.record', { results: { 'tmpl-deadline-long': 'accept' } }));
    expect(lt.cloud.db.find('subscriptions', { _id: 'o-someone-05:tmpl-deadline-long' })[0]).toMatchObject({
      kind: 'long-term',
      longTerm: true,
      quota: 0,
    });
    expect(okData(await me('subscription.record', { results: { 'tmpl-deadline-long': 'filter' } })).longTerm).toEqual([
      'tmpl-deadline-long',
    ]);
    expect(okData(await me('subscription.record', { results: { 'tmpl-deadline-long': 'reject' } })).longTerm).toEqual([]);
    expect(okData(await me('subscription.record', { results: { 'tmpl-deadline-long': 'accept' } })).longTerm).toEqual([
      'tmpl-deadline-long',
    ]);
    expect(okData(await me('subscription.record', { results: { 'tmpl-deadline-long': 'ban' } })).longTerm).toEqual([]);
    // me.get tells the app what to ask for, and what this person already holds.
    okData(await me('subscription.record', { results: { 'tmpl-deadline-long': 'accept' } }));
    expect(okData(await me('me.get'))).toMatchObject({
      subscribeTemplates: ['tmpl-deadline-long', TEMPLATES.returned, TEMPLATES.urge],
      longTermTemplates: ['tmpl-deadline-long'],
      longTermHeld: ['tmpl-deadline-long'],
    });
  });

  test('a reject from someone who never accepted writes nothing', async () => {
    okData(await lt.as('o-someone-06')('subscription.record', { results: { 'tmpl-deadline-long': 'reject' } }));
    expect(lt.cloud.db.count('subscriptions', {})).toBe(0);
  });

  test('one-time accounts (plain ids) see no long-term templates', async () => {
    expect(okData(await t.as('o-someone-07')('me.get'))).toMatchObject({ longTermTemplates: [], longTermHeld: [] });
  });
});
