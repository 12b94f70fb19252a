/**
 * The `ledger` cloud function (docs/api.md): the 工作台账 export, the
 * evidence archive and the import of a year's 任务分解表, for the office
 * only. It carries exceljs and archiver, which the `api` function stays
 * free of so that it starts fast.
 */
import { createHandler } from '../../common/router';
import { ledgerArchive } from './actions/archive';
import { ledgerExport } from './actions/export';
import { importCheck, importCommit, planSetCurrent } from './actions/import';
import { ledgerTemplate } from './actions/template';
import type { LedgerActionMap } from './router';

const actions: LedgerActionMap = {
  'ledger.export': ledgerExport,
  'ledger.archive': ledgerArchive,
  'ledger.template': ledgerTemplate,
  'import.check': importCheck,
  'import.commit': importCommit,
  'plan.setCurrent': planSetCurrent,
};

export const main = createHandler(actions, 'ledger');
