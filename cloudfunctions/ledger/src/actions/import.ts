/**
 * Importing a year's 任务分解表: import.check reads the uploaded file and
 * reports every problem (writes nothing); import.commit checks it again and
 * creates the new plan, its tasks and assignments; plan.setCurrent switches
 * the current year.
 *
 * The year is the one the table's title names (邹城市2022年…): a year given
 * with the call must be that one, so last year's table cannot become next
 * year's by a slip of the finger. A title without a year takes the year given.
 *
 * No partial plan is ever visible: tasks and assignments are written first
 * (nothing reads them without their plan), the plan document last; it is
 * the commit point. An import holds a lease on `imports/<planId>` while it
 * writes, so two imports of one year never mix; a retry with the same
 * request resumes (clearing what an interrupted attempt left), and once
 * done returns the first result. Earlier years are never touched.
 */
import { Writable } from 'stream';
import { importPrefix, IMPORT_MAX_BYTES, type ImportCheckResult, type ImportCommitResult } from '../../../../miniprogram/shared/ledger-api';
import { audit } from '../../../common/audit';
import { _, addMissing, cloud, db, fetchAll, first, isDuplicateKey, total } from '../../../common/cloud';
import type { Caller } from '../../../common/context';
import { fileIdIssue } from '../../../common/domain/evidence';
import {
  hiddenRowProblems,
  importYearOf,
  otherYearThanTitle,
  readImportSheet,
  unitProblems,
  type ImportedTable,
} from '../../../common/domain/import-table';
import { buildPlanDocs, planId, type PlanDoc, type PlanDocs } from '../../../common/domain/plan-docs';
import { ApiFailure, conflict, invalid, notFound, scrub } from '../../../common/envelope';
import { currentPlan, directoryUnit } from '../../../common/plans';
import type { ImportDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { tempUrlBatch } from '../../../common/storage';
import { DIRECTORY, type TaskTable } from '../../../common/table';
import { inTransaction, txAudit, txGet, txPut } from '../../../common/transaction';
import { boolean, object, optional, planYearInput, string } from '../../../common/validate';
import { DownloadError, download, TooLargeError } from '../files';
import { readWorkbook } from '../read-xlsx';
import type { LedgerActionDef } from '../router';

/** Longer than the function's 60 s timeout: an import still running is never taken over. */
const LEASE_MS = 90_000;

const fileIdInput = string({ max: 1000 });
const requestIdInput = string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '请求编号格式不正确，请刷新页面后重试' });

/** The uploaded file's bytes, after checking it is the caller's own upload. */
async function fetchUpload(fileID: string, caller: Caller): Promise<Buffer> {
  const env = cloud.getWXContext().ENV;
  const issue = fileIdIssue(fileID, importPrefix(caller.openid), typeof env === 'string' && env !== '' ? env : undefined);
  if (issue === 'format') throw invalid('fileID', '文件地址格式不正确，请重新上传');
  if (issue === 'env') throw invalid('fileID', '文件不属于本系统，请重新上传');
  if (issue === 'prefix') throw new ApiFailure('FORBIDDEN', '只能导入您本人上传的文件，请重新上传', 'fileID');
  let url: string;
  try {
    url = (await tempUrlBatch([fileID], 600))[0]?.url ?? '';
  } catch (err) {
    // For the operator: what failed, never whose file (the path names the person).
    console.error(`[ledger] import: getTempFileURL failed: ${scrub(err instanceof Error ? err.message : String(err))}`);
    throw new ApiFailure('INTERNAL', '暂时无法读取上传的文件，请稍后重试');
  }
  if (!url) throw new ApiFailure('NOT_FOUND', '找不到上传的文件，请重新上传', 'fileID');
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  try {
    await download(url, sink, IMPORT_MAX_BYTES);
  } catch (err) {
    if (err instanceof TooLargeError) {
      throw invalid('fileID', `文件超过 ${IMPORT_MAX_BYTES / 1024 / 1024} MB：任务分解表通常只有几十 KB，请只保留表格内容后重新上传`);
    }
    if (err instanceof DownloadError) {
      console.error(`[ledger] import: reading the upload failed: ${err.message}`);
      throw new ApiFailure('INTERNAL', '暂时无法读取上传的文件，请稍后重试');
    }
    throw err;
  }
  return Buffer.concat(chunks);
}

interface Checked {
  table: ImportedTable;
  problems: ImportCheckResult['problems'];
  units: UnitDoc[];
}

/** Reads the file and checks it against the unit directory as it is now. */
async function checkFile(fileID: string, caller: Caller): Promise<Checked> {
  const [bytes, units] = await Promise.all([fetchUpload(fileID, caller), fetchAll<UnitDoc>(db.collection(C.units), 'order')]);
  const sheets = await readWorkbook(bytes);
  // The first sheet that has the header; the first sheet's problems otherwise.
  const tables = sheets.map((s) => readImportSheet(s.rows));
  const at = tables.findIndex((t) => t.sections.length > 0 || t.tasks.length > 0);
  const table = tables[Math.max(0, at)];
  const sheet = sheets[Math.max(0, at)];
  if (!table || !sheet) throw invalid('fileID', '文件中没有工作表');
  const problems = [
    ...table.problems,
    ...hiddenRowProblems(sheet.rows, sheet.hidden),
    ...unitProblems(table, units.map(directoryUnit), DIRECTORY.groups),
  ];
  problems.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
  return { table, problems, units };
}

/**
 * The year a checked file imports as (importYearOf), refusing at the field to
 * highlight. A year that differs from the title's is said first (the wrong file,
 * or the wrong year, makes the file's problems moot), then the file's problems,
 * then a year named nowhere.
 */
function importYear(checked: Checked, given: number | undefined): number {
  const other = otherYearThanTitle(checked.table.yearInFile, given);
  if (other) throw invalid('year', other);
  if (checked.problems.length > 0) {
    throw invalid('fileID', `文件中还有 ${checked.problems.length} 处问题，请先检查并修改后再导入`);
  }
  const choice = importYearOf(checked.table.yearInFile, given);
  if ('refusal' in choice) throw invalid('year', choice.refusal);
  return choice.year;
}

function planDocsOf(
  checked: Checked,
  year: number,
  region: string,
  by: string,
  fileID: string,
  requestKey: string,
  current: boolean,
): PlanDocs {
  const { table } = checked;
  const document: TaskTable['document'] = {
    docNo: '',
    noticeTitle: '',
    title: table.title || `${region}${year}年政务公开工作任务分解表`,
    issuer: '',
    issuedOn: '',
    year,
    region,
  };
  const docs = buildPlanDocs(
    { document, sections: table.sections, categories: table.categories, tasks: table.tasks },
    checked.units.map(directoryUnit),
    DIRECTORY.groups,
  );
  docs.plan.current = current;
  docs.plan.import = { requestKey, fileID, by, at: new Date() };
  return docs;
}

export const importCheck: LedgerActionDef<'import.check'> = {
  access: 'admin',
  input: object({ fileID: fileIdInput, year: optional(planYearInput) }),
  async run({ fileID, year }, caller): Promise<ImportCheckResult> {
    const checked = await checkFile(fileID, caller);
    const other = otherYearThanTitle(checked.table.yearInFile, year);
    if (other) throw invalid('year', other);
    const docs = planDocsOf(checked, checked.table.yearInFile ?? 2000, '', caller.openid, fileID, '', false);
    return {
      yearInFile: checked.table.yearInFile,
      title: checked.table.title,
      sections: checked.table.sections.length,
      categories: checked.table.categories.length,
      tasks: checked.table.tasks.length,
      units: new Set(docs.assignments.map((a) => a.unitId)).size,
      assignments: docs.assignments.length,
      problems: checked.problems,
    };
  },
};

/** Takes (or renews) the year's import lease for `requestKey`; refuses while another import holds it. */
async function takeLease(pid: string, doc: Omit<ImportDoc, 'leaseUntil' | 'state'>): Promise<void> {
  const now = new Date();
  await inTransaction(async (tx) => {
    const held = await txGet<ImportDoc>(tx, C.imports, pid);
    if (held?.state === 'done') throw conflict(`${doc.year} 年的任务分解表已经导入过，不能重复导入`);
    if (held && held.requestKey !== doc.requestKey && new Date(held.leaseUntil).getTime() > now.getTime()) {
      throw conflict(`另一次 ${doc.year} 年任务分解表的导入正在进行，请稍后再试`);
    }
    await txPut<ImportDoc>(tx, C.imports, { ...doc, state: 'writing', leaseUntil: new Date(now.getTime() + LEASE_MS) });
  });
}

/** Plans newer than `year` stop being current, so `year` is (the current plan is the newest not marked false). */
async function demoteNewer(year: number): Promise<void> {
  await db
    .collection(C.plans)
    .where({ year: _.gt(year), current: _.neq(false) })
    .update({ data: { current: false } });
}

export const importCommit: LedgerActionDef<'import.commit'> = {
  access: 'admin',
  input: object({ fileID: fileIdInput, year: optional(planYearInput), makeCurrent: boolean(), requestId: requestIdInput }),
  async run({ fileID, year: given, makeCurrent, requestId }, caller): Promise<ImportCommitResult> {
    const requestKey = `${caller.openid}:${requestId}`;
    const done = await first<ImportDoc>(db.collection(C.imports).where({ requestKey, state: 'done' }).limit(1));
    if (done?.result) return { ...done.result, duplicate: true };

    // A year given is refused as a duplicate before the file is read; none given, the file says which.
    let checked: Checked | undefined;
    let year = given;
    if (year === undefined) {
      checked = await checkFile(fileID, caller);
      year = importYear(checked, undefined);
    }
    const pid = planId(year);
    const existing = await first<PlanDoc>(db.collection(C.plans).where({ year }).limit(1));
    if (existing && existing.import?.requestKey !== requestKey)
      throw new ApiFailure('CONFLICT', `${year} 年的任务分解表已经存在，不能重复导入`, 'year');

    const lease = { _id: pid, year, fileID, requestKey, makeCurrent, by: caller.openid, at: new Date() };
    let result: NonNullable<ImportDoc['result']>;
    if (existing) {
      // This request wrote the plan and stopped before recording it: finish from what is stored.
      await takeLease(pid, lease);
      const assignments = await total(db.collection(C.assignments).where({ planId: pid }));
      result = { planId: pid, year, tasks: existing.taskCount, assignments, current: existing.current !== false };
    } else {
      checked ??= await checkFile(fileID, caller);
      importYear(checked, given);
      const before = await currentPlan();
      // The first plan of an environment is current whatever was asked: there is no other.
      const current = makeCurrent || before === undefined;
      const docs = planDocsOf(checked, year, before?.region ?? '', caller.openid, fileID, requestKey, current);
      await takeLease(pid, lease);
      // What an interrupted attempt left (no plan document refers to it yet).
      await db.collection(C.tasks).where({ planId: pid }).remove();
      await db.collection(C.assignments).where({ planId: pid }).remove();
      await addMissing(C.tasks, docs.tasks, new Map());
      await addMissing(C.assignments, docs.assignments, new Map());
      if (current) await demoteNewer(year);
      try {
        await db.collection(C.plans).add({ data: docs.plan });
      } catch (err) {
        if (isDuplicateKey(err)) throw new ApiFailure('CONFLICT', `${year} 年的任务分解表已经存在，不能重复导入`, 'year');
        throw err;
      }
      result = { planId: pid, year, tasks: docs.tasks.length, assignments: docs.assignments.length, current };
    }
    return inTransaction(async (tx) => {
      const lease = await txGet<ImportDoc>(tx, C.imports, pid);
      if (lease?.state === 'done' && lease.result) return { ...lease.result, duplicate: true };
      if (!lease) throw notFound('导入记录丢失，请重试');
      await txPut<ImportDoc>(tx, C.imports, { ...lease, state: 'done', result });
      await txAudit(tx, caller.openid, 'import.commit', `plan:${pid}`, {
        year,
        tasks: result.tasks,
        assignments: result.assignments,
        makeCurrent,
        fileID,
      });
      return { ...result, duplicate: false };
    });
  },
};

export const planSetCurrent: LedgerActionDef<'plan.setCurrent'> = {
  access: 'admin',
  input: object({ year: planYearInput }),
  async run({ year }, caller) {
    const plan = await first<PlanDoc>(db.collection(C.plans).where({ year }).limit(1));
    if (!plan) throw new ApiFailure('NOT_FOUND', `没有 ${year} 年的任务分解表`, 'year');
    const before = await currentPlan();
    if (before?._id === plan._id) return { planId: plan._id, year, changed: false };
    // Marked first, then newer years demoted: in between the current plan is one of the two.
    await db
      .collection(C.plans)
      .doc(plan._id)
      .update({ data: { current: true } });
    await demoteNewer(year);
    await audit(caller.openid, 'plan.setCurrent', `plan:${plan._id}`, { year, previous: before?.year ?? null });
    return { planId: plan._id, year, changed: true };
  },
};
