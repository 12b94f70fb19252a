/**
 * 账号: call the real `api` function through the bridge (POST /call/api with
 * x-local-openid) as a chosen local user. Only read actions are offered; the
 * function's own permission checks decide what that user may see.
 */
import type { ActionName } from '../../../../miniprogram/shared/api';
import type { UserRow } from '../types';
import { fill, getJson, h, load, postJson } from './dom';

/** Read-only actions with a starting payload. */
const READ_ACTIONS: [ActionName, unknown][] = [
  ['me.get', {}],
  ['tasks.mine', {}],
  ['plan.get', { year: 2021 }],
  ['plan.list', {}],
  ['task.detail', { taskId: 'plan-2021-t11' }],
  ['report.latest', { assignmentId: 'plan-2021-t11-ssfj' }],
  ['unit.list', {}],
  ['round.list', {}],
  ['contact.list', { status: 'pending' }],
  ['admin.list', {}],
  ['unit.directory', {}],
  ['review.queue', {}],
  ['overview.round', { roundId: '' }],
  ['urge.preview', { roundId: '' }],
  ['digest.get', {}],
  ['audit.list', { limit: 20 }],
];
const OPENID = /^[A-Za-z0-9_-]{6,64}$/;

function userLabel(u: UserRow): string {
  return [u.name, u.unitName ?? (u.isAdmin ? '政务公开科' : '未绑定单位'), u.isAdmin ? '管理员' : u.status, u.masked]
    .filter(Boolean)
    .join(' · ');
}

interface BridgeAnswer {
  result?: { ok: boolean; code?: string; message?: string; data?: unknown };
}

export function accountPanel(root: HTMLElement): void {
  const picker = h('select', { class: 'input wide', attrs: { 'aria-label': '本地用户' } });
  const custom = h('input', {
    class: 'input wide',
    attrs: { placeholder: '或输入新的 openid，如 o-try-newcomer-01', 'aria-label': '新的 openid' },
  });
  const action = h(
    'select',
    { class: 'input', attrs: { 'aria-label': '动作' } },
    READ_ACTIONS.map(([name]) => h('option', { attrs: { value: name } }, name)),
  );
  const data = h('textarea', { class: 'input code', attrs: { rows: '4', spellcheck: 'false', 'aria-label': '请求数据 data' } });
  const out = h('div', { class: 'call-out' });
  const setData = () => (data.value = JSON.stringify(READ_ACTIONS.find(([n]) => n === action.value)?.[1] ?? {}, null, 1));
  action.addEventListener('change', setData);
  setData();

  const call = async () => {
    const openid = custom.value.trim() || picker.value;
    if (!OPENID.test(openid)) throw new Error('openid 应为 6–64 位字母、数字、- 或 _');
    let payload: unknown;
    try {
      payload = JSON.parse(data.value || '{}');
    } catch {
      throw new Error('请求数据不是合法的 JSON');
    }
    const answer = await postJson<BridgeAnswer>('/call/api', { action: action.value, data: payload }, { 'x-local-openid': openid });
    const r = answer.result;
    return [
      h(
        'div',
        { class: `run-result ${r?.ok ? 'ok' : 'bad'}`, attrs: { role: 'status' } },
        r?.ok ? `${action.value} 成功` : `${action.value} 返回 ${r?.code ?? '错误'}：${r?.message ?? ''}`,
      ),
      h('pre', { class: 'call-result' }, JSON.stringify(r?.ok ? r.data : r, null, 2)),
    ];
  };

  fill(
    root,
    h('h2', null, '以本地用户身份调用'),
    h(
      'p',
      { class: 'muted' },
      '经 HTTP 桥调用真实的 api 云函数（POST /call/api，x-local-openid 指定调用者），只提供查询类动作；能看到什么由云函数自己的权限检查决定。',
    ),
    h(
      'form',
      {
        class: 'stack',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            void load(out, call);
          },
        },
      },
      h('label', null, h('span', { class: 'label' }, '用户'), picker),
      h('label', null, h('span', { class: 'label' }, ''), custom),
      h('label', null, h('span', { class: 'label' }, '动作'), action),
      h('label', null, h('span', { class: 'label' }, 'data'), data),
      h('div', null, h('span', { class: 'label' }), h('button', { class: 'btn primary', attrs: { type: 'submit' } }, '调用')),
    ),
    out,
  );
  getJson<UserRow[]>('users').then(
    (users) =>
      fill(
        picker,
        users.length
          ? users.map((u) => h('option', { attrs: { value: u.openid } }, userLabel(u)))
          : h('option', { attrs: { value: '' } }, '（还没有用户）'),
      ),
    (err: unknown) => fill(out, h('div', { class: 'error' }, `读取用户失败：${err instanceof Error ? err.message : String(err)}`)),
  );
}
