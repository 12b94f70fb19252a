/** Submitting a progress report, reading the last one to start from, and checking a link before submitting. */
import type { ReportView, SubmitReportInput } from '../shared/api';
import type { LinkCheckView } from '../shared/links-api';
import { call, callLinks } from './call';

export const submitReport = (input: SubmitReportInput): Promise<{ report: ReportView; duplicate: boolean }> => call('report.submit', input);
export const fetchLatestReport = (assignmentId: string): Promise<ReportView | null> => call('report.latest', { assignmentId });

/** Whether a link opens and is on an official site, before submitting (nothing is stored). */
export async function checkLink(url: string): Promise<LinkCheckView | null> {
  const { links } = await callLinks('links.check', { urls: [url] });
  return links[0] ?? null;
}
