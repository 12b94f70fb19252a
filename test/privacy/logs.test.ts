/**
 * No personal data in logs. A whole journey runs over the local cloud's HTTP
 * bridge — binding, approval and refusal, uploads, a report, the office's
 * review, 催办, reminder runs, then the ledger function: the 工作台账
 * export, the evidence archive, the import template checked back in, a
 * table with problems, refused ledger calls — with failures on purpose
 * (database and storage errors, WeChat refusing a message, a run left
 * half-done, a file that cannot be stored or read), so the error paths log
 * too. Everything the functions and the local cloud write
 * to the console, stdout and stderr meanwhile is captured and searched.
 *
 * Personal data here means: people's names, phone numbers (also as bare
 * digits), what a report says (text, the 退回 note, the 催办 text with its
 * names), evidence file names, an ID-card number typed into a report, and
 * full openids. An openid may appear masked (`o-lo***0001`), as the local
 * cloud's call log and the notifier write it; unit names, task numbers,
 * action names and error codes are not personal.
 */
import { TEMPLATES, okData, startTestCloud, type TestCloud } from '../helpers/local-cloud';
import { Client, picture } from '../../scripts/load';
import { uploadPrefix, type ApiResult } from '../../miniprogram/shared/api';
import { importPrefix, type LedgerActionName, type LedgerResponse } from '../../miniprogram/shared/ledger-api';
import { stillClock, subscribe } from '../reminder/helpers';
import { ADMIN } from '../helpers/local-cloud';
import { fetchFile, xlsxOf } from '../helpers/ledger';
import { addDays, officeDay } from '../../cloudfunctions/common/domain/dates';

const A = { openid: 'o-privacy-log-zhang', unitId: 'xiangcheng-zhen', name: '张晓梅', phone: '13905370001' };
const B = { openid: 'o-privacy-log-li-01', unitId: 'ssfj', name: '李建国', phone: '0537-5219876' };
const C = { openid: 'o-privacy-log-wang1', unitId: 'ssfj', name: '王某某', phone: '13700009999' };
const OFFICER = { openid: 'o-privacy-log-office', name: '赵科长' };
const ID_NUMBER = '370883199001011234';
const TEXT = `走访困难群众${A.name}（身份证 ${ID_NUMBER}，电话 ${A.phone}），已在专栏公开救助政策。`;
const NOTE = `请删除${C.name}的身份证号后重新报送`;
const FILES = {
  photo: `${A.name}入户走访照片.jpg`,
  doc: `${B.name}家庭情况说明.pdf`,
  table: `${OFFICER.name}整理的任务分解表.xlsx`,
  badTable: `${OFFICER.name}改过的任务分解表.xlsx`,
};
/** A table with problems: a person where a unit belongs, personal data in a requirement. */
const BAD_TABLE = [
  ['邹城市2031年政务公开工作任务分解表'],
  ['大项', '小项', '序号', '任务要求', '责任单位'],
  ['一、深化重点领域政府信息公开', '(一)立足实施重大战略推进政务公开', 1, `联系${B.name}（${B.phone}）公开规划`, C.name],
];

/**
 * The journey's days, in the office's calendar: the round fell due yesterday, the timer runs at
 * noon today, tomorrow and the day after. Taken from the office's day (not the UTC date) and
 * from noon (not the current instant), so which reminders are due does not depend on the hour
 * the suite runs at, nor on how long it takes.
 */
const TODAY = officeDay(new Date());
const noon = (days: number) => new Date(`${addDays(TODAY, days)}T12:00:00+08:00`).toISOString();

let t: TestCloud;
const captured: string[] = [];
/** What the ledger calls of the journey answered, by step. */
const ledger: Record<string, ApiResult<unknown>> = {};
const ledgerOk = <A extends LedgerActionName>(step: string, _action: A) => okData(ledger[step] as ApiResult<LedgerResponse<A>>);

/** Everything written to the console, stdout and stderr while `fn` runs (still shown afterwards). */
async function capture(fn: () => Promise<void>): Promise<void> {
  const restore: (() => void)[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(' ')));
    restore.push(() => spy.mockRestore());
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  try {
    await fn();
  } finally {
    for (const r of restore) r();
  }
}

beforeAll(async () => {
  t = startTestCloud({ env: { REMINDER_LEASE_MS: '1' } });
  await t.seed();
  const api = new Client(await t.origin());
  const must = api.must.bind(api);
  await capture(async () => {
    // Binding: two approved, one refused with a note; an officer added.
    for (const p of [A, B, C]) await must(p.openid, 'contact.bind', { unitId: p.unitId, name: p.name, phone: p.phone });
    await must(ADMIN, 'contact.approve', { openid: A.openid });
    await must(ADMIN, 'contact.approve', { openid: B.openid });
    await must(ADMIN, 'contact.reject', { openid: C.openid, note: `${C.name}不是本单位人员` });
    await must(OFFICER.openid, 'me.get', {});
    await must(ADMIN, 'admin.add', { openid: OFFICER.openid, name: OFFICER.name });
    for (const p of [A, B]) await subscribe(t, p.openid, 'returned', 2);
    await subscribe(t, A.openid, 'deadline', 2);
    await subscribe(t, B.openid, 'urge', 2);

    const round = await must(ADMIN, 'round.create', {
      name: '第三季度',
      dueDate: addDays(TODAY, -1),
      scope: [24],
    });
    const photo = picture(3000);
    const doc = Buffer.from('%PDF-1.4 家庭情况说明');
    const photoId = await api.upload(A.openid, `${uploadPrefix(A.unitId, A.openid)}2021/q3/ab12-1.jpg`, photo);
    const docId = await api.upload(A.openid, `${uploadPrefix(A.unitId, A.openid)}2021/q3/cd34-file.pdf`, doc);
    const input = {
      assignmentId: `plan-2021-t24-${A.unitId}`,
      roundId: round.id,
      text: TEXT,
      progress: 'ongoing' as const,
      images: [{ fileID: photoId, name: FILES.photo, size: photo.length }],
      files: [{ fileID: docId, name: FILES.doc, size: doc.length }],
      links: [{ url: 'https://www.zoucheng.gov.cn/zwgk/1.html', title: `${A.name}的公开链接` }],
      secrecyConfirmed: true,
      requestId: 'privacy-log-submit-1',
    };
    // A database error and a storage error in the middle of the submit; then it goes through.
    t.cloud.db.failNext({ action: 'database.commitTransaction' });
    await api.api(A.openid, 'report.submit', input);
    t.cloud.storage.failNext('downloadFile');
    await api.api(A.openid, 'report.submit', input);
    const { report } = await must(A.openid, 'report.submit', input);

    // The office reads it while storage fails, returns it while the notification's database write fails.
    t.cloud.storage.failNext('getTempFileURL');
    await must(OFFICER.openid, 'report.get', { reportId: report.id });
    t.cloud.db.failNext({ action: 'database.getDocument', collection: 'reminders' });
    await must(OFFICER.openid, 'review.decide', { reportId: report.id, decision: 'return', note: NOTE });
    // The 催办 goes out at once within the api's few-second budget; with the clock still, however busy the machine
    // (the 47003 below must meet the deferred 退回 notification, not a 催办 left to the timer).
    const still = stillClock();
    try {
      await must(OFFICER.openid, 'urge.send', { roundId: round.id, requestId: 'privacy-log-urge-1' });
    } finally {
      still.restore();
    }
    await must(A.openid, 'task.detail', { taskId: 'plan-2021-t24' });

    // Reminder runs: WeChat refuses one message, one run dies half-way (its claims time out).
    t.cloud.openapi.failNext(47003);
    await t.cloud.runTrigger('reminder', 'remind', { Time: noon(0) });
    t.cloud.db.failNext({ action: 'database.modifyDocument', collection: 'reminders' });
    await t.cloud.runTrigger('reminder', 'remind', { Time: noon(1) });
    // Its claims' 1 ms lease (real time, as the platform keeps it) must be over: a wait, not a race.
    await new Promise((r) => setTimeout(r, 10));
    await t.cloud.runTrigger('reminder', 'remind', { Time: noon(2) });
    // A contact leaves; someone calls with a bad payload.
    await must(B.openid, 'contact.leave', {});
    await api.api(A.openid, 'report.submit', { ...input, requestId: 'x', text: `${TEXT}${'。'.repeat(2000)}` });

    // The office's ledger: an export storage refuses to keep, then one that goes through; the round's
    // evidence archive with one file unreadable.
    const office = t.ledger(OFFICER.openid);
    t.cloud.storage.failNext('uploadFile');
    ledger.exportFailed = await office('ledger.export', { year: 2021 });
    ledger.export = await office('ledger.export', { year: 2021 });
    t.cloud.storage.failNext('downloadFile');
    ledger.archive = await office('ledger.archive', { year: 2021, roundId: round.id });
    // The import template checked back in; a table with problems; the upload unreadable for a moment.
    const template = okData(await office('ledger.template', { year: 2021 }));
    const table = await api.upload(OFFICER.openid, `${importPrefix(OFFICER.openid)}${FILES.table}`, await fetchFile(template));
    ledger.check = await office('import.check', { fileID: table });
    const bad = await api.upload(OFFICER.openid, `${importPrefix(OFFICER.openid)}${FILES.badTable}`, await xlsxOf(BAD_TABLE));
    ledger.badCheck = await office('import.check', { fileID: bad });
    ledger.badCommit = await office('import.commit', { fileID: bad, year: 2031, makeCurrent: false, requestId: 'privacy-import-1' });
    t.cloud.storage.failNext('downloadFile');
    ledger.unreadable = await office('import.check', { fileID: table });
    // Refused: a contact asks for the ledger, the office for someone else's upload.
    ledger.contact = await t.ledger(A.openid)('ledger.export', { year: 2021 });
    const foreign = await api.upload(B.openid, `${importPrefix(B.openid)}${FILES.table}`, await xlsxOf(BAD_TABLE));
    ledger.foreign = await office('import.check', { fileID: foreign });
  });
  // A safety net only: the journey takes seconds alone, far longer on a machine running the whole suite.
}, 300_000);
afterAll(() => t.close());

test('the journey ran its error paths and they logged (the capture works)', () => {
  const text = captured.join('\n');
  expect(text).toContain('[api] internal error');
  expect(text).toContain('[report.get] getTempFileURL failed');
  expect(text).toContain('[notify] returned notification deferred to the timer');
  expect(text).toMatch(/\[notify\] \w+ to o-pr\*\*\*[\w-]{4} failed: 47003/);
  expect(text).toContain('left in flight by an interrupted run are now unconfirmed');
  // The journey itself went through: the 催办 and the deadline reminders reached people.
  const sent = t.cloud.openapi.outbox({ limit: 1000 }).filter((e) => e.result.errCode === 0);
  expect(sent.map((e) => e.templateId)).toEqual(expect.arrayContaining([TEMPLATES.urge, TEMPLATES.deadline]));
});

test('the ledger calls ran their paths: files written, problems found, refusals given', () => {
  expect(captured.join('\n')).toContain('[ledger] upload of ledger/2021/');
  expect(ledger.exportFailed).toMatchObject({ ok: false, code: 'INTERNAL' });
  expect(ledgerOk('export', 'ledger.export').rows).toBeGreaterThan(0);
  expect(ledgerOk('archive', 'ledger.archive')).toMatchObject({ files: 1, missing: 1 });
  expect(ledgerOk('check', 'import.check')).toMatchObject({ tasks: 44, problems: [] });
  // The problems name what the table holds: the answer carries it, the log must not.
  const problems = ledgerOk('badCheck', 'import.check').problems;
  expect(problems).toEqual([expect.objectContaining({ row: 3, column: 'E', message: expect.stringContaining(C.name) })]);
  expect(ledger.badCommit).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'fileID' });
  expect(ledger.unreadable).toMatchObject({ ok: false, code: 'INTERNAL' });
  expect(ledger.contact).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  expect(ledger.foreign).toMatchObject({ ok: false, code: 'FORBIDDEN', field: 'fileID' });
});

const PERSONAL: Record<string, string[]> = {
  names: [A.name, B.name, C.name, OFFICER.name],
  phones: [A.phone, B.phone, C.phone, B.phone.replace(/\D/g, '')],
  'report text and notes': [TEXT.slice(0, 12), NOTE, `${C.name}不是本单位人员`, ID_NUMBER, String(BAD_TABLE[2]?.[3])],
  'file names': Object.values(FILES),
  openids: [A.openid, B.openid, C.openid, OFFICER.openid, ADMIN],
};

test.each(Object.entries(PERSONAL))('nothing logged holds %s', (_kind, values) => {
  const leaks = captured.flatMap((line) => values.filter((v) => line.includes(v)).map((v) => `${v} in: ${line.slice(0, 200)}`));
  expect(leaks).toEqual([]);
});
