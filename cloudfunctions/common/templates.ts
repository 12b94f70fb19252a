/**
 * Subscribe-message template ids, configured per environment in the
 * function's environment variable SUBSCRIBE_TEMPLATES as JSON, e.g.
 * {"deadline":"<id>","returned":"<id>","urge":"<id>"}. Read at call time so
 * a change in the console applies without a redeploy.
 */
import type { ReminderKind } from '../../miniprogram/shared/api';

export const REMINDER_KINDS: readonly ReminderKind[] = ['deadline', 'returned', 'urge'];

export function templateIds(): Partial<Record<ReminderKind, string>> {
  const raw = process.env.SUBSCRIBE_TEMPLATES;
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const out: Partial<Record<ReminderKind, string>> = {};
    for (const kind of REMINDER_KINDS) {
      const id = parsed[kind];
      if (typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id)) out[kind] = id;
    }
    return out;
  } catch {
    console.error('SUBSCRIBE_TEMPLATES is not valid JSON; reminders are off until it is fixed');
    return {};
  }
}

/** The configured ids in a fixed order (deadline, returned, urge). */
export function configuredTemplates(): string[] {
  const ids = templateIds();
  return REMINDER_KINDS.map((k) => ids[k]).filter((id): id is string => id !== undefined);
}
