/**
 * Reminder settings from the functions' environment variables (set in the
 * 云开发 console; read at call time so a change applies without a redeploy).
 * Bad values are reported once per process and replaced by defaults: a
 * typo must not silence every reminder.
 *
 *   SUBSCRIBE_TEMPLATES   {"deadline":"<id>","returned":"<id>","urge":"<id>","digest":"<id>"?}; any entry may be
 *                         {"id":"<id>","kind":"long-term"} (长期订阅; a plain id is one-time)
 *   SUBSCRIBE_KEYWORDS    {"deadline":{"thing1":"task","time2":"due","thing3":"tip"}, …}
 *   REMINDER_SCHEDULE     {"before":[7,3,1],"onDueDay":true,"afterEvery":2,"afterTimes":3,"skipWeekends":false,"lookbackDays":7}
 *   REMINDER_BUDGET_MS    time a timer run may spend before it stops (default 45000 of the 60 s timeout)
 *   REMINDER_CONCURRENCY  sends in flight at once (default 50: a province's day, 10,200 messages, in one run)
 *   REMINDER_LEASE_MS     how long a send claimed by a run counts as in flight (default 70000, longer than any run)
 *   REMINDER_MINIPROGRAM_STATE  developer | trial | formal (default formal): which version a message opens
 */
import { parseKeywordMaps, type KeywordMap, type NotifyKind } from './domain/message-fields';
import { parseSchedule, type ReminderSchedule } from './domain/reminders';
import type { SubscriptionKind } from '../../miniprogram/shared/api';
import { templateConfig, templateRef, templateRefs, type TemplateRef } from './templates';

export interface ReminderSettings {
  /** Template id per notification kind; a kind without one is not sent. The digest falls back to the urge template. */
  templates: Partial<Record<NotifyKind, string>>;
  /** Subscription kind of each kind's template: one-time spends the ledger, long-term holds until turned off. */
  kinds: Partial<Record<NotifyKind, SubscriptionKind>>;
  /** Keyword map of the template each kind is sent with. */
  keywords: Record<NotifyKind, KeywordMap>;
  schedule: ReminderSchedule;
  budgetMs: number;
  concurrency: number;
  leaseMs: number;
  miniprogramState: 'developer' | 'trial' | 'formal';
}

/**
 * The timer fires at 09:00 and every 3 minutes until 09:27 (config.json); each run sends what the
 * earlier ones left. At 50 sends in flight and ~100 ms per send one run sends a province's day
 * (10,200 messages) and the morning's runs 50,000 before 09:30 (`npm run bench` measures both).
 * A run stops starting sends at 45 s: the last chunk's results and the digest still fit the 60 s
 * timeout (a run killed mid-chunk would leave those sends unconfirmed).
 */
export const REMINDER_DEFAULTS = { budgetMs: 45_000, concurrency: 50, leaseMs: 70_000 } as const;

const reported = new Set<string>();
function report(problems: readonly string[]): void {
  for (const p of problems) {
    if (reported.has(p)) continue;
    reported.add(p);
    // Configuration text only: no personal data can be in it.
    console.error(`[reminder config] ${p}`);
  }
}

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  report([`${name} must be an integer ${min}–${max}; using ${fallback}`]);
  return fallback;
}

/** The digest's own template, if SUBSCRIBE_TEMPLATES names one (it is not offered to contacts). */
function digestTemplate(): TemplateRef | undefined {
  return templateRef(templateConfig().digest);
}

export function reminderSettings(): ReminderSettings {
  const refs = templateRefs();
  const { maps, problems: keywordProblems } = parseKeywordMaps(process.env.SUBSCRIBE_KEYWORDS);
  const { schedule, problems: scheduleProblems } = parseSchedule(process.env.REMINDER_SCHEDULE);
  report([...keywordProblems, ...scheduleProblems]);
  const ownDigest = digestTemplate();
  const templates: Partial<Record<NotifyKind, string>> = {};
  const kinds: Partial<Record<NotifyKind, SubscriptionKind>> = {};
  for (const [kind, ref] of Object.entries(refs) as [NotifyKind, TemplateRef][]) {
    templates[kind] = ref.id;
    kinds[kind] = ref.kind;
  }
  const keywords = { ...maps };
  if (ownDigest) {
    templates.digest = ownDigest.id;
    kinds.digest = ownDigest.kind;
  } else if (refs.urge) {
    // No digest template: the office gets the digest on the 催办 template, which admins subscribe to anyway.
    templates.digest = refs.urge.id;
    kinds.digest = refs.urge.kind;
    keywords.digest = maps.urge;
  }
  const state = process.env.REMINDER_MINIPROGRAM_STATE;
  const miniprogramState = state === 'developer' || state === 'trial' || state === 'formal' ? state : 'formal';
  if (state !== undefined && state !== miniprogramState) report(['REMINDER_MINIPROGRAM_STATE must be developer, trial or formal']);
  return {
    templates,
    kinds,
    keywords,
    schedule,
    budgetMs: intEnv('REMINDER_BUDGET_MS', REMINDER_DEFAULTS.budgetMs, 0, 600_000),
    concurrency: intEnv('REMINDER_CONCURRENCY', REMINDER_DEFAULTS.concurrency, 1, 50),
    leaseMs: intEnv('REMINDER_LEASE_MS', REMINDER_DEFAULTS.leaseMs, 0, 3_600_000),
    miniprogramState,
  };
}
