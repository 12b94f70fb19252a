/** 函数: timer triggers (run now, on a simulated day) and the recent calls. */
import type { CallRow, Page, RunTimerResult, TimerRow } from '../types';
import { fill, fmtTime, getJson, h, load, pager, postJson, table } from './dom';

const PAGE = 30;
const SOURCE_LABEL: Record<string, string> = { wx_client: '小程序', wx_trigger: '定时触发', wx_devtools: '开发者工具' };

function runSummary(r: RunTimerResult): HTMLElement {
  const envelope = r.result as { ok?: boolean; code?: string; message?: string } | null;
  const ok = envelope?.ok === true;
  const added = r.outboxAfter - r.outboxBefore;
  return h(
    'div',
    { class: `run-result ${ok ? 'ok' : 'bad'}`, attrs: { role: 'status' } },
    h(
      'div',
      null,
      h('strong', null, `${r.fn}/${r.trigger}`),
      ` 已运行，模拟时间 ${fmtTime(r.time)}（北京时间）`,
      ok ? `，发件箱新增 ${added} 条。` : `，返回 ${envelope?.code ?? '错误'}：${envelope?.message ?? ''}`,
    ),
    h('pre', null, JSON.stringify(r.result, null, 2)),
  );
}

function timerRow(t: TimerRow, out: HTMLElement, refresh: () => void): HTMLElement {
  // Text, not type=date: the browser would show its own locale's format instead of YYYY-MM-DD.
  const date = h('input', {
    class: 'input date',
    attrs: { placeholder: '模拟日期，如 2021-09-27', 'aria-label': '模拟日期', inputmode: 'numeric' },
  });
  const time = h('input', { class: 'input time', attrs: { placeholder: '时间 09:00', 'aria-label': '模拟时间', inputmode: 'numeric' } });
  const run = h('button', { class: 'btn primary', attrs: { type: 'submit' } }, '立即运行');
  const form = h(
    'form',
    {
      class: 'inline-form',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          run.disabled = true;
          fill(out, h('div', { class: 'muted' }, `正在运行 ${t.fn}/${t.trigger}…`));
          postJson<RunTimerResult>('/local/console/run-timer', {
            function: t.fn,
            trigger: t.trigger,
            date: date.value || undefined,
            time: time.value || undefined,
          })
            .then(
              (r) => fill(out, runSummary(r)),
              (err: unknown) => fill(out, h('div', { class: 'error' }, err instanceof Error ? err.message : String(err))),
            )
            .finally(() => {
              run.disabled = false;
              refresh();
            });
        },
      },
    },
    date,
    time,
    run,
  );
  return h(
    'tr',
    { class: 'timer-row', attrs: { 'data-timer': `${t.fn}/${t.trigger}` } },
    h('td', null, h('strong', null, t.fn)),
    h('td', null, t.trigger),
    h('td', { class: 'mono' }, t.cron),
    h('td', { class: 'nowrap' }, fmtTime(t.next)),
    h('td', null, form),
  );
}

function callRow(c: CallRow): HTMLElement {
  return h(
    'tr',
    { class: 'call-row' },
    h('td', { class: 'nowrap' }, fmtTime(c.at)),
    h('td', null, c.fn),
    h('td', { class: 'mono' }, c.action ?? '—'),
    h('td', { class: 'mono' }, c.caller),
    h('td', null, SOURCE_LABEL[c.source] ?? c.source),
    h('td', { class: 'num' }, `${c.ms} ms`),
    h('td', null, h('span', { class: `pill ${c.result === 'ok' ? 'ok' : 'bad'}` }, c.result)),
  );
}

export function functionsPanel(root: HTMLElement): void {
  const timers = h('div');
  const out = h('div', { class: 'run-out' });
  const calls = h('div');
  const showCalls = (offset: number) =>
    load(calls, async () => {
      const page = await getJson<Page<CallRow>>('calls', { offset, limit: PAGE });
      return [
        table(['时间', '云函数', '动作', '调用者', '来源', '耗时', '结果'], page.items.map(callRow), {
          class: 'calls-table',
          empty: '还没有调用',
        }),
        pager(page, (o) => void showCalls(o)),
      ];
    });
  fill(
    root,
    h('h2', null, '定时触发器'),
    h(
      'p',
      { class: 'muted' },
      '按 config.json 中的 cron（北京时间）。「立即运行」像平台一样触发（无 OPENID）；填日期即模拟那天的触发时间，不填时间则取 cron 当天的时刻。',
    ),
    timers,
    out,
    h(
      'div',
      { class: 'section-head' },
      h('h2', null, '最近调用'),
      h('button', { class: 'btn small', on: { click: () => void showCalls(0) } }, '刷新'),
    ),
    h('p', { class: 'muted' }, '只记录云函数、动作、调用者（已打码）、耗时和结果，不记录请求内容。'),
    calls,
  );
  void load(timers, async () => {
    const rows = await getJson<TimerRow[]>('timers');
    return table(
      ['云函数', '触发器', 'cron', '下次触发', '运行'],
      rows.map((t) => timerRow(t, out, () => void showCalls(0))),
      { class: 'timers-table', empty: '没有配置定时触发器' },
    );
  });
  void showCalls(0);
}
