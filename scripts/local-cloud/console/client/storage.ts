/** 存储: the uploaded files, images previewed inline. */
import type { FileRow, Page } from '../types';
import { fill, fmtSize, fmtTime, getJson, h, load, pager, table } from './dom';

const PAGE = 20;

function kindBadge(f: FileRow): string {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(f.cloudPath)?.[1];
  return (ext ?? f.contentType.split('/')[1] ?? '?').toUpperCase();
}

function fileRow(f: FileRow): HTMLElement {
  const thumb = f.preview
    ? h(
        'a',
        { attrs: { href: f.url, target: '_blank', rel: 'noopener' } },
        h('img', { class: 'thumb', attrs: { src: f.url, alt: f.cloudPath, loading: 'lazy' } }),
      )
    : h('span', { class: 'badge' }, kindBadge(f));
  return h(
    'tr',
    { class: 'file-row' },
    h('td', { class: 'preview' }, thumb),
    h('td', { class: 'path' }, h('a', { attrs: { href: f.url, target: '_blank', rel: 'noopener' } }, f.cloudPath)),
    h('td', null, f.unitName ?? '—'),
    h('td', { class: 'mono' }, f.owner),
    h('td', { class: 'num' }, fmtSize(f.size)),
    h('td', { class: 'mono small' }, f.contentType),
    h('td', { class: 'nowrap' }, fmtTime(f.uploadedAt)),
  );
}

export function storagePanel(root: HTMLElement): void {
  const prefix = h('input', { class: 'input wide', attrs: { placeholder: '路径前缀，如 units/ssfj/', 'aria-label': '路径前缀' } });
  const results = h('div');
  const go = (offset: number) =>
    load(results, async () => {
      const page = await getJson<Page<FileRow>>('files', { offset, limit: PAGE, prefix: prefix.value.trim() });
      return [
        table(['预览', '文件路径', '单位', '上传者', '大小', '类型', '上传时间'], page.items.map(fileRow), {
          class: 'files-table',
          empty: '还没有上传的文件',
        }),
        pager(page, (o) => void go(o)),
      ];
    });
  fill(
    root,
    h('h2', null, '存储'),
    h(
      'p',
      { class: 'muted' },
      '小程序经 wx.uploadFile 或云函数上传的文件；联络员上传的材料在 units/<单位>/ 下，报送时云函数保存的佐证副本在 evidence/<单位>/ 下。',
    ),
    h(
      'form',
      { class: 'toolbar', on: { submit: (ev) => (ev.preventDefault(), void go(0)) } },
      prefix,
      h('button', { class: 'btn primary', attrs: { type: 'submit' } }, '查找'),
    ),
    results,
  );
  void go(0);
}
