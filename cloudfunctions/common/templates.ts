/**
 * Subscribe-message templates, configured per environment in the
 * function's environment variable SUBSCRIBE_TEMPLATES as JSON. Each kind
 * names a template id (one-time, the default) or `{"id", "kind"}` with
 * kind `one-time` or `long-term` (长期订阅, for accounts in a category
 * such as 政务民生), e.g.
 * {"deadline":{"id":"<id>","kind":"long-term"},"returned":"<id>","urge":"<id>"}.
 * Read at call time so a change in the console applies without a redeploy.
 */
import type { ReminderKind, SubscriptionKind } from '../../miniprogram/shared/api';

export const REMINDER_KINDS: readonly ReminderKind[] = ['deadline', 'returned', 'urge'];

export interface TemplateRef {
  id: string;
  kind: SubscriptionKind;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** One entry of SUBSCRIBE_TEMPLATES: a plain id (one-time) or {id, kind}; undefined when malformed. */
export function templateRef(value: unknown): TemplateRef | undefined {
  if (typeof value === 'string') return ID.test(value) ? { id: value, kind: 'one-time' } : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { id, kind = 'one-time' } = value as { id?: unknown; kind?: unknown };
  if (typeof id !== 'string' || !ID.test(id)) return undefined;
  return kind === 'one-time' || kind === 'long-term' ? { id, kind } : undefined;
}

const reported = new Set<string>();
function reportOnce(message: string): void {
  if (reported.has(message)) return;
  reported.add(message);
  console.error(message);
}

/** The raw SUBSCRIBE_TEMPLATES object ({} when unset or not JSON). */
export function templateConfig(): Record<string, unknown> {
  const raw = process.env.SUBSCRIBE_TEMPLATES;
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    reportOnce('SUBSCRIBE_TEMPLATES is not valid JSON; reminders are off until it is fixed');
    return {};
  }
}

/** The reminder kinds' templates with their subscription kind; a malformed entry is left out (and reported). */
export function templateRefs(): Partial<Record<ReminderKind, TemplateRef>> {
  const parsed = templateConfig();
  const out: Partial<Record<ReminderKind, TemplateRef>> = {};
  for (const kind of REMINDER_KINDS) {
    if (parsed[kind] === undefined) continue;
    const ref = templateRef(parsed[kind]);
    if (ref) out[kind] = ref;
    else reportOnce(`SUBSCRIBE_TEMPLATES.${kind} must be a template id or {"id":"…","kind":"one-time"|"long-term"}; it is not sent`);
  }
  return out;
}

export function templateIds(): Partial<Record<ReminderKind, string>> {
  const refs = templateRefs();
  const out: Partial<Record<ReminderKind, string>> = {};
  for (const kind of REMINDER_KINDS) {
    const ref = refs[kind];
    if (ref) out[kind] = ref.id;
  }
  return out;
}

/** The configured ids in a fixed order (deadline, returned, urge). */
export function configuredTemplates(): string[] {
  const refs = templateRefs();
  return [...new Set(REMINDER_KINDS.map((k) => refs[k]?.id).filter((id): id is string => id !== undefined))];
}

/** The configured templates with their kind, by id (the same id configured twice keeps its first kind). */
export function templateKinds(): Map<string, SubscriptionKind> {
  const refs = templateRefs();
  const out = new Map<string, SubscriptionKind>();
  for (const kind of REMINDER_KINDS) {
    const ref = refs[kind];
    if (ref && !out.has(ref.id)) out.set(ref.id, ref.kind);
  }
  return out;
}
