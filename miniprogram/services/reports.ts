/** Submitting a progress report and reading the last one to start from. */
import type { ReportView, SubmitReportInput } from '../shared/api';
import { call } from './call';

export const submitReport = (input: SubmitReportInput): Promise<{ report: ReportView; duplicate: boolean }> => call('report.submit', input);
export const fetchLatestReport = (assignmentId: string): Promise<ReportView | null> => call('report.latest', { assignmentId });
