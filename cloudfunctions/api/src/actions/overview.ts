/**
 * The office's view of a round: tasks × units with each cell's status and
 * latest report, counted per task, per unit and in total. Completion
 * statistics only: units keep directory order, nothing is ranked.
 */
import type { RoundOverview } from '../../../../miniprogram/shared/api';
import { overviewOf } from '../../../common/domain/overview';
import { object, roundIdInput } from '../../../common/validate';
import { loadRoundGrid } from '../round-grid';
import type { ActionDef } from '../router';
import { roundView } from './rounds';

export const overviewRound: ActionDef<'overview.round'> = {
  access: 'admin',
  input: object({ roundId: roundIdInput }),
  async run({ roundId }) {
    const { round, grid, now } = await loadRoundGrid(roundId);
    const view: RoundOverview = { round: roundView(round), asOf: now.toISOString(), ...overviewOf(grid) };
    return view;
  },
};
