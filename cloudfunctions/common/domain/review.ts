/**
 * The office's review of a report version: only the latest version of an
 * (assignment, round) can be decided, and only while it awaits review. A
 * decision changes the version's state; its text and evidence never change.
 */
import type { ReportState, ReviewDecision, RoundStatus } from '../../../miniprogram/shared/api';

export const STATE_AFTER: Record<ReviewDecision, ReportState> = { approve: 'approved', return: 'returned' };
export const STATE_LABEL: Record<ReportState, string> = { submitted: '待审核', approved: '已通过', returned: '已退回' };

export interface ReviewCheck {
  state: ReportState;
  version: number;
  /** A higher version exists in the same round. */
  superseded: boolean;
  decision: ReviewDecision;
  roundStatus: RoundStatus;
  /** What the office saw, if it said. */
  expectedState?: ReportState;
}

export interface Refusal {
  code: 'CONFLICT' | 'ROUND_CLOSED';
  message: string;
}

/** Why the decision cannot be taken now, or null when it can. */
export function reviewRefusal(c: ReviewCheck): Refusal | null {
  if (c.superseded) {
    return { code: 'CONFLICT', message: `该单位已提交更新的版本，第${c.version}版不能再审核，请刷新后审核最新版本` };
  }
  if (c.state !== 'submitted') {
    const next = c.state === 'returned' ? '，正等待单位重新报送' : '';
    return { code: 'CONFLICT', message: `该报告当前为「${STATE_LABEL[c.state]}」${next}，无需重复审核，请刷新后查看` };
  }
  if (c.expectedState !== undefined && c.expectedState !== c.state) {
    return { code: 'CONFLICT', message: `该报告当前为「${STATE_LABEL[c.state]}」，与您看到的不同，请刷新后再审核` };
  }
  // Returning asks for a new version, which a closed round no longer takes.
  if (c.decision === 'return' && c.roundStatus === 'closed') {
    return { code: 'ROUND_CLOSED', message: '该轮次已结束，单位无法再重新报送，不能退回；如需补报，请新建一个轮次' };
  }
  return null;
}
