/**
 * The office's daily digest of reminders that reached nobody in a unit,
 * with the group message to paste (written by the reminder runs and the
 * immediate 退回/催办 notifications; see common/notify.ts).
 */
import type { DigestEntryView, DigestView } from '../../../../miniprogram/shared/api';
import { _, db, fetchIn, first } from '../../../common/cloud';
import { isValidDay, officeDay } from '../../../common/domain/dates';
import { compareEntries, groupMessage, stillOwed, type DigestEntry, type LatestState } from '../../../common/domain/digest';
import { invalid } from '../../../common/envelope';
import type { DigestDoc } from '../../../common/notify';
import type { ReportDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { object, optional, string, type Validator } from '../../../common/validate';
import type { ActionDef } from '../router';

const dayInput: Validator<string> = (value, path) => {
  const v = string({ max: 10 })(value, path);
  if (!isValidDay(v)) throw invalid(path, '日期格式不正确（如 2021-09-27）');
  return v;
};

/** The latest report version of each unit's tasks in the rounds the lines name (one read per 500 rounds). */
async function latestOf(entries: readonly DigestEntry[]): Promise<LatestState> {
  const rounds = [...new Set(entries.map((e) => e.roundId).filter((r): r is string => r !== null))];
  const units = new Set(entries.map((e) => e.unitId).filter((u) => u !== ''));
  const reports = rounds.length
    ? await fetchIn<Pick<ReportDoc, 'roundId' | 'unitId' | 'taskNo' | 'version' | 'state'>>(
        C.reports,
        'roundId',
        rounds,
        { unitId: _.in([...units]) },
        {
          roundId: true,
          unitId: true,
          taskNo: true,
          version: true,
          state: true,
        },
      )
    : [];
  const latest = new Map<string, { version: number; state: ReportDoc['state'] }>();
  for (const r of reports) {
    const key = `${r.roundId}|${r.unitId}|${r.taskNo}`;
    const seen = latest.get(key);
    if (!seen || r.version > seen.version) latest.set(key, { version: r.version, state: r.state });
  }
  return (roundId, unitId, taskNo) => latest.get(`${roundId}|${unitId}|${taskNo}`)?.state;
}

function entryView(e: DigestEntry): DigestEntryView {
  return {
    kind: e.kind,
    unitId: e.unitId,
    unitName: e.unitName,
    roundId: e.roundId,
    roundName: e.roundName,
    dueDate: e.dueDate,
    taskNos: e.taskNos,
    pending: e.pending,
    overdue: e.overdue,
    reason: e.reason,
    people: e.people.map((p) => ({ name: p.name, reason: p.reason, subscription: p.subscription ?? null })),
    at: new Date(e.at).toISOString(),
  };
}

export const digestGet: ActionDef<'digest.get'> = {
  access: 'admin',
  input: object({ day: optional(dayInput) }),
  async run({ day }) {
    const now = new Date();
    const wanted = day ?? officeDay(now);
    const doc = await first<DigestDoc>(db.collection(C.digests).where({ _id: wanted }).limit(1));
    const written = Object.values(doc?.entries ?? {});
    // What units reported since the lines were written is no longer asked of them.
    const entries = stillOwed(written, await latestOf(written)).sort(compareEntries);
    const view: DigestView = {
      day: wanted,
      entries: entries.map(entryView),
      // Rebuilt from the entries: concurrent runs merge entries exactly, the stored text may lag by one.
      message: groupMessage(wanted, entries),
      updatedAt: doc ? new Date(doc.updatedAt).toISOString() : null,
    };
    return view;
  },
};
