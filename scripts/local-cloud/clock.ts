/**
 * The local cloud's one clock. In the cloud a function reads the real time
 * (`new Date()`, `Date.now()`, `db.serverDate()`); locally the clock may be
 * set to another day (`npm start -- --today 2021-09-20`) so the bundled 2021
 * table can be tried on a believable date. The functions stay unchanged:
 * while one of them runs, `Date` in this process reads the shifted time,
 * as the platform's process clock would. Code outside an invocation (the
 * test runner, the mini program pages in tests) keeps the real time.
 */
import { AsyncLocalStorage } from 'async_hooks';
import type { ClockState } from './console/types';

const OFFICE_OFFSET = '+08:00';

interface DateShift {
  real: DateConstructor;
  offset: AsyncLocalStorage<number>;
}

/** One shift per JS realm, even when this module is loaded more than once (jest module registries). */
function shift(): DateShift {
  const key = Symbol.for('zwgk.local-cloud.date-shift');
  const g = globalThis as unknown as Record<symbol, DateShift | undefined>;
  let s = g[key];
  if (!s) {
    const real = Date;
    const offset = new AsyncLocalStorage<number>();
    const shiftedNow = () => real.now() + (offset.getStore() ?? 0);
    const shifted = new Proxy(real, {
      construct: (target, args: unknown[], newTarget) =>
        Reflect.construct(target, args.length === 0 ? [shiftedNow()] : args, newTarget) as object,
      // `Date()` without `new` returns the current time as a string.
      apply: () => new real(shiftedNow()).toString(),
      get: (target, key, receiver) => (key === 'now' ? shiftedNow : Reflect.get(target, key, receiver)),
    });
    globalThis.Date = shifted;
    s = { real, offset };
    g[key] = s;
  }
  return s;
}

/** The real time, whatever the clock or an invocation says. */
export function realNow(): number {
  return shift().real.now();
}

/**
 * Parses `2021-09-20` (that day at 10:00 in UTC+8, after the 09:00 reminder run)
 * or `2021-09-20T10:30[:00]` (UTC+8 unless a zone is given). Returns undefined when malformed.
 */
export function parseToday(text: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(text.trim());
  if (!m) return undefined;
  const time = m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '10:00:00';
  const at = new (shift().real)(`${m[1]}T${time}${m[3] ?? OFFICE_OFFSET}`);
  if (Number.isNaN(at.getTime())) return undefined;
  // Reject dates JS silently rolls over (2021-02-30).
  const day = new (shift().real)(at.getTime() + (m[3] ? 0 : 8 * 3600_000)).toISOString().slice(0, 10);
  return m[3] || day === m[1] ? at : undefined;
}

export type { ClockState };

export class LocalClock {
  private offsetMs = 0;
  private readonly listeners: (() => void)[] = [];

  constructor() {
    shift();
  }

  /** Now, as the functions see it. */
  now(): Date {
    return new (shift().real)(realNow() + this.offsetMs);
  }

  /** Sets the clock to `at`; it keeps running from there. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - realNow();
    for (const l of this.listeners) l();
  }

  /** Back to the real time. */
  reset(): void {
    this.offsetMs = 0;
    for (const l of this.listeners) l();
  }

  state(): ClockState {
    return { now: this.now().toISOString(), set: this.offsetMs !== 0, offsetMs: this.offsetMs };
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Runs one invocation on this clock: everything it awaits reads the shifted `Date`. */
  run<T>(fn: () => T): T {
    return shift().offset.run(this.offsetMs, fn);
  }

  /** "2021-09-20 10:30（北京时间）", for banners. */
  label(): string {
    const local = new (shift().real)(this.now().getTime() + 8 * 3600_000).toISOString();
    return `${local.slice(0, 10)} ${local.slice(11, 16)}（北京时间）`;
  }
}
