/**
 * The local cloud's clock in the console header: the time every function
 * sees, a field to set another day (the 2021 table on a believable date)
 * and a way back to the real time.
 */
import type { ClockState } from '../types';
import { fmtTime, h, postJson } from './dom';

export function clockControl(initial: ClockState): HTMLElement {
  let state = initial;
  const label = h('span', { class: 'clock-now' });
  const badge = h('span', { class: 'clock-badge' });
  const input = h('input', {
    class: 'input',
    attrs: { placeholder: '2021-09-20 或 2021-09-20T10:30', 'aria-label': '云端日期（北京时间）' },
  });
  const note = h('div', { class: 'clock-note' });
  const show = () => {
    // The clock runs on from where it was set: the browser adds its own elapsed time.
    label.textContent = `云端时间 ${fmtTime(new Date(Date.now() + state.offsetMs).toISOString()).slice(0, 16)}`;
    badge.textContent = state.set ? '已设定' : '真实时间';
    badge.classList.toggle('set', state.set);
  };
  const send = (body: unknown) =>
    postJson<ClockState>('/local/console/clock', body).then(
      (s) => {
        state = s;
        note.textContent = s.set ? '已设定：云函数、数据库、存储和定时触发器都按这个时间运行' : '已回到真实时间';
        show();
      },
      (e: unknown) => (note.textContent = e instanceof Error ? e.message : String(e)),
    );
  const form = h(
    'div',
    { class: 'clock-form' },
    input,
    h('button', { class: 'btn primary', attrs: { type: 'button' }, on: { click: () => void send({ today: input.value.trim() }) } }, '设定'),
    h('button', { class: 'btn', attrs: { type: 'button' }, on: { click: () => void send({ real: true }) } }, '回到真实时间'),
    note,
  );
  show();
  setInterval(show, 20_000);
  return h('details', { class: 'clock' }, h('summary', { attrs: { title: '设定本地云的时间' } }, label, badge), form);
}
