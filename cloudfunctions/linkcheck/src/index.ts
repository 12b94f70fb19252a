/**
 * The `linkcheck` cloud function (docs/api.md): checks the links a report
 * gives as evidence — does the page open, its title, is it on an official
 * site — and keeps a snapshot of what it said. Its timer (config.json, every
 * 10 minutes) checks the links of newly submitted reports, off the submit's
 * own path; the contact's page asks `links.check` before submitting, and the
 * office re-checks with `links.recheck` (before a ledger export, or any time).
 */
import { cloud } from '../../common/cloud';
import { collectionsReady } from '../../common/collections';
import { failure, ok } from '../../common/envelope';
import { createHandler } from '../../common/router';
import { actions } from './actions';
import { runNewLinks } from './run';

const handle = createHandler(actions, 'linkcheck');

export async function main(event: unknown) {
  // The platform sets SOURCE; nothing in the event can claim to be the timer.
  if (cloud.getWXContext().SOURCE === 'wx_trigger') {
    try {
      // The timer path does not go through the router, which creates missing collections: do it here.
      await collectionsReady();
      return ok(await runNewLinks(new Date()));
    } catch (err) {
      return failure(err, 'linkcheck');
    }
  }
  return handle(event);
}
