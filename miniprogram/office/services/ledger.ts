/**
 * The office's year-end files: the 工作台账 (.xlsx), the evidence archive
 * (.zip), the import template, and importing next year's 任务分解表. All
 * go through the `ledger` function; the phone only uploads the file to
 * import and opens or copies what the function wrote.
 */
import type {
  ImportCheckResult,
  ImportCommitInput,
  ImportCommitResult,
  LedgerArchiveResult,
  LedgerExportResult,
  LedgerFileView,
  LedgerScope,
  SetCurrentResult,
} from '../shared/ledger-api';
import { importPrefix } from '../shared/ledger-api';
import { callLedger } from '../../services/call';
import { uploadFile } from '../../services/upload';
import { randomToken, safeFileName } from '../../utils/ids';

export const exportLedger = (scope: LedgerScope): Promise<LedgerExportResult> => callLedger('ledger.export', scope);
export const archiveEvidence = (scope: LedgerScope): Promise<LedgerArchiveResult> => callLedger('ledger.archive', scope);
export const fetchTemplate = (year?: number): Promise<LedgerFileView> => callLedger('ledger.template', year ? { year } : {});
export const checkImport = (fileID: string): Promise<ImportCheckResult> => callLedger('import.check', { fileID });
export const commitImport = (input: ImportCommitInput): Promise<ImportCommitResult> => callLedger('import.commit', input);
/** Contacts see the current year's tasks; a table imported ahead of time is switched on here. */
export const setCurrentPlan = (year: number): Promise<SetCurrentResult> => callLedger('plan.setCurrent', { year });

/** Uploads a chosen 任务分解表 where the ledger function accepts imports from this person. */
export function uploadImportFile(openid: string, filePath: string, name: string): Promise<string> {
  const cloudPath = `${importPrefix(openid)}${Date.now().toString(36)}-${randomToken(6)}-${safeFileName(name)}`;
  return uploadFile({ filePath, cloudPath }).done;
}
