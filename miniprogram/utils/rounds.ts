/** Round rules the pages need, pure. The server decides; these only explain. */
import type { RoundView } from '../shared/api';

/** Whether the open round asks about this task; the reason in plain words when not. */
export function reportGate(round: RoundView | null, taskNo: number): { enabled: boolean; reason: string } {
  if (!round) return { enabled: false, reason: '政务公开科还没有发布包含本任务的报送轮次，发布后即可报送。' };
  if (round.status !== 'open') return { enabled: false, reason: `「${round.name}」已结束报送，如需补报请联系政务公开科。` };
  if (round.scope !== 'all' && !round.scope.includes(taskNo)) {
    return { enabled: false, reason: `「${round.name}」不涉及本任务，无需报送。` };
  }
  return { enabled: true, reason: '' };
}
