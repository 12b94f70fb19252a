/**
 * 云开发 storage security rules, as the platform documents them: a JSON object
 * whose `read` / `write` values are a boolean or an expression string over
 * `auth` (null when the caller is not signed in; `auth.openid`, `auth.uid`)
 * and `resource` (the file: `resource.openid` is its owner, `resource.path`
 * its path in the bucket without a leading slash). The rule covers
 * the whole bucket; `write` covers create, overwrite and delete. A missing
 * key means false. Server SDK calls are not subject to rules.
 *
 * The local cloud evaluates the subset of the expression language a rule
 * needs: `==`, `!=`, `&&`, `||`, `!`, parentheses, true / false / null,
 * string literals and those member paths. Anything else is refused when the
 * rule is loaded, so a rule the emulator cannot judge never silently allows —
 * in particular string functions and regular expressions (`startsWith(…)`,
 * `/…/.test(…)`): the documented language has none, so a folder cannot be
 * matched by prefix in a rule (see storage.rules.md).
 */
import fs from 'fs';

export type StorageOperation = 'read' | 'write';

export interface RuleContext {
  /** null when the request carries no signed-in user. */
  auth: { openid: string } | null;
  /** The file read or written; for a new file, the file as it will be (owned by the uploader). */
  resource: { openid?: string; path?: string };
}

export type CompiledRule = Record<StorageOperation, (ctx: RuleContext) => boolean>;

/**
 * What a bucket without a custom rule does: the basic permission every new
 * environment starts with, 所有用户可读，仅创建者可读写 — anyone signed in
 * reads, only a file's creator writes it.
 */
export const PLATFORM_DEFAULT_RULE = { read: true, write: 'resource.openid == auth.openid' } as const;

const KNOWN_PATHS = new Set(['auth', 'auth.openid', 'auth.uid', 'resource', 'resource.openid', 'resource.path']);

type Node =
  | { t: 'lit'; v: boolean | string | null }
  | { t: 'path'; p: string[] }
  | { t: 'not'; e: Node }
  | { t: 'bin'; op: '==' | '!=' | '&&' | '||'; l: Node; r: Node };

export class StorageRuleError extends Error {
  override name = 'StorageRuleError';
}

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(==|!=|&&|\|\||[!().]|'[^'\\]*'|"[^"\\]*"|[A-Za-z_][A-Za-z0-9_]*)/y;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) throw new StorageRuleError(`cannot read "${src.slice(at).trim()}" in rule expression "${src}"`);
    tokens.push(m[1] as string);
    at = re.lastIndex;
  }
  return tokens;
}

function parse(src: string): Node {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const tok = tokens[i++];
    if (tok === undefined || (expected !== undefined && tok !== expected)) {
      throw new StorageRuleError(`expected ${expected ?? 'more'} in rule expression "${src}"`);
    }
    return tok;
  };
  const binary = (next: () => Node, ops: readonly string[]) => (): Node => {
    let left = next();
    while (ops.includes(peek() ?? '')) {
      const op = take() as '==' | '!=' | '&&' | '||';
      left = { t: 'bin', op, l: left, r: next() };
    }
    return left;
  };
  const primary = (): Node => {
    const tok = take();
    if (tok === '(') {
      const e = or();
      take(')');
      return e;
    }
    if (tok === '!') return { t: 'not', e: primary() };
    if (tok === 'true' || tok === 'false') return { t: 'lit', v: tok === 'true' };
    if (tok === 'null') return { t: 'lit', v: null };
    if (tok.startsWith("'") || tok.startsWith('"')) return { t: 'lit', v: tok.slice(1, -1) };
    if (/^[A-Za-z_]/.test(tok)) {
      const p = [tok];
      while (peek() === '.') {
        take('.');
        p.push(take());
      }
      if (peek() === '(')
        throw new StorageRuleError(`function calls such as "${p.join('.')}(…)" are not part of the storage rule language (rule "${src}")`);
      if (!KNOWN_PATHS.has(p.join('.')))
        throw new StorageRuleError(`"${p.join('.')}" is not something the local cloud can evaluate (rule "${src}")`);
      return { t: 'path', p };
    }
    throw new StorageRuleError(`unexpected "${tok}" in rule expression "${src}"`);
  };
  const cmp = binary(primary, ['==', '!=']);
  const and = binary(cmp, ['&&']);
  const or = binary(and, ['||']);
  const tree = or();
  if (i !== tokens.length) throw new StorageRuleError(`unexpected "${tokens[i]}" in rule expression "${src}"`);
  return tree;
}

/** Raised while evaluating: member access on null, as on the platform, denies. */
class EvalError extends Error {}

function evaluate(node: Node, ctx: RuleContext): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'path': {
      let v: unknown = ctx[node.p[0] as keyof RuleContext];
      for (const key of node.p.slice(1)) {
        if (v === null || v === undefined) throw new EvalError(`${node.p.join('.')} of null`);
        // `uid` is the non-WeChat login's name for the same identity.
        v = (v as Record<string, unknown>)[key === 'uid' ? 'openid' : key];
      }
      return v ?? null;
    }
    case 'not':
      return evaluate(node.e, ctx) !== true;
    case 'bin': {
      if (node.op === '&&') return evaluate(node.l, ctx) === true && evaluate(node.r, ctx) === true;
      if (node.op === '||') return evaluate(node.l, ctx) === true || evaluate(node.r, ctx) === true;
      const l = evaluate(node.l, ctx);
      const r = evaluate(node.r, ctx);
      // A missing owner equals nothing: a file the server wrote is no client's.
      const equal = l === r && !(node.l.t === 'path' && node.r.t === 'path' && l === null);
      return node.op === '==' ? equal : !equal;
    }
  }
}

/** Compiles a rule object; throws StorageRuleError on any key or expression it cannot evaluate. */
export function compileStorageRule(rule: unknown): CompiledRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new StorageRuleError('a storage rule is a JSON object');
  for (const key of Object.keys(rule)) {
    if (key !== 'read' && key !== 'write') throw new StorageRuleError(`unknown operation "${key}" (only read and write exist)`);
  }
  const one = (value: unknown, op: StorageOperation): ((ctx: RuleContext) => boolean) => {
    if (value === undefined || value === false) return () => false;
    if (value === true) return () => true;
    if (typeof value !== 'string') throw new StorageRuleError(`"${op}" must be true, false or an expression string`);
    const tree = parse(value);
    return (ctx) => {
      try {
        return evaluate(tree, ctx) === true;
      } catch (err) {
        if (err instanceof EvalError) return false;
        throw err;
      }
    };
  };
  const r = rule as Record<string, unknown>;
  return { read: one(r.read, 'read'), write: one(r.write, 'write') };
}

/** Reads and compiles a rule file; `null` means no custom rule: the platform default applies. */
export function loadStorageRule(file: string | null): CompiledRule {
  if (file === null) return compileStorageRule(PLATFORM_DEFAULT_RULE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StorageRuleError(`cannot read the storage rule ${file}: ${(err as Error).message}`);
  }
  return compileStorageRule(parsed);
}
