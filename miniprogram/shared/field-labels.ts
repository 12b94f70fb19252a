/**
 * What each input field of the api and ledger contracts is called in
 * Chinese, for error messages a 联络员 or the office can act on
 * (`请填写姓名`, `第3个附件的文件名不能超过 100 个字`). The cloud functions
 * build their validation messages from this table; `error.field` keeps the
 * machine path (`files[2].name`) for pages to highlight the input.
 */

/** A field's name by its key, whatever the action. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  action: '操作名称',
  actor: '操作人',
  aliases: '曾用名和别名',
  assignmentId: '任务分工',
  before: '翻页位置',
  code: '单位编码',
  day: '日期',
  decision: '审核结果',
  dueDate: '截止日期',
  expectedState: '报送状态',
  fileID: '文件',
  files: '附件',
  groupCloudId: '群信息',
  id: '编号',
  images: '照片',
  kind: '单位类型',
  limit: '每页条数',
  links: '链接',
  makeCurrent: '是否设为当前年度',
  name: '名称',
  note: '说明',
  openid: '用户',
  order: '排序',
  overrides: '单独截止日期',
  phone: '联系电话',
  planId: '任务分解表',
  progress: '完成情况',
  reportId: '报送记录',
  requestId: '请求编号',
  results: '订阅结果',
  roundId: '报送轮次',
  scope: '任务范围',
  secrecyConfirmed: '保密审查确认',
  setupCode: '初始化口令',
  size: '文件大小',
  status: '状态',
  taskId: '任务',
  text: '报送内容',
  title: '链接标题',
  unitId: '单位',
  unitIds: '单位',
  url: '链接地址',
  urls: '链接',
  year: '年度',
};

/** Where a key means something particular in one action (a person's name, a round's id). */
export const ACTION_FIELD_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'admin.bootstrap': { name: '姓名' },
  'admin.add': { name: '姓名', openid: '管理员' },
  'admin.remove': { openid: '管理员' },
  'contact.bind': { name: '姓名' },
  'contact.approve': { openid: '联络员' },
  'contact.reject': { openid: '联络员', note: '不通过的原因' },
  'contact.remove': { openid: '联络员' },
  'round.create': { name: '轮次名称' },
  'round.update': { name: '轮次名称', id: '报送轮次' },
  'round.close': { id: '报送轮次' },
  'unit.create': { name: '单位名称' },
  'unit.update': { name: '单位名称', id: '单位' },
  'unit.retire': { id: '单位' },
  'unit.restore': { id: '单位' },
  'review.decide': { note: '退回意见' },
};

/** How one item of a list is counted: 第3张照片, 第2个附件. */
const ITEM_OF: Readonly<Record<string, (n: number) => string>> = {
  images: (n) => `第${n}张照片`,
  files: (n) => `第${n}个附件`,
  links: (n) => `第${n}个链接`,
  urls: (n) => `第${n}个链接`,
  scope: (n) => `任务范围中的第${n}项`,
  unitIds: (n) => `第${n}个单位`,
  aliases: (n) => `第${n}个曾用名或别名`,
};

/** The fields of a list's items, named as part of the item: 第3个附件的文件名, 第1个链接的地址. */
const EVIDENCE_FIELDS: Readonly<Record<string, string>> = { fileID: '文件', name: '文件名', size: '文件大小' };
const ITEM_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  images: EVIDENCE_FIELDS,
  files: EVIDENCE_FIELDS,
  links: { url: '地址', title: '标题' },
};

/** Maps whose keys the caller chooses: the key is part of what is named. */
const ENTRY_OF: Readonly<Record<string, (key: string) => string>> = {
  overrides: (key) => `第${key}项任务的单独截止日期`,
  results: () => '订阅结果',
};

const label = (key: string, action: string | undefined): string =>
  (action !== undefined ? ACTION_FIELD_LABELS[action]?.[key] : undefined) ?? FIELD_LABELS[key] ?? '填写的内容';

/**
 * The Chinese name of a field path as the validator writes it
 * (`files[2].name` → 第3个附件的文件名, `overrides.24` → 第24项任务的单独截止日期).
 * `action` picks the action's own words where a key is ambiguous.
 */
export function fieldLabel(path: string, action?: string): string {
  if (path === '') return '请求内容';
  const parts: string[] = [];
  /** The list the previous segment was an item of, for the item's own field names. */
  let itemOf: string | undefined;
  // Segments: `key`, `key[3]`, and a map's key after the map (`overrides.24`).
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const m = /^(.+)\[(\d+)\]$/.exec(segment);
    const key = m ? (m[1] as string) : segment;
    const n = m ? Number(m[2]) + 1 : undefined;
    const entry = ENTRY_OF[key];
    const next = segments[i + 1];
    if (entry && next !== undefined && n === undefined) {
      parts.push(entry(next));
      i++;
      continue;
    }
    const item = ITEM_OF[key];
    const own = itemOf !== undefined ? ITEM_FIELDS[itemOf]?.[key] : undefined;
    if (n === undefined) parts.push(own ?? label(key, action));
    else parts.push(item ? item(n) : `${label(key, action)}中的第${n}项`);
    itemOf = n === undefined ? undefined : key;
  }
  return parts.join('的');
}
