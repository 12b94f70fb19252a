/**
 * The local console in the browser: five tabs over the local cloud's JSON
 * (/local/console/…), routed by the URL hash (#data/plan/2021, #storage, …)
 * so a reload or a shared link opens the same view.
 */
import type { OverviewView } from '../types';
import { accountPanel } from './account';
import { clockControl } from './clock';
import { dataPanel } from './data';
import { fill, getJson, h } from './dom';
import { functionsPanel } from './functions';
import { messagesPanel } from './messages';
import { storagePanel } from './storage';

const TABS: { id: string; label: string; show: (root: HTMLElement, sub: string[]) => void }[] = [
  { id: 'data', label: '数据', show: dataPanel },
  { id: 'storage', label: '存储', show: storagePanel },
  { id: 'messages', label: '消息', show: messagesPanel },
  { id: 'functions', label: '函数', show: functionsPanel },
  { id: 'account', label: '账号', show: accountPanel },
];

function route(nav: HTMLElement, main: HTMLElement): void {
  const [id, ...sub] = decodeURIComponent(location.hash.replace(/^#/, '')).split('/');
  const tab = TABS.find((t) => t.id === id) ?? TABS[0];
  if (!tab) return;
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.tab === tab.id);
  document.title = `${tab.label} · 本地云控制台`;
  tab.show(main, sub);
}

function start(): void {
  const nav = h(
    'nav',
    { class: 'tabs', attrs: { 'aria-label': '控制台' } },
    TABS.map((t) => h('a', { class: 'tab', attrs: { href: `#${t.id}`, 'data-tab': t.id } }, t.label)),
  );
  const env = h('span', { class: 'env' });
  const clock = h('span', { class: 'clock-slot' });
  const main = h('main', { class: 'content' });
  fill(
    document.body,
    h('header', { class: 'top' }, h('div', { class: 'brand' }, h('span', { class: 'logo' }, '政'), '本地云控制台'), nav, env, clock),
    main,
  );
  getJson<OverviewView>('overview').then(
    (o) => {
      env.textContent = `环境 ${o.envId} · ${o.functions.length} 个云函数 · ${o.collections.length} 个集合`;
      fill(clock, clockControl(o.clock));
    },
    () => (env.textContent = '本地云未响应'),
  );
  window.addEventListener('hashchange', () => route(nav, main));
  route(nav, main);
}

start();
