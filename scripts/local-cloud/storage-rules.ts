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
 * string literals, those member paths, and the documented regular
 * expression literal with its `test` method (`/^units\//.test(resource.path)`),
 * whose result the platform requires to be compared with true or false
 * explicitly. Anything else is refused when the rule is loaded, so a rule the
 * emulator cannot judge never silently allows — in particular string
 * functions (`startsWith(…)`) and a bare `test(…)`. A regular expression is a
 * literal: it cannot contain `auth.openid`, so a rule can keep clients inside
 * folders but cannot match a path segment to the caller (the server checks that).
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
  | { t: 're'; re: RegExp; arg: Node }
  | { t: 'bin'; op: '==' | '!=' | '&&' | '||'; l: Node; r: Node };

export class StorageRuleError extends Error {
  override name = 'StorageRuleError';
}

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  // A regular expression literal: `/`, escaped or plain characters (no newline), `/`, flags.
  const re = /\s*(==|!=|&&|\|\||[!().]|'[^'\\]*'|"[^"\\]*"|\/(?:\\.|[^/\\\n])+\/[a-z]*|[A-Za-z_][A-Za-z0-9_]*)/y;
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
    if (tok === '!') {
      const e = primary();
      if (e.t === 're') throw new StorageRuleError(`compare test(…) with false instead of negating it (rule "${src}")`);
      return { t: 'not', e };
    }
    if (tok === 'true' || tok === 'false') return { t: 'lit', v: tok === 'true' };
    if (tok === 'null') return { t: 'lit', v: null };
    if (tok.startsWith("'") || tok.startsWith('"')) return { t: 'lit', v: tok.slice(1, -1) };
    if (tok.startsWith('/')) {
      const end = tok.lastIndexOf('/');
      let regex: RegExp;
      try {
        regex = new RegExp(tok.slice(1, end), tok.slice(end + 1));
      } catch (err) {
        throw new StorageRuleError(`cannot read the regular expression ${tok} in rule "${src}": ${(err as Error).message}`);
      }
      if (regex.global || regex.sticky)
        throw new StorageRuleError(`flags g and y make test() depend on earlier calls: ${tok} in rule "${src}"`);
      take('.');
      const method = take();
      if (method !== 'test') throw new StorageRuleError(`a regular expression is used through test(…), not ${method} (rule "${src}")`);
      take('(');
      const arg = or();
      take(')');
      return { t: 're', re: regex, arg };
    }
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
  const compared = binary(primary, ['==', '!=']);
  // The platform reads test(…) only when it is compared with true or false.
  const cmp = (): Node => {
    const node = compared();
    const isBool = (n: Node) => n.t === 'lit' && typeof n.v === 'boolean';
    if (node.t === 're' || (node.t === 'bin' && ((node.l.t === 're' && !isBool(node.r)) || (node.r.t === 're' && !isBool(node.l))))) {
      throw new StorageRuleError(`compare test(…) with true or false explicitly, as the platform requires (rule "${src}")`);
    }
    return node;
  };
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
    case 're': {
      const arg = evaluate(node.arg, ctx);
      if (typeof arg !== 'string') throw new EvalError('test() of a value that is not a string');
      return node.re.test(arg);
    }
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
