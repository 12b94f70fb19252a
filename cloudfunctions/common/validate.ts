/**
 * A small schema validator for action payloads, run once at the edge.
 *
 * Payloads come from phones and from anyone who can call the function, so
 * every value is checked for type and size, unknown keys are refused, and
 * operator-like keys (`$ne`) or prototype keys never reach the database.
 * Failures name the field with a dotted path.
 */
import { invalid } from './envelope';

export type Validator<T> = (value: unknown, path: string) => T;
type Shape = Record<string, Validator<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const label = (path: string) => path || '参数';

export function object<S extends Shape>(shape: S): Validator<Out<S>> {
  return (value, path) => {
    if (value === undefined || value === null) value = {};
    if (typeof value !== 'object' || Array.isArray(value)) throw invalid(path, `${label(path)} 应为对象`);
    const input = value as Record<string, unknown>;
    for (const key of Object.keys(input)) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key) || key.startsWith('$')) throw invalid(at, `不允许的字段 ${key}`);
      if (!(key in shape)) throw invalid(at, `未知字段 ${key}`);
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
    if (typeof value !== 'string') throw invalid(path, `${label(path)} 应为文字`);
    const v = rule.trim === false ? value : value.trim();
    const min = rule.min ?? 1;
    // Count code points so an emoji is one character, as the user sees it.
    const len = [...v].length;
    if (len < min) throw invalid(path, min === 1 ? `${label(path)} 不能为空` : `${label(path)} 至少 ${min} 个字`);
    if (len > rule.max) throw invalid(path, `${label(path)} 不能超过 ${rule.max} 个字`);
    if (rule.pattern && !rule.pattern.test(v)) throw invalid(path, rule.patternMessage ?? `${label(path)} 格式不正确`);
    return v;
  };
}

export function integer(min: number, max: number): Validator<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(path, `${label(path)} 应为整数`);
    if (value < min || value > max) throw invalid(path, `${label(path)} 应在 ${min} 到 ${max} 之间`);
    return value;
  };
}

export function boolean(): Validator<boolean> {
  return (value, path) => {
    if (typeof value !== 'boolean') throw invalid(path, `${label(path)} 应为是或否`);
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[]): Validator<T> {
  return (value, path) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw invalid(path, `${label(path)} 应为 ${values.join(' / ')} 之一`);
    }
    return value as T;
  };
}

export function array<T>(item: Validator<T>, maxItems: number): Validator<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw invalid(path, `${label(path)} 应为列表`);
    if (value.length > maxItems) throw invalid(path, `${label(path)} 最多 ${maxItems} 项`);
    // A JS caller can hang named keys on an array (even `constructor`, which breaks
    // `map`): only a plain list of items is a list.
    const named = Object.keys(value).find((k) => !/^(0|[1-9]\d*)$/.test(k));
    if (named !== undefined) throw invalid(`${path}.${named}`, `不允许的字段 ${named}`);
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
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid(path, `${label(path)} 应为对象`);
    const entries = Object.entries(input as Record<string, unknown>);
    if (entries.length > rule.maxKeys) throw invalid(path, `${label(path)} 最多 ${rule.maxKeys} 项`);
    const out: Record<string, T> = {};
    for (const [key, v] of entries) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key) || key.startsWith('$') || key.includes('.')) throw invalid(at, `不允许的字段 ${key}`);
      if (rule.key && !rule.key.test(key)) throw invalid(at, rule.keyMessage ?? `${label(at)} 格式不正确`);
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
    if (typeof value !== 'string') throw invalid(path, `${label(path)} 应为文字`);
    // NFKC turns full-width digits, brackets, hyphens and spaces into ASCII ones.
    const v = value.normalize('NFKC').trim();
    if (v === '') throw invalid(path, `${label(path)} 不能为空`);
    if (v.length > 30) throw invalid(path, PHONE_MESSAGE);
    const mobile = MOBILE.exec(v.replace(/[\s\-–—]/g, ''));
    if (mobile) return mobile[1] as string;
    const landline = LANDLINE.exec(v);
    if (landline) return `${landline[1] ?? landline[2]}-${landline[3]}`;
    throw invalid(path, PHONE_MESSAGE);
  };
}
