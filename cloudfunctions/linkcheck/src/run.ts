/**
 * The timer run: checks the links of reports submitted since the last run,
 * as many as fit the time budget, and remembers how far it got. The cursor
 * trails by a margin and a report whose links all have a state is skipped,
 * so a report committed late (or a run cut short) is checked by the next run
 * and never twice.
 */
import { _, db, fetchIn, first, rows } from '../../common/cloud';
import type { ReportDoc } from '../../common/records';
import { C } from '../../common/schema';
import { linkStateId } from '../../common/domain/link-check';
import { checkReport } from './check';

const SETTINGS_ID = 'linkcheck';
/** Reports read per request. */
const BATCH = 50;
/** How far back the cursor looks again (a submit's time is set before its commit lands). */
const MARGIN_MS = 5 * 60 * 1000;
/** Reports checked at once (each fetches its links in parallel). */
const CONCURRENCY = 4;

export const runBudgetMs = () => Number(process.env.LINKCHECK_BUDGET_MS ?? 45_000);

interface Cursor {
  _id: string;
  submittedAt: Date;
}

/** Reports among `reports` that have a link not yet checked. */
async function unchecked(reports: ReportDoc[]): Promise<ReportDoc[]> {
  const withLinks = reports.filter((r) => r.evidence.links.length > 0);
  const ids = withLinks.flatMap((r) => r.evidence.links.map((_l, i) => linkStateId(r._id, i)));
  const known = new Set((await fetchIn<{ _id: string }>(C.linkStates, '_id', ids, {}, { _id: true })).map((d) => d._id));
  return withLinks.filter((r) => r.evidence.links.some((_l, i) => !known.has(linkStateId(r._id, i))));
}

export async function runNewLinks(now: Date): Promise<{ reports: number; links: number; unreachable: number; done: boolean }> {
  const deadline = now.getTime() + runBudgetMs();
  const cursor = await first<Cursor>(db.collection(C.settings).where({ _id: SETTINGS_ID }).limit(1));
  // Keyset paging on (submittedAt, _id): a burst of reports with one submit time is read page by page.
  let after: { at: Date; id: string } = { at: new Date(cursor ? new Date(cursor.submittedAt).getTime() - MARGIN_MS : 0), id: '' };
  let reports = 0;
  let links = 0;
  let unreachable = 0;
  for (;;) {
    const page = await rows<ReportDoc>(
      db
        .collection(C.reports)
        .where(_.or([{ submittedAt: _.gt(after.at) }, { submittedAt: after.at, _id: _.gt(after.id) }]))
        .orderBy('submittedAt', 'asc')
        .orderBy('_id', 'asc')
        .limit(BATCH),
    );
    const todo = await unchecked(page);
    for (let i = 0; i < todo.length; i += CONCURRENCY) {
      // Leave the rest to the next run rather than start fetches that cannot finish in time.
      if (Date.now() > deadline - 12_000) return { reports, links, unreachable, done: false };
      const results = await Promise.all(todo.slice(i, i + CONCURRENCY).map((r) => checkReport(r, 'submit', deadline)));
      reports += results.length;
      for (const r of results) {
        links += r.checked;
        unreachable += r.unreachable;
      }
    }
    const last = page[page.length - 1];
    if (!last) return { reports, links, unreachable, done: true };
    after = { at: new Date(last.submittedAt), id: last._id };
    await db
      .collection(C.settings)
      .doc(SETTINGS_ID)
      .set({ data: { submittedAt: after.at } });
    if (page.length < BATCH) return { reports, links, unreachable, done: true };
  }
}
