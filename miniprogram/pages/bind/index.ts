/**
 * 绑定单位: a contact person names their unit, name and phone. The office
 * approves the request, or the server does at once when the app was opened
 * from the registered 政务公开 group's card.
 */
import type { MeView, UnitKind, UnitView } from '../../shared/api';
import { errorField, errorText } from '../../services/call';
import { bindContact, fetchMe, fetchUnits } from '../../services/contacts';
import { groupEnterCloudId } from '../../utils/platform';
import { isValidPhone } from '../../utils/validate';

type Phase = 'loading' | 'error' | 'form' | 'pending' | 'active';
type Field = 'unitId' | 'name' | 'phone';

interface UnitRow {
  id: string;
  name: string;
}
interface UnitGroupBlock {
  key: UnitKind;
  title: string;
  units: UnitRow[];
}
interface BindData {
  phase: Phase;
  loadError: string;
  /** Shown above the form: why the person is here again. */
  notice: string;
  isAdmin: boolean;
  current: { unitId: string; unitName: string; name: string; phone: string } | null;
  query: string;
  groups: UnitGroupBlock[];
  matchCount: number;
  pickerOpen: boolean;
  unit: UnitRow | null;
  name: string;
  phone: string;
  errors: Partial<Record<Field | 'form', string>>;
  submitting: boolean;
}

/** Units of the picker, kept off setData: only the filtered rows are rendered. */
interface BindPrivate {
  allUnits: UnitView[];
}

const KIND_TITLES: [UnitKind, string][] = [
  ['department', '部门'],
  ['town', '镇街'],
  ['other', '其他单位'],
];

export const NAME_MAX = 20;

/** The card was opened too long ago (or by someone else): what the person can do about it. */
export const GROUP_PROOF_EXPIRED =
  '工作群验证已失效（群里的小程序卡片点开后几分钟内有效），已改为提交政务公开科审核。想立即生效：回到工作群重新点开小程序卡片，点「修改申请」再提交一次。';

/** Units whose name contains the query, grouped 部门 / 镇街 / 其他单位 (empty groups left out). */
export function groupUnits(units: readonly UnitView[], query: string): UnitGroupBlock[] {
  const q = query.trim();
  const hits = units.filter((u) => u.active && (!q || u.name.includes(q)));
  return KIND_TITLES.map(([key, title]) => ({
    key,
    title,
    units: hits.filter((u) => u.kind === key).map((u) => ({ id: u.id, name: u.name })),
  })).filter((g) => g.units.length > 0);
}

/** Client-side checks with the server's rules and wording close to it. */
export function checkBind(unit: UnitRow | null, name: string, phone: string): BindData['errors'] {
  const errors: BindData['errors'] = {};
  if (!unit) errors.unitId = '请选择所在单位';
  const n = name.trim();
  if (!n) errors.name = '请填写姓名';
  else if ([...n].length > NAME_MAX) errors.name = `姓名不能超过 ${NAME_MAX} 个字`;
  if (!phone.trim()) errors.phone = '请填写联系电话';
  else if (!isValidPhone(phone)) errors.phone = '电话号码格式不正确：请填写 11 位手机号，或带区号的座机号（如 0537-5212345）';
  return errors;
}

/** Server field → form field ("phone", "name", "unitId"; anything else is the form's). */
function fieldKey(field: string | undefined): Field | 'form' {
  const root = (field ?? '').split(/[.[]/)[0];
  return root === 'unitId' || root === 'name' || root === 'phone' ? root : 'form';
}

function phaseOf(me: MeView): Pick<BindData, 'phase' | 'notice' | 'current'> {
  const c = me.contact;
  const current = c ? { unitId: c.unitId, unitName: c.unitName, name: c.name, phone: c.phone } : null;
  if (c?.status === 'active') return { phase: 'active', notice: '', current };
  if (c?.status === 'pending') return { phase: 'pending', notice: '', current };
  if (c?.status === 'rejected') {
    return { phase: 'form', notice: '上次的绑定申请未通过。请核对单位和姓名后重新提交，如有疑问请联系政务公开科。', current };
  }
  if (c?.status === 'removed') return { phase: 'form', notice: '您已不是原单位的联络员。如需继续报送，请重新绑定。', current };
  return { phase: 'form', notice: '', current };
}

Component({
  data: {
    phase: 'loading',
    loadError: '',
    notice: '',
    isAdmin: false,
    current: null,
    query: '',
    groups: [],
    matchCount: 0,
    pickerOpen: true,
    unit: null,
    name: '',
    phone: '',
    errors: {},
    submitting: false,
  } as BindData,

  methods: {
    own(): BindPrivate {
      return this as unknown as BindPrivate;
    },

    onLoad() {
      void this.load();
    },

    async load() {
      this.setData({ phase: 'loading', loadError: '' });
      try {
        const [me, units] = await Promise.all([fetchMe(), fetchUnits()]);
        this.own().allUnits = units;
        const groups = groupUnits(units, '');
        this.setData({
          ...phaseOf(me),
          isAdmin: me.isAdmin,
          groups,
          matchCount: groups.reduce((n, g) => n + g.units.length, 0),
        });
      } catch (err) {
        this.setData({ phase: 'error', loadError: errorText(err) });
      }
    },

    onRetry() {
      void this.load();
    },

    onSearch(e: WechatMiniprogram.Input) {
      const query = e.detail.value;
      const groups = groupUnits(this.own().allUnits ?? [], query);
      this.setData({ query, groups, matchCount: groups.reduce((n, g) => n + g.units.length, 0) });
    },

    onClearSearch() {
      const groups = groupUnits(this.own().allUnits ?? [], '');
      this.setData({ query: '', groups, matchCount: groups.reduce((n, g) => n + g.units.length, 0) });
    },

    onPickUnit(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string; name: string }>) {
      const { id, name } = e.currentTarget.dataset;
      this.setData({ unit: { id, name }, pickerOpen: false, 'errors.unitId': '' });
    },

    onChangeUnit() {
      this.setData({ pickerOpen: true });
    },

    onName(e: WechatMiniprogram.Input) {
      this.setData({ name: e.detail.value, 'errors.name': '' });
    },

    onPhone(e: WechatMiniprogram.Input) {
      this.setData({ phone: e.detail.value, 'errors.phone': '' });
    },

    /** 修改申请 / 更换单位: back to the form, keeping what we know (the phone is masked, so it is typed again). */
    onEdit() {
      const { current, name, unit } = this.data as BindData;
      const known = current && (this.own().allUnits ?? []).some((u) => u.id === current.unitId);
      this.setData({
        phase: 'form',
        notice: '',
        name: current?.name ?? name,
        unit: known && current ? { id: current.unitId, name: current.unitName } : unit,
        pickerOpen: !known,
      });
    },

    async onSubmit() {
      const data = this.data as BindData;
      if (data.submitting) return;
      const errors = checkBind(data.unit, data.name, data.phone);
      if (Object.keys(errors).length > 0 || !data.unit) {
        this.setData({ errors });
        return;
      }
      this.setData({ submitting: true, errors: {} });
      try {
        const input = { unitId: data.unit.id, name: data.name, phone: data.phone };
        // Fetched at the tap, not on load: the group proof is valid for minutes only.
        const groupCloudId = await groupEnterCloudId();
        let me: MeView;
        let groupNotice = '';
        try {
          me = await bindContact({ ...input, groupCloudId });
        } catch (err) {
          // A group proof the server cannot use (expired, another person's) is no reason to
          // refuse the request: send it again for the office to approve, and say how to be quicker.
          if (!groupCloudId || errorField(err) !== 'groupCloudId') throw err;
          me = await bindContact(input);
          groupNotice = GROUP_PROOF_EXPIRED;
        }
        const next = phaseOf(me);
        this.setData({ ...next, notice: next.phase === 'pending' && groupNotice ? groupNotice : next.notice, submitting: false });
      } catch (err) {
        this.setData({ submitting: false, errors: { [fieldKey(errorField(err))]: errorText(err) } });
      }
    },

    onDone() {
      // The home page reloads as the stack's only page: it must show the new binding.
      void wx.reLaunch({ url: '/pages/home/index' });
    },
  },
});
