/** The office's link checks (the `linkcheck` function): re-check a report's links now. */
import type { LinksResponse } from '../../shared/links-api';
import { callLinks } from '../../services/call';

export const recheckReportLinks = (reportId: string): Promise<LinksResponse<'links.recheck'>> => callLinks('links.recheck', { reportId });
