/** 消息: what would have reached people's WeChat (the outbox), the reminder function's own log, and who holds which subscription. */
import { SEND_FAULTS, type OutboxRow, type Page, type ReminderRow, type SubscriptionRow } from '../types';
import { fill, fmtTime, getJson, h, load, pager, postJson, table } from './dom';

const PAGE = 20;

/** WeChat's answers the local cloud gives (openapi.ts), in the words of its documentation. */
const SEND_ERRORS: Record<number, string> = {
  43101: '用户拒收（无订阅次数或已关闭长期订阅）',
  47003: '参数错误',
  40003: 'openid 无效',
  40037: '模板 ID 无效',
  41030: '跳转页面无效',
  47001: '数据格式错误',
  45009: '超出调用上限',
  [-1]: '系统繁忙',
};

function result(code: number, msg: string): HTMLElement {
  if (code === 0) return h('span', { class: 'pill ok' }, '成功');
  const detail = msg.replace(/ rid: .*$/, '');
  return h(
    'div',
    null,
    h('span', { class: 'pill bad' }, `${code} ${SEND_ERRORS[code] ?? '错误'}`),
    h('div', { class: 'small muted' }, detail),
  );
}

function outboxRow(e: OutboxRow): HTMLElement {
  return h(
    'tr',
    { class: 'outbox-row' },
    h('td', { class: 'nowrap' }, fmtTime(e.at)),
    h('td', null, e.toName ?? '', h('div', { class: 'mono small muted' }, e.to)),
    h('td', null, e.templateTitle ?? '', h('div', { class: 'mono small muted' }, e.templateId)),
    h(
      'td',
      null,
      h(
        'dl',
        { class: 'fields' },
        e.fields.map((f) => [h('dt', null, f.key), h('dd', null, f.value)]),
      ),
    ),
    h('td', { class: 'mono small' }, e.page ?? '—'),
    h('td', null, result(e.errCode, e.errMsg)),
  );
}

function reminderRow(r: ReminderRow): HTMLElement {
  const stateClass = r.state === 'sent' ? 'ok' : r.state === 'sending' || r.state === 'retry' ? 'warn' : 'bad';
  return h(
    'tr',
    { class: 'reminder-row' },
    h('td', { class: 'nowrap' }, fmtTime(r.at)),
    h('td', { class: 'nowrap' }, r.day),
    h('td', null, r.kindLabel, r.subscriptionLabel ? h('div', { class: 'small muted' }, `${r.subscriptionLabel}订阅`) : null),
    h('td', null, r.unitName || '—'),
    h('td', null, r.personName || '—', h('div', { class: 'mono small muted' }, r.to)),
    h('td', null, h('span', { class: `pill ${stateClass}` }, r.stateLabel)),
    h('td', null, [r.reason, r.errCode !== null ? `${r.errCode}` : null, r.error].filter(Boolean).join(' · ') || '—'),
    h('td', { class: 'num' }, r.attempts),
  );
}

function subscriptionRow(s: SubscriptionRow): HTMLElement {
  return h(
    'tr',
    { class: 'subscription-row' },
    h('td', { class: 'nowrap' }, fmtTime(s.at)),
    h('td', null, s.person ?? '', h('div', { class: 'mono small muted' }, s.to)),
    h('td', null, s.templateTitle ?? '', h('div', { class: 'mono small muted' }, s.templateId)),
    h('td', null, s.kindLabel),
    h('td', null, h('span', { class: `pill ${s.active ? 'ok' : 'bad'}` }, s.stateLabel)),
  );
}

function faultForm(onDone: (text: string) => void): HTMLElement {
  const times = h('input', { class: 'input narrow', attrs: { type: 'number', min: '1', max: '100', value: '1', 'aria-label': '次数' } });
  const code = h(
    'select',
    { class: 'input', attrs: { 'aria-label': '错误码' } },
    SEND_FAULTS.map((f) => h('option', { attrs: { value: String(f.errCode) } }, f.label)),
  );
  return h(
    'form',
    {
      class: 'toolbar',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          postJson<{ errCode: number; times: number }>('/local/console/fail-next', {
            errCode: Number(code.value),
            times: Number(times.value),
          }).then(
            (r) => onDone(`接下来 ${r.times} 次发送将返回 ${r.errCode}`),
            (err: unknown) => onDone(err instanceof Error ? err.message : String(err)),
          );
        },
      },
    },
    h('span', null, '模拟微信拒绝：接下来'),
    times,
    h('span', null, '次发送返回'),
    code,
    h('button', { class: 'btn', attrs: { type: 'submit' } }, '设置'),
  );
}

export function messagesPanel(root: HTMLElement): void {
  const outbox = h('div');
  const log = h('div');
  const subs = h('div');
  const note = h('span', { class: 'muted', attrs: { role: 'status' } });
  const showOutbox = (offset: number) =>
    load(outbox, async () => {
      const page = await getJson<Page<OutboxRow>>('outbox', { offset, limit: PAGE });
      return [
        table(['时间', '接收人', '模板', '内容', '跳转页面', '结果'], page.items.map(outboxRow), {
          class: 'outbox-table',
          empty: '发件箱是空的',
        }),
        pager(page, (o) => void showOutbox(o)),
      ];
    });
  const showLog = (offset: number) =>
    load(log, async () => {
      const page = await getJson<Page<ReminderRow>>('reminders', { offset, limit: PAGE });
      return [
        table(['更新时间', '提醒日', '类型', '单位', '联络员', '状态', '原因', '次数'], page.items.map(reminderRow), {
          class: 'reminders-table',
          empty: '还没有提醒记录：在「函数」中运行 reminder 定时触发器',
        }),
        pager(page, (o) => void showLog(o)),
      ];
    });
  const showSubs = (offset: number) =>
    load(subs, async () => {
      const page = await getJson<Page<SubscriptionRow>>('subscriptions', { offset, limit: PAGE });
      return [
        table(['更新时间', '联络员', '模板', '类型', '状态'], page.items.map(subscriptionRow), {
          class: 'subscriptions-table',
          empty: '还没有人订阅：在小程序报送成功后点「订阅截止提醒」',
        }),
        pager(page, (o) => void showSubs(o)),
      ];
    });
  fill(
    root,
    h(
      'div',
      { class: 'section-head' },
      h('h2', null, '订阅消息发件箱'),
      h('button', { class: 'btn small', on: { click: () => void showOutbox(0) } }, '刷新'),
    ),
    h('p', { class: 'muted' }, '云函数调用 subscribeMessage.send 的每一次发送（最新在前），以及微信的应答。'),
    faultForm((text) => (note.textContent = text)),
    note,
    outbox,
    h(
      'div',
      { class: 'section-head' },
      h('h2', null, '订阅情况'),
      h('button', { class: 'btn small', on: { click: () => void showSubs(0) } }, '刷新'),
    ),
    h(
      'p',
      { class: 'muted' },
      '云函数的订阅台账（subscriptions 集合）：一次性订阅每发一条用掉一次；长期订阅一次允许持续有效，用户拒绝或微信返回 43101 后关闭。',
    ),
    subs,
    h(
      'div',
      { class: 'section-head' },
      h('h2', null, '提醒记录'),
      h('button', { class: 'btn small', on: { click: () => void showLog(0) } }, '刷新'),
    ),
    h('p', { class: 'muted' }, 'reminder 云函数写入 reminders 集合的每条提醒及其结果（最近更新在前）。'),
    log,
  );
  void showOutbox(0);
  void showLog(0);
  void showSubs(0);
}
