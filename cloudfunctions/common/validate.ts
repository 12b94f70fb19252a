/**
 * A small schema validator for action payloads, run once at the edge.
 *
 * Payloads come from phones and from anyone who can call the function, so
 * every value is checked for type and size, unknown keys are refused, and
 * operator-like keys (`$ne`) or prototype keys never reach the database.
 * Failures carry the field's machine path (`files[2].name`) in `field` and
 * name it in Chinese in the message, from the label table beside the
 * contract (miniprogram/shared/field-labels.ts): never an English key.
 */
import { fieldLabel } from '../../miniprogram/shared/field-labels';
import { invalid } from './envelope';

export type Validator<T> = (value: unknown, path: string) => T;
type Shape = Record<string, Validator<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The action whose input is being checked, for the labels a key has in it
 * (`name` is 姓名 in contact.bind, 轮次名称 in round.create). Validation is
 * synchronous, so the router can set it around one call without another
 * request's validation running in between.
 */
let labelAction: string | undefined;

/** Runs `check` with `action`'s field labels. */
export function validateFor<T>(action: string, check: () => T): T {
  const outer = labelAction;
  labelAction = action;
  try {
    return check();
  } finally {
    labelAction = outer;
  }
}

/** The field's Chinese name, for messages. */
export const label = (path: string) => fieldLabel(path, labelAction);

/** A value the caller left out, or sent empty. */
const missing = (path: string) => invalid(path, `请填写${label(path)}`);

const NOT_ALLOWED = '请求中含有不允许的内容，请刷新页面后重试';
const UNKNOWN = '请求中含有本系统不认识的内容，请更新小程序或刷新页面后重试';
/** A value of the wrong kind comes from an outdated page or a hand-made request, not from typing. */
const wrongType = (path: string) => `${label(path)}的格式不正确，请刷新页面后重试`;

export function object<S extends Shape>(shape: S): Validator<Out<S>> {
  return (value, path) => {
    if (value === undefined || value === null) value = {};
    if (typeof value !== 'object' || Array.isArray(value)) throw invalid(path, wrongType(path));
    const input = value as Record<string, unknown>;
    for (const key of Object.keys(input)) {
      const at = path ? `${path}.${key}` : key;
      // The key is whatever the caller sent: the message does not repeat it.
      if (FORBIDDEN_KEYS.has(key) || key.startsWith('$')) throw invalid(at, NOT_ALLOWED);
      if (!(key in shape)) throw invalid(at, UNKNOWN);
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const v = check(input[key], path ? `${path}.${key}` : key);
      if (v !== undefined) out[key] = v;
    }
    return out as Out<S>;
  };
}

export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return (value, path) => (value === undefined || value === null ? undefined : inner(value, path));
}

export interface StringRule {
  min?: number;
  max: number;
  pattern?: RegExp;
  patternMessage?: string;
  trim?: boolean;
}

export function string(rule: StringRule): Validator<string> {
  return (value, path) => {
    if (value === undefined || value === null) throw missing(path);
    if (typeof value !== 'string') throw invalid(path, wrongType(path));
    const v = rule.trim === false ? value : value.trim();
    const min = rule.min ?? 1;
    // Count code points so an emoji is one character, as the user sees it.
    const len = [...v].length;
    if (len === 0 && min > 0) throw missing(path);
    if (len < min) throw invalid(path, `${label(path)}至少 ${min} 个字`);
    if (len > rule.max) throw invalid(path, `${label(path)}不能超过 ${rule.max} 个字（现有 ${len} 个字）`);
    if (rule.pattern && !rule.pattern.test(v)) throw invalid(path, rule.patternMessage ?? `${label(path)}的格式不正确`);
    return v;
  };
}

export function integer(min: number, max: number): Validator<number> {
  return (value, path) => {
    if (value === undefined || value === null) throw missing(path);
    if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(path, `${label(path)}应为整数`);
    if (value < min || value > max) throw invalid(path, `${label(path)}应在 ${min} 到 ${max} 之间`);
    return value;
  };
}

export function boolean(): Validator<boolean> {
  return (value, path) => {
    if (value === undefined || value === null) throw missing(path);
    if (typeof value !== 'boolean') throw invalid(path, wrongType(path));
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[]): Validator<T> {
  return (value, path) => {
    if (value === undefined || value === null || value === '') throw missing(path);
    // The values are machine words a page picks for the user: naming them would not help.
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw invalid(path, `请重新选择${label(path)}`);
    return value as T;
  };
}

export function array<T>(item: Validator<T>, maxItems: number): Validator<T[]> {
  return (value, path) => {
    if (value === undefined || value === null) throw missing(path);
    if (!Array.isArray(value)) throw invalid(path, wrongType(path));
    if (value.length > maxItems) throw invalid(path, `${label(path)}最多 ${maxItems} 项`);
    // A JS caller can hang named keys on an array (even `constructor`, which breaks
    // `map`): only a plain list of items is a list.
    const named = Object.keys(value).find((k) => !/^(0|[1-9]\d*)$/.test(k));
    if (named !== undefined) throw invalid(`${path}.${named}`, NOT_ALLOWED);
    const out: T[] = [];
    for (let i = 0; i < value.length; i++) out.push(item(value[i], `${path}[${i}]`));
    return out;
  };
}

/** A reporting round's id, as the office's pages send it back. */
export const roundIdInput = string({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternMessage: '轮次编号格式不正确，请刷新后重试' });
/** A plan's year. */
export const planYearInput = integer(2000, 2100);

/** The empty payload most read actions take. */
export const empty = object({});

export interface RecordRule {
  maxKeys: number;
  /** What every key must look like (e.g. a task number). */
  key?: RegExp;
  keyMessage?: string;
}

/**
 * A map with caller-chosen keys (task number → due day). Keys are refused
 * like object keys (`$…`, prototype keys) and may not hold dots, which the
 * database would read as nested paths. Failures name `path.key`.
 */
export function record<T>(value: Validator<T>, rule: RecordRule): Validator<Record<string, T>> {
  return (input, path) => {
    if (input === undefined || input === null) throw missing(path);
    if (typeof input !== 'object' || Array.isArray(input)) throw invalid(path, wrongType(path));
    const entries = Object.entries(input as Record<string, unknown>);
    if (entries.length > rule.maxKeys) throw invalid(path, `${label(path)}最多 ${rule.maxKeys} 项`);
    const out: Record<string, T> = {};
    for (const [key, v] of entries) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key) || key.startsWith('$') || key.includes('.')) throw invalid(at, NOT_ALLOWED);
      if (rule.key && !rule.key.test(key)) throw invalid(at, rule.keyMessage ?? `${label(path)}的格式不正确`);
      out[key] = value(v, at);
    }
    return out;
  };
}

const MOBILE = /^(?:\+?86)?(1[3-9]\d{9})$/;
// A separator (or brackets) is required: without one, 010 12345678 and 0101 2345678 look alike.
const LANDLINE = /^(?:\((0\d{2,3})\)|(0\d{2,3})\s*[-–—\s])\s*(\d{7,8})$/;
const PHONE_MESSAGE = '电话号码格式不正确：请填写 11 位手机号，或带区号的座机号（如 0537-5212345）';

/**
 * A mainland mobile number (stored as 13812345678) or a landline with its
 * area code (stored as 0537-5212345). Full-width digits, spaces and dashes
 * typed on a phone keyboard are tidied first.
 */
export function phone(): Validator<string> {
  return (value, path) => {
    if (value === undefined || value === null) throw missing(path);
    if (typeof value !== 'string') throw invalid(path, wrongType(path));
    // NFKC turns full-width digits, brackets, hyphens and spaces into ASCII ones.
    const v = value.normalize('NFKC').trim();
    if (v === '') throw missing(path);
    if (v.length > 30) throw invalid(path, PHONE_MESSAGE);
    const mobile = MOBILE.exec(v.replace(/[\s\-–—]/g, ''));
    if (mobile) return mobile[1] as string;
    const landline = LANDLINE.exec(v);
    if (landline) return `${landline[1] ?? landline[2]}-${landline[3]}`;
    throw invalid(path, PHONE_MESSAGE);
  };
}
