/**
 * Small helpers shared by the office page tests (the wx stubs themselves
 * live in test/helpers/miniprogram.ts).
 */
import type { TestCloud } from '../helpers/local-cloud';
import { openPage, until, useCloud, wxState, type RenderedPage } from '../helpers/miniprogram';

export const OFFICE = 'office/pages';

/** Texts of every element matching `selector`, whitespace collapsed. */
export const texts = (page: RenderedPage, selector: string): string[] =>
  page.root.querySelectorAll(selector).map((n) => (n.dom?.textContent ?? '').replace(/\s+/g, ' ').trim());

/** Opens an office page as `openid` and waits for its first load to finish. */
export async function openOffice(t: TestCloud, openid: string, page: string, query: Record<string, string> = {}): Promise<RenderedPage> {
  useCloud(t, openid);
  const p = await openPage(`${OFFICE}/${page}/index`, query);
  await until(() => p.data().phase !== 'loading', `${page} to load`);
  return p;
}

/** Opens a page without resetting the stubs (keeps what the test queued or recorded). */
export async function reopen(page: string, query: Record<string, string> = {}): Promise<RenderedPage> {
  const p = await openPage(`${OFFICE}/${page}/index`, query);
  await until(() => p.data().phase !== 'loading', `${page} to load`);
  return p;
}

/** The overview's count boxes as the person reads them: label → number. */
export function stats(page: RenderedPage): Record<string, number> {
  // Built-in elements have no light-DOM query: read values and labels from the root, in order.
  const values = texts(page, '.stat-value');
  const labels = texts(page, '.stat-label');
  return Object.fromEntries(labels.map((label, i) => [label, Number(values[i])]));
}

/** Every element the page renders (the platform's WXML node limit is 1000). */
export const nodeCount = (page: RenderedPage): number =>
  (page.root.dom as unknown as { querySelectorAll(s: string): { length: number } }).querySelectorAll('*').length;

/** The query of the last navigateTo, e.g. reportId of a drill-down. */
export function lastNavigation(): { path: string; query: Record<string, string> } {
  const url = wxState.navigations[wxState.navigations.length - 1] ?? '';
  const [p = '', q = ''] = url.split('?');
  const query: Record<string, string> = {};
  for (const pair of q.split('&').filter(Boolean)) {
    const [k = '', v = ''] = pair.split('=');
    query[k] = decodeURIComponent(v);
  }
  return { path: p, query };
}
