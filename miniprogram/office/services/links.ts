/** The office's link checks (the `linkcheck` function): re-check a report's links, or a year's or a round's, now. */
import type { LinksResponse } from '../../shared/links-api';
import { callLinks } from '../../services/call';

export const recheckReportLinks = (reportId: string): Promise<LinksResponse<'links.recheck'>> => callLinks('links.recheck', { reportId });

/** Most calls spent re-checking before an export (each works up to ~45 s); the rest keep their last check. */
const RECHECK_CALLS = 6;

/**
 * Re-checks the links of a year's or a round's latest reports before an export,
 * call after call while some remain; `progress` hears how many reports are left.
 * A link the time allows no new check for keeps its last one (the ledger says when).
 */
export async function recheckBeforeExport(
  scope: { year?: number; roundId?: string },
  progress: (remaining: number) => void,
): Promise<{ checked: number; unreachable: number; remaining: number }> {
  const total = { checked: 0, unreachable: 0, remaining: 0 };
  for (let call = 0; call < RECHECK_CALLS; call++) {
    const res = await callLinks('links.recheck', scope);
    total.checked += res.checked;
    total.unreachable += res.unreachable;
    total.remaining = res.remaining;
    if (res.remaining === 0) break;
    progress(res.remaining);
  }
  return total;
}
