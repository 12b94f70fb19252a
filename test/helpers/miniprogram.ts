/**
 * The one place that owns the mini program globals in page tests.
 *
 * miniprogram-simulate has no wx.cloud: ours hands each callFunction to the
 * real cloud function running in-process on a TestCloud, as the person set
 * with `actAs`. Must be imported before miniprogram-simulate, whose own
 * `wx` merges under these stubs.
 */
import path from 'path';
import type { TestCloud } from './local-cloud';

export const MINIPROGRAM = path.resolve(__dirname, '..', '..', 'miniprogram');

interface WxStubState {
  openid: string | undefined;
  cloud: TestCloud | undefined;
  navigations: string[];
  toasts: string[];
  storage: Map<string, unknown>;
}

export const wxState: WxStubState = { openid: undefined, cloud: undefined, navigations: [], toasts: [], storage: new Map() };

export function useCloud(cloud: TestCloud, openid: string): void {
  wxState.cloud = cloud;
  wxState.openid = openid;
  wxState.navigations = [];
  wxState.toasts = [];
}

export const actAs = (openid: string) => {
  wxState.openid = openid;
};

const g = global as unknown as { wx: Record<string, unknown> };
g.wx = {
  ...(g.wx ?? {}),
  // Release builds always use wx.cloud; that is the path under test.
  getAccountInfoSync: () => ({ miniProgram: { appId: 'wx0000000000local', envVersion: 'release', version: '1.0.0' } }),
  cloud: {
    init: () => undefined,
    callFunction: async ({ name, data }: { name: string; data: unknown }) => {
      if (!wxState.cloud) throw new Error('no TestCloud: call useCloud() in the test');
      const result = await wxState.cloud.cloud.invoke(name, data, { openid: wxState.openid });
      return { result, errMsg: 'cloud.callFunction:ok', requestID: 'test' };
    },
  },
  navigateTo: ({ url }: { url: string }) => {
    wxState.navigations.push(url);
    return Promise.resolve({ errMsg: 'navigateTo:ok' });
  },
  stopPullDownRefresh: () => undefined,
  showToast: ({ title }: { title: string }) => {
    wxState.toasts.push(title);
  },
  getStorageSync: (key: string) => wxState.storage.get(key) ?? '',
  setStorageSync: (key: string, value: unknown) => {
    wxState.storage.set(key, value);
  },
  removeStorageSync: (key: string) => {
    wxState.storage.delete(key);
  },
};

/** The part of miniprogram-simulate we use, typed here: its own d.ts drags the
 * mini program's global `require` into the Node test program. */
export interface SimNode {
  dom?: HTMLLikeElement;
  data: Record<string, unknown>;
  instance: unknown;
  attach(parent: unknown): void;
  querySelector(selector: string): SimNode | undefined;
  querySelectorAll(selector: string): SimNode[];
  dispatchEvent(event: string, detail?: unknown): void;
}
interface HTMLLikeElement {
  textContent: string | null;
  className: string;
}
interface Simulate {
  load(path: string, options: { compiler: 'simulate' | 'official'; rootPath: string }): string;
  render(id: string, properties?: Record<string, unknown>): SimNode;
  sleep(ms: number): Promise<void>;
}

// Loaded after the stubs so its own `wx` merges beneath them.
export const simulate = require('miniprogram-simulate') as Simulate;
const jsdomDocument = (globalThis as unknown as { document: { createElement(tag: string): unknown } }).document;

export interface RenderedPage {
  root: SimNode;
  /** The page's visible text with whitespace collapsed. */
  text(): string;
  data(): Record<string, unknown>;
}

/** Loads a page Component, attaches it and runs onLoad as the framework would. */
export async function openPage(page: string, query: Record<string, string> = {}): Promise<RenderedPage> {
  let id = '';
  // simulate registers a Component when its module first runs; a fresh module
  // registry lets one test file open the same page more than once.
  jest.isolateModules(() => {
    id = simulate.load(path.join(MINIPROGRAM, page), { compiler: 'simulate', rootPath: MINIPROGRAM });
  });
  const root = simulate.render(id);
  root.attach(jsdomDocument.createElement('parent-wrapper'));
  const instance = root.instance as unknown as { onLoad?: (q: Record<string, string>) => void };
  instance.onLoad?.(query);
  return {
    root,
    text: () => (root.dom?.textContent ?? '').replace(/\s+/g, ' ').trim(),
    data: () => root.data,
  };
}

/** Waits until `check` passes (the page's calls are real and asynchronous). */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await simulate.sleep(10);
  }
}
