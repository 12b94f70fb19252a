/**
 * The console's only way to put anything on the page: elements built with
 * text nodes and attributes, never HTML strings, so stored user text can
 * never become markup. Plus the JSON fetch helpers and formatting.
 */
import type { Page } from '../types';

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  title?: string;
  /** Plain attributes (set with setAttribute, so values are never parsed as markup). */
  attrs?: Record<string, string | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  if (props?.title) el.title = props.title;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) if (value !== undefined) el.setAttribute(name, value);
  for (const [type, fn] of Object.entries(props?.on ?? {})) el.addEventListener(type, fn as EventListener);
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces the content of `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export class ApiError extends Error {}

async function answer<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => null)) as { errMsg?: string } | null;
  if (!res.ok) throw new ApiError(body?.errMsg ?? `HTTP ${res.status}`);
  return body as T;
}

export async function getJson<T>(view: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const query = q.toString();
  return answer<T>(await fetch(`/local/console/${view}${query ? `?${query}` : ''}`));
}

export async function postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  return answer<T>(
    await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Office time (UTC+8), whatever the browser's zone: the functions reason in it too. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const d = new Date(t.getTime() + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function fmtSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A cell's short text for any stored value; stored times in office time. */
export function brief(value: unknown, max = 48): string {
  const text =
    value === null || value === undefined
      ? '—'
      : typeof value === 'string'
        ? ISO_TIME.test(value)
          ? fmtTime(value)
          : value
        : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function table(head: string[], rows: Node[], opts: { class?: string; empty?: string } = {}): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: opts.class },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          head.map((t) => h('th', null, t)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.length ? rows : h('tr', null, h('td', { class: 'empty', attrs: { colspan: String(head.length) } }, opts.empty ?? '暂无数据')),
      ),
    ),
  );
}

/** "第 1–20 条，共 44 条" with previous/next buttons. */
export function pager<T>(page: Page<T>, go: (offset: number) => void): HTMLElement {
  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = page.offset + page.items.length;
  const prev = h('button', { class: 'btn small', on: { click: () => go(Math.max(0, page.offset - page.limit)) } }, '上一页');
  const next = h('button', { class: 'btn small', on: { click: () => page.next !== null && go(page.next) } }, '下一页');
  prev.disabled = page.offset === 0;
  next.disabled = page.next === null;
  return h('div', { class: 'pager' }, h('span', { class: 'pager-text' }, `第 ${from}–${to} 条，共 ${page.total} 条`), prev, next);
}

export function errorBox(err: unknown): HTMLElement {
  return h('div', { class: 'error', attrs: { role: 'alert' } }, err instanceof Error ? err.message : String(err));
}

/** Shows "加载中…" in `el`, then what `render` returns, or the error. */
export async function load(el: Element, render: () => Promise<Child>): Promise<void> {
  fill(el, h('div', { class: 'muted' }, '加载中…'));
  try {
    fill(el, await render());
  } catch (err) {
    fill(el, errorBox(err));
  }
}
