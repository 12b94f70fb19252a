/**
 * The office's view of a round: tasks × units with each cell's status and
 * latest report, counted per task, per unit and in total. Completion
 * statistics only: units keep directory order, nothing is ranked.
 */
import type { RoundOverview } from '../../../../miniprogram/shared/api';
import { db, fetchAll } from '../../../common/cloud';
import type { LinkStateDoc } from '../../../common/domain/link-check';
import { brokenLinksOf, overviewOf } from '../../../common/domain/overview';
import { C } from '../../../common/schema';
import { object, roundIdInput } from '../../../common/validate';
import { loadRoundGrid } from '../round-grid';
import type { ActionDef } from '../router';
import { roundView } from './rounds';

export const overviewRound: ActionDef<'overview.round'> = {
  access: 'admin',
  input: object({ roundId: roundIdInput }),
  async run({ roundId }) {
    const [{ round, grid, now }, broken] = await Promise.all([
      loadRoundGrid(roundId),
      // Written by the linkcheck function; only a link whose last check failed is listed.
      fetchAll<Pick<LinkStateDoc, 'reportId'>>(
        db.collection(C.linkStates).where({ roundId, 'latest.reachable': false }).field({ reportId: true }),
      ),
    ]);
    const summary = overviewOf(grid);
    const view: RoundOverview = {
      round: roundView(round),
      asOf: now.toISOString(),
      ...summary,
      brokenLinks: brokenLinksOf(summary, broken),
    };
    return view;
  },
};
