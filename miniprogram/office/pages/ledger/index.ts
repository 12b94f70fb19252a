/**
 * 台账与导入: the year-end files for the 考核 assessors and next year's table.
 *
 * - 工作台账 (.xlsx) and 佐证材料包 (.zip) of a year or one round: the
 *   function builds them in cloud storage; the phone opens the xlsx in
 *   WeChat's reader and copies a link for the PC (a zip cannot be opened
 *   on a phone).
 * - 导入任务分解表: download the template, fill it on the PC, send it to
 *   oneself in WeChat, pick it here; a dry run lists every problem by row
 *   and column, and only a clean file can be imported — once, even when the
 *   tap is retried after a lost answer. The year is read from the table's
 *   title; another year is refused (here before asking, and by the function).
 */
import type { PlanSummary, RoundView } from '../../../shared/api';
import type { ImportCheckResult, ImportProblem, LedgerFileView } from '../../shared/ledger-api';
import { IMPORT_MAX_BYTES, yearMismatchText } from '../../shared/ledger-api';
import { ApiCallError, call, errorText } from '../../../services/call';
import { fileSizeText, formatTime } from '../../../utils/format';
import { newRequestId } from '../../../utils/ids';
import { listRounds } from '../../services/office';
import { recheckBeforeExport } from '../../services/links';
import {
  archiveEvidence,
  checkImport,
  commitImport,
  exportLedger,
  fetchTemplate,
  setCurrentPlan,
  uploadImportFile,
} from '../../services/ledger';
import { EvidenceError, openEvidenceFile } from '../../services/evidence';
import { confirmDialog, copyText, toast } from '../../utils/ui';
import { FORBIDDEN_TEXT, loadFailure, roundLabel, type LoadPhase } from '../../utils/view';
import { officePage } from '../../utils/office-page';

/** Problems shown at once; a badly broken file can have hundreds. */
export const PROBLEMS_SHOWN = 50;

type Job = 'export' | 'archive' | 'template' | 'blank';

export interface FileRow {
  key: string;
  kind: string;
  name: string;
  detail: string;
  /** Only spreadsheets open on a phone. */
  canOpen: boolean;
}
interface CheckData {
  fileName: string;
  summary: string;
  problems: string[];
  moreProblems: number;
  ok: boolean;
  /** The year the table's title names, null when it names none. */
  titleYear: number | null;
}
type ImportStep = 'idle' | 'uploading' | 'checking' | 'checked' | 'committing';
interface LedgerData {
  phase: LoadPhase;
  error: string;
  yearNames: string[];
  yearIndex: number;
  scopeNames: string[];
  scopeIndex: number;
  /** Said when the picked year is not the one contacts see; '' otherwise. */
  otherYear: string;
  selectedYear: number;
  switching: boolean;
  busy: Job | '';
  busyText: string;
  jobError: string;
  files: FileRow[];
  importStep: ImportStep;
  importError: string;
  check: CheckData | null;
  importYear: string;
  /** Where the year shown came from, said under the field. */
  importYearTip: string;
  /** A refusal of the year (format, an existing year, not the title's), shown at the field. */
  yearError: string;
  makeCurrent: boolean;
  imported: string;
}
interface LedgerPrivate {
  openid: string;
  plans: PlanSummary[];
  rounds: RoundView[];
  made: Map<string, LedgerFileView>;
  importFileID: string;
  /** One id per import attempt: kept across retries of the same file. */
  requestId: string;
}

/** "第12行 E列（责任单位）：……；相近的单位：市司法局、市审计局" */
export function problemText(p: ImportProblem): string {
  const where = p.row > 0 ? `第${p.row}行${p.column ? ` ${p.column}列` : ''}${p.header ? `（${p.header}）` : ''}：` : '';
  const hint = p.suggestions?.length ? `；相近的单位：${p.suggestions.join('、')}` : '';
  return `${where}${p.message}${hint}`;
}

export function checkData(fileName: string, c: ImportCheckResult): CheckData {
  const shown = c.problems.slice(0, PROBLEMS_SHOWN).map(problemText);
  const counts = `${c.sections} 个大项、${c.categories} 个小项、${c.tasks} 项任务，涉及 ${c.units} 个单位、${c.assignments} 条单位任务`;
  return {
    fileName,
    summary: c.problems.length
      ? `发现 ${c.problems.length} 处问题，请在电脑上改好后重新选择文件。已读到：${counts}。`
      : `检查通过：${counts}。`,
    problems: shown,
    moreProblems: c.problems.length - shown.length,
    ok: c.problems.length === 0,
    titleYear: c.yearInFile,
  };
}

/** The year to offer: the one the file names, else the year after the latest plan. */
export function suggestedYear(c: ImportCheckResult, plans: readonly PlanSummary[]): number {
  if (c.yearInFile) return c.yearInFile;
  return plans.reduce((max, p) => Math.max(max, p.year), new Date().getFullYear() - 1) + 1;
}

/** Said under the year: where it came from, so nobody retypes what the file says. */
export function yearTip(c: ImportCheckResult): string {
  return c.yearInFile
    ? `取自表格标题“${c.title}”。要导入为其他年度，请先修改表格标题中的年度。`
    : '表格标题中没有写明年度，已按最近年度的下一年填写，请核对。';
}

export function fileRow(key: string, kind: string, f: LedgerFileView, extra: string, now: Date = new Date()): FileRow {
  return {
    key,
    kind,
    name: f.name,
    detail: [fileSizeText(f.size), extra, `链接 ${formatTime(f.expiresAt, now)} 前有效`].filter(Boolean).join(' · '),
    canOpen: /\.xlsx$/i.test(f.name),
  };
}

const JOB_BUSY: Record<Job, string> = {
  export: '正在生成工作台账…',
  archive: '正在打包佐证材料…',
  template: '正在生成模板…',
  blank: '正在生成模板…',
};

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    yearNames: [],
    yearIndex: 0,
    scopeNames: [],
    scopeIndex: 0,
    otherYear: '',
    selectedYear: 0,
    switching: false,
    busy: '',
    busyText: '',
    jobError: '',
    files: [],
    importStep: 'idle',
    importError: '',
    check: null,
    importYear: '',
    importYearTip: '',
    yearError: '',
    makeCurrent: true,
    imported: '',
  } as LedgerData,

  methods: {
    own(): LedgerPrivate {
      return this as unknown as LedgerPrivate;
    },
    view(): LedgerData {
      return this.data as LedgerData;
    },

    onLoad() {
      const own = this.own();
      own.openid = '';
      own.plans = [];
      own.rounds = [];
      own.made = new Map();
      own.importFileID = '';
      own.requestId = '';
      void this.load();
    },

    async load() {
      const own = this.own();
      this.setData({ phase: 'loading', error: '' });
      try {
        const [me, plans] = await Promise.all([call('me.get'), call('plan.list')]);
        // The function refuses non-admins anyway; say so before anyone picks a file.
        if (!me.isAdmin) {
          this.setData({ phase: 'forbidden', error: FORBIDDEN_TEXT });
          return;
        }
        own.openid = me.openid;
        own.plans = [...plans].sort((a, b) => b.year - a.year);
        const current = own.plans.findIndex((p) => p.current);
        this.setData({
          phase: 'ready',
          yearNames: own.plans.map((p) => `${p.year}年${p.current ? '（当前）' : ''}`),
          yearIndex: Math.max(0, current),
        });
        await this.showYear();
      } catch (err) {
        this.setData(loadFailure(err));
      }
    },

    async showYear() {
      const own = this.own();
      const plan = own.plans[this.view().yearIndex];
      own.rounds = plan ? await listRounds(plan.id) : [];
      const now = new Date();
      const current = own.plans.find((p) => p.current);
      this.setData({
        scopeNames: ['全年（所有轮次）', ...own.rounds.map((r) => roundLabel(r, now))],
        scopeIndex: 0,
        selectedYear: plan?.year ?? 0,
        otherYear:
          plan && !plan.current
            ? `联络员现在看到的是${current ? `${current.year}年` : '当前年度'}的任务。${plan.year}年的任务表导入后尚未启用。`
            : '',
      });
    },

    async onPickYear(e: WechatMiniprogram.PickerChange) {
      this.setData({ yearIndex: Number(e.detail.value), jobError: '' });
      try {
        await this.showYear();
      } catch (err) {
        this.setData({ jobError: errorText(err) });
      }
    },

    async onSetCurrent() {
      const plan = this.own().plans[this.view().yearIndex];
      if (!plan || plan.current || this.view().switching) return;
      const ok = await confirmDialog(
        `启用${plan.year}年任务表`,
        `设为当前年度后，联络员看到的是${plan.year}年的任务，报送轮次也在${plan.year}年下新建。往年的台账仍可导出。`,
        '启用',
      );
      if (!ok) return;
      this.setData({ switching: true, jobError: '' });
      try {
        await setCurrentPlan(plan.year);
        this.setData({ switching: false });
        toast(`已切换到${plan.year}年`);
        await this.load();
      } catch (err) {
        this.setData({ switching: false, jobError: errorText(err) });
      }
    },

    onPickScope(e: WechatMiniprogram.PickerChange) {
      this.setData({ scopeIndex: Number(e.detail.value), jobError: '' });
    },

    scope(): { year?: number; roundId?: string; label: string } {
      const own = this.own();
      const d = this.view();
      const plan = own.plans[d.yearIndex];
      const round = d.scopeIndex > 0 ? own.rounds[d.scopeIndex - 1] : undefined;
      return {
        ...(plan ? { year: plan.year } : {}),
        ...(round ? { roundId: round.id } : {}),
        label: `${plan ? `${plan.year}年` : ''}${round ? round.name : '全年'}`,
      };
    },

    async run(job: Job) {
      if (this.view().busy) return;
      this.setData({ busy: job, busyText: JOB_BUSY[job], jobError: '' });
      try {
        const { label, ...scope } = this.scope();
        let row: FileRow;
        let file: LedgerFileView;
        if (job === 'export') {
          // The ledger says, for each evidence link, whether it still opens: check them first.
          this.setData({ busyText: '正在复查证明材料中的链接…' });
          await recheckBeforeExport(scope, (left) => this.setData({ busyText: `正在复查链接，还有 ${left} 份报送…` }));
          this.setData({ busyText: JOB_BUSY.export });
          const res = await exportLedger(scope);
          file = res;
          row = fileRow(`export:${label}`, `工作台账 · ${label}`, res, `${res.tasks} 项任务 ${res.rows} 行`);
        } else if (job === 'archive') {
          const res = await archiveEvidence(scope);
          file = res;
          const missing = res.missing ? `${res.missing} 个文件缺失（见包内索引）` : '';
          row = fileRow(`archive:${label}`, `佐证材料包 · ${label}`, res, [`${res.files} 个文件`, missing].filter(Boolean).join('，'));
        } else {
          const year = job === 'template' ? scope.year : undefined;
          file = await fetchTemplate(year);
          row = fileRow(`template:${year ?? 'blank'}`, year ? `导入模板 · 以${year}年任务表为底稿` : '导入模板 · 空白', file, '');
        }
        this.own().made.set(row.key, file);
        // Newest first; generating the same thing again replaces its row.
        this.setData({ busy: '', files: [row, ...this.view().files.filter((f) => f.key !== row.key)] });
      } catch (err) {
        this.setData({ busy: '', jobError: errorText(err) });
      }
    },

    onExport() {
      void this.run('export');
    },
    onArchive() {
      void this.run('archive');
    },
    onTemplate() {
      void this.run('template');
    },
    onBlankTemplate() {
      void this.run('blank');
    },

    async onOpenFile(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { key: string }>) {
      const file = this.own().made.get(e.currentTarget.dataset.key);
      if (!file) return;
      try {
        await openEvidenceFile({ fileID: file.fileID, name: file.name, url: file.url });
      } catch (err) {
        toast(err instanceof EvidenceError ? err.message : '无法打开，请复制链接在电脑上下载');
      }
    },

    async onCopyLink(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { key: string }>) {
      const file = this.own().made.get(e.currentTarget.dataset.key);
      if (file && (await copyText(file.url))) toast('已复制下载链接，请在电脑浏览器中打开');
    },

    // ---- import ------------------------------------------------------------------------

    onPickImport() {
      const step = this.view().importStep;
      if (step === 'uploading' || step === 'checking' || step === 'committing') return;
      wx.chooseMessageFile({
        count: 1,
        type: 'file',
        extension: ['xlsx'],
        success: (res) => {
          const file = res.tempFiles[0];
          if (file) void this.checkFile(file.path, file.name, file.size);
        },
        // Cancelling the picker is not an error.
        fail: () => undefined,
      });
    },

    async checkFile(path: string, name: string, size: number) {
      const own = this.own();
      own.importFileID = '';
      own.requestId = '';
      this.setData({ importError: '', yearError: '', imported: '', check: null });
      if (!/\.xlsx$/i.test(name)) {
        this.setData({ importError: '请选择 .xlsx 格式的任务分解表（可先用「下载模板」得到格式）。' });
        return;
      }
      if (size > IMPORT_MAX_BYTES) {
        this.setData({ importError: `文件超过 ${fileSizeText(IMPORT_MAX_BYTES)}，不像是任务分解表，请检查。` });
        return;
      }
      this.setData({ importStep: 'uploading' });
      try {
        const fileID = await uploadImportFile(own.openid, path, name);
        this.setData({ importStep: 'checking' });
        const result = await checkImport(fileID);
        own.importFileID = fileID;
        this.setData({
          importStep: 'checked',
          check: checkData(name, result),
          importYear: String(suggestedYear(result, own.plans)),
          importYearTip: yearTip(result),
          makeCurrent: true,
        });
      } catch (err) {
        this.setData({ importStep: 'idle', importError: errorText(err) });
      }
    },

    onImportYear(e: WechatMiniprogram.Input) {
      // A different year is a different import.
      this.own().requestId = '';
      this.setData({ importYear: e.detail.value.trim(), importError: '', yearError: '' });
    },

    onToggleCurrent() {
      this.own().requestId = '';
      this.setData({ makeCurrent: !this.view().makeCurrent });
    },

    async onCommit() {
      const own = this.own();
      const d = this.view();
      if (d.importStep !== 'checked' || !d.check?.ok || !own.importFileID) return;
      const year = Number(d.importYear);
      if (!/^\d{4}$/.test(d.importYear) || year < 2000 || year > 2100) {
        this.setData({ yearError: '请填写四位年份，如 2022。' });
        return;
      }
      // Said before the confirmation, in the function's own words: it refuses the same.
      if (d.check.titleYear !== null && year !== d.check.titleYear) {
        this.setData({ yearError: yearMismatchText(d.check.titleYear, year) });
        return;
      }
      if (own.plans.some((p) => p.year === year)) {
        this.setData({ yearError: `${year}年的任务表已经存在，不能重复导入。` });
        return;
      }
      const current = d.makeCurrent
        ? `导入后联络员将看到${year}年的任务，${own.plans.find((p) => p.current)?.year ?? ''}年的台账仍可导出。`
        : '导入后暂不启用，联络员仍看到当前年度的任务。';
      if (!(await confirmDialog(`导入${year}年任务分解表`, `${d.check.summary}${current}`, '导入'))) return;
      if (!own.requestId) own.requestId = newRequestId();
      this.setData({ importStep: 'committing', importError: '', yearError: '' });
      try {
        const res = await commitImport({ fileID: own.importFileID, year, makeCurrent: d.makeCurrent, requestId: own.requestId });
        own.requestId = '';
        own.importFileID = '';
        this.setData({
          importStep: 'idle',
          check: null,
          imported: `已导入${res.year}年任务分解表：${res.tasks} 项任务，${res.assignments} 条单位任务${res.current ? '，已设为当前年度' : ''}。`,
        });
        await this.load();
      } catch (err) {
        const retryable = err instanceof ApiCallError && (err.code === 'NETWORK' || err.code === 'INTERNAL');
        // The id is kept on a lost answer: tapping again is the same import, not a second plan.
        if (!retryable) own.requestId = '';
        // A refusal of the year (CONFLICT names it too) is shown at the year.
        const atYear = err instanceof ApiCallError && err.field === 'year';
        this.setData({
          importStep: 'checked',
          yearError: atYear ? errorText(err) : '',
          importError: atYear ? '' : retryable ? `${errorText(err)}。可以再点一次，不会重复导入。` : errorText(err),
        });
      }
    },
  },
});
