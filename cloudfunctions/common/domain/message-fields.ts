/**
 * Subscribe-message content: what each notification says, as template
 * `data`, within WeChat's keyword rules (thing ≤ 20 characters, name ≤ 10
 * Chinese characters, phrase ≤ 5 Chinese characters only, character_string
 * ≤ 32 ASCII, time/date formatted, no newlines anywhere).
 *
 * Each notification first produces the same set of *fields* (task, due,
 * tip, …); a per-template keyword map from configuration says which field
 * goes into which keyword (`thing1: task`). The keyword's type is read from
 * its name, as WeChat names them (`thing1`, `time2`, `phrase3`), so the same
 * field is formatted for whatever keyword it lands in.
 */
import dayjs from 'dayjs';
import type { ReminderKind } from '../../../miniprogram/shared/api';
import { daysLeft, OFFICE_TZ } from './dates';

/** Who the office is in messages. */
export const OFFICE_LABEL = '市政府办公室';

export type NotifyKind = ReminderKind | 'digest';
export const NOTIFY_KINDS: readonly NotifyKind[] = ['deadline', 'returned', 'urge', 'digest'];

export const KEYWORD_TYPES = ['thing', 'name', 'phrase', 'time', 'date', 'character_string', 'number'] as const;
export type KeywordType = (typeof KEYWORD_TYPES)[number];

export const FIELD_NAMES = ['task', 'what', 'due', 'at', 'tip', 'note', 'from', 'unit', 'round', 'status', 'count'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** Template keyword (`thing1`) → the field it shows. */
export type KeywordMap = Record<string, FieldName>;

export const DEFAULT_KEYWORDS: Record<NotifyKind, KeywordMap> = {
  deadline: { thing1: 'task', time2: 'due', thing3: 'tip' },
  returned: { thing1: 'task', thing2: 'note', time3: 'at' },
  urge: { thing1: 'what', time2: 'due', thing3: 'from' },
  // Used with a dedicated digest template; without one the digest goes out on the urge template and its map.
  digest: { thing1: 'what', time2: 'due', thing3: 'from' },
};

const KEYWORD = new RegExp(`^(${KEYWORD_TYPES.join('|')})(\\d{1,2})$`);

/** The type WeChat gives a keyword named like `thing1`; undefined for types we never fill. */
export function keywordType(keyword: string): KeywordType | undefined {
  const m = KEYWORD.exec(keyword);
  return m ? (m[1] as KeywordType) : undefined;
}

/**
 * Reads SUBSCRIBE_KEYWORDS (JSON `{deadline: {thing1: "task", …}, …}`); a kind
 * left out, or given a bad map, keeps its default map.
 */
export function parseKeywordMaps(raw: string | undefined): { maps: Record<NotifyKind, KeywordMap>; problems: string[] } {
  const maps: Record<NotifyKind, KeywordMap> = { ...DEFAULT_KEYWORDS };
  const problems: string[] = [];
  if (raw === undefined || raw.trim() === '') return { maps, problems };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { maps, problems: ['SUBSCRIBE_KEYWORDS is not valid JSON; using the default keyword maps'] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { maps, problems: ['SUBSCRIBE_KEYWORDS must be a JSON object; using the default keyword maps'] };
  }
  for (const [kind, map] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(NOTIFY_KINDS as readonly string[]).includes(kind)) {
      problems.push(`SUBSCRIBE_KEYWORDS.${kind} is not a notification kind`);
      continue;
    }
    const bad = checkMap(map);
    if (bad) problems.push(`SUBSCRIBE_KEYWORDS.${kind}: ${bad}; using the default map`);
    else maps[kind as NotifyKind] = map as KeywordMap;
  }
  return { maps, problems };
}

function checkMap(map: unknown): string | undefined {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return 'must be an object';
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 5) return 'must name 1–5 keywords';
  for (const [keyword, field] of entries) {
    if (!keywordType(keyword)) return `${keyword} is not a supported keyword (${KEYWORD_TYPES.join(', ')} followed by a number)`;
    if (typeof field !== 'string' || !(FIELD_NAMES as readonly string[]).includes(field)) {
      return `${keyword}: ${String(field)} is not a field (${FIELD_NAMES.join(', ')})`;
    }
  }
  return undefined;
}

// ---- values ---------------------------------------------------------------------------

/**
 * One field, with the forms a keyword type may need: `text` always; `at`
 * or `day` for time and date keywords; `phrase` (≤ 5 Chinese characters) for
 * phrase keywords; `ascii` for character_string; `number` for number.
 */
export interface FieldValue {
  text: string;
  phrase?: string;
  at?: Date;
  /** `YYYY-MM-DD`, "by the end of that day". */
  day?: string;
  ascii?: string;
  number?: number;
}
export type Fields = Record<FieldName, FieldValue>;

const LIMIT = { thing: 20, name: 10, nameLatin: 20, phrase: 5, ascii: 32 };
const HAN = /\p{Script=Han}/u;

/** One line: newlines, tabs and runs of spaces (also full-width) become one space. */
export function oneLine(text: string): string {
  return text
    .replace(/\p{Cc}/gu, ' ')
    .replace(/[\s\u3000]+/g, ' ')
    .trim();
}

/** At most `max` characters (code points); a cut ends in … and never in a dangling comma or space. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars
    .slice(0, max - 1)
    .join('')
    .replace(/[\s,，、;；:：.。!！?？(（《“"'‘-]+$/u, '');
  return `${head}…`;
}

/** The first clause of a requirement: the table's sentences run long, the first one names the task. */
export function gist(text: string): string {
  const line = oneLine(text);
  const m = /^(.+?)[。；;，,]/u.exec(line);
  return m && [...(m[1] ?? '')].length >= 4 ? (m[1] ?? line) : line;
}

// Time-zone formatting is slow and a run formats the same few instants thousands of times.
const memo = new Map<string, string | number>();
function remember<T extends string | number>(key: string, compute: () => T): T {
  const hit = memo.get(key);
  if (hit !== undefined) return hit as T;
  if (memo.size > 1000) memo.clear();
  const value = compute();
  memo.set(key, value);
  return value;
}

function timeText(at: Date): string {
  return remember(`t${at.getTime()}`, () => dayjs(at).tz(OFFICE_TZ).format('YYYY年M月D日 HH:mm'));
}
const leftUntil = (due: string, now: Date) => remember(`d${due}|${now.getTime()}`, () => daysLeft(due, now));
function dateText(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Formats one field for one keyword type; every result passes WeChat's rule for that type. */
export function formatValue(type: KeywordType, v: FieldValue, now: Date): string {
  const text = oneLine(v.text);
  switch (type) {
    case 'thing':
      return clip(text, LIMIT.thing) || '无';
    case 'name': {
      const kept = text.replace(/[^\p{Script=Han}A-Za-z·•. -]/gu, '').trim();
      if (!kept) return OFFICE_LABEL;
      const chars = [...kept];
      if (HAN.test(kept)) {
        // Chinese organisation names put the parent region first (济宁市…分局): keep the distinctive tail.
        return chars.length <= LIMIT.name ? kept : chars.slice(-LIMIT.name).join('').trim();
      }
      return chars.slice(0, LIMIT.nameLatin).join('').trim();
    }
    case 'phrase': {
      const source = v.phrase ?? text;
      const han = [...source].filter((c) => HAN.test(c)).slice(0, LIMIT.phrase);
      return han.length ? han.join('') : '提醒';
    }
    case 'time':
      if (v.at) return timeText(v.at);
      // "By the end of the day": the last minute of the due day.
      if (v.day) return `${dateText(v.day)} 23:59`;
      return timeText(now);
    case 'date':
      if (v.day) return dateText(v.day);
      return dateText(
        dayjs(v.at ?? now)
          .tz(OFFICE_TZ)
          .format('YYYY-MM-DD'),
      );
    case 'character_string': {
      const ascii = (v.ascii ?? text).replace(/[^\x21-\x7e]/g, '');
      return ascii.slice(0, LIMIT.ascii) || '-';
    }
    case 'number': {
      const n = v.number ?? Number((/\d+/.exec(text) ?? ['0'])[0]);
      return String(Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0);
    }
  }
}

/** The `data` of subscribeMessage.send for a keyword map. */
export function renderData(map: KeywordMap, fields: Fields, now: Date): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const [keyword, field] of Object.entries(map)) {
    const type = keywordType(keyword);
    if (type) data[keyword] = { value: formatValue(type, fields[field], now) };
  }
  return data;
}

// ---- the notifications ----------------------------------------------------------------

export interface TaskRef {
  taskNo: number;
  requirement: string;
  status?: 'not_started' | 'returned' | 'overdue';
}

/** "第20项 重要政策文件起草部门要…" for one task. */
export function taskLabel(t: TaskRef): string {
  return `第${t.taskNo}项 ${gist(t.requirement)}`;
}

/** One task by its text; several by their numbers, as many as fit: "第3、5、12项", "第3、5项等12项任务". */
export function tasksLabel(tasks: readonly TaskRef[], max = LIMIT.thing): string {
  if (tasks.length === 1 && tasks[0]) return clip(taskLabel(tasks[0]), max);
  const nos = [...new Set(tasks.map((t) => t.taskNo))].sort((a, b) => a - b);
  const all = `第${nos.join('、')}项`;
  if ([...all].length <= max) return all;
  for (let k = nos.length - 1; k >= 1; k--) {
    const some = `第${nos.slice(0, k).join('、')}项等${nos.length}项任务`;
    if ([...some].length <= max) return some;
  }
  return `${nos.length}项任务`;
}

/** `2021-09-27T09:05+08:00`: ASCII, for character_string keywords. */
const isoMinute = (d: Date) => remember(`i${d.getTime()}`, () => dayjs(d).tz(OFFICE_TZ).format('YYYY-MM-DDTHH:mmZ'));
const due = (day: string): FieldValue => ({ text: dateText(day), day, ascii: day });
const at = (d: Date): FieldValue => ({ text: timeText(d), at: d, ascii: isoMinute(d) });
const count = (n: number, unit = '项'): FieldValue => ({ text: `${n}${unit}`, number: n, ascii: String(n) });
const plain = (text: string, phrase?: string): FieldValue => (phrase ? { text, phrase } : { text });

function deadlineTip(left: number): { tip: string; status: string } {
  if (left > 0) return { tip: `还有${left}天截止，请及时报送`, status: '即将到期' };
  if (left === 0) return { tip: '今天截止，请及时报送', status: '今日到期' };
  return { tip: `已逾期${-left}天，请尽快报送`, status: '已逾期' };
}

/** Deadline approaching or passed: one unit's tasks of a round that share a due day. */
export function deadlineFields(input: { tasks: readonly TaskRef[]; due: string; roundName: string; unitName: string; now: Date }): Fields {
  const { tip, status } = deadlineTip(leftUntil(input.due, input.now));
  const task = tasksLabel(input.tasks);
  return {
    task: plain(task),
    what: plain(input.tasks.length === 1 ? task : `${input.roundName}：${input.tasks.length}项任务待报送`),
    due: due(input.due),
    at: at(input.now),
    tip: plain(tip, status),
    note: plain(tip, status),
    from: plain(OFFICE_LABEL),
    unit: plain(input.unitName),
    round: plain(input.roundName),
    status: plain(status, status),
    count: count(input.tasks.length),
  };
}

/** A report was returned (退回): the task, the gist of the note, when. */
export function returnedFields(input: {
  task: TaskRef;
  note: string;
  at: Date;
  due: string | null;
  roundName: string;
  unitName: string;
  now: Date;
}): Fields {
  const note = oneLine(input.note) || '请查看退回意见';
  const tip = '请按退回意见修改后重新报送';
  return {
    task: plain(clip(taskLabel(input.task), LIMIT.thing)),
    what: plain(`第${input.task.taskNo}项报送被退回`),
    due: input.due ? due(input.due) : at(input.at),
    at: at(input.at),
    tip: plain(tip, '已退回'),
    note: plain(note, '已退回'),
    from: plain(OFFICE_LABEL),
    unit: plain(input.unitName),
    round: plain(input.roundName),
    status: plain('已退回', '已退回'),
    count: count(1),
  };
}

/** 催办 from the office: the round, how much is still owed, by when. */
export function urgeFields(input: {
  tasks: readonly (TaskRef & { due: string })[];
  roundName: string;
  unitName: string;
  note?: string;
  at: Date;
  now: Date;
}): Fields {
  const n = input.tasks.length;
  const overdue = input.tasks.filter((t) => t.status === 'overdue').length;
  const earliest = [...input.tasks].map((t) => t.due).sort()[0];
  const tip = overdue > 0 ? `其中${overdue}项已逾期，请尽快报送` : '请尽快登录小程序报送';
  return {
    task: plain(tasksLabel(input.tasks)),
    what: plain(`${input.roundName}有${n}项任务待报送`),
    due: earliest ? due(earliest) : at(input.at),
    at: at(input.at),
    tip: plain(tip, '催办'),
    note: plain(input.note && oneLine(input.note) ? oneLine(input.note) : tip, '催办'),
    from: plain(OFFICE_LABEL),
    unit: plain(input.unitName),
    round: plain(input.roundName),
    status: plain('催办', '催办'),
    count: count(n),
  };
}

/** To the office: today's reminders that reached nobody in some units. */
export function digestFields(input: { units: number; firstUnit: string; now: Date }): Fields {
  const what = `${input.units}个单位提醒未送达`;
  const tip = '请在小程序查看并转发群消息';
  return {
    task: plain(what),
    what: plain(what),
    due: at(input.now),
    at: at(input.now),
    tip: plain(tip, '待处理'),
    note: plain(tip, '待处理'),
    from: plain('每日提醒汇总'),
    unit: plain(input.units > 1 ? `${input.firstUnit}等${input.units}个单位` : input.firstUnit),
    round: plain('每日提醒汇总'),
    status: plain('待处理', '待处理'),
    count: count(input.units, '个'),
  };
}
