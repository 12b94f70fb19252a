/**
 * 设置管理员: while the system has no administrator, whoever enters the
 * setup code (the cloud function's SETUP_CODE, from whoever deployed it)
 * becomes the first one. Works once; afterwards administrators add others
 * in 联络员管理.
 *
 * For administrators the page is also 系统设置: the first run's next step
 * (the built-in 2021 table) and the deployment check (system.check).
 */
import type { CheckStatus, MeView, SystemCheckItem } from '../../../shared/api';
import { ApiCallError, errorField, errorText } from '../../../services/call';
import { fetchMe } from '../../../services/contacts';
import { bootstrapAdmin, checkSystem, seedPlan } from '../../services/office';
import { officePage } from '../../utils/office-page';

export const ADMIN_NAME_MAX = 20;

type Phase = 'loading' | 'error' | 'form' | 'done' | 'taken';
type Field = 'setupCode' | 'name' | 'form';

interface SetupData {
  phase: Phase;
  error: string;
  isAdmin: boolean;
  code: string;
  name: string;
  errors: Partial<Record<Field, string>>;
  submitting: boolean;
  seeding: boolean;
  seedResult: string;
  checking: boolean;
  checkError: string;
  checkItems: (SystemCheckItem & { statusText: string })[];
}

export const SEED_YEAR = 2021;

const STATUS_TEXT: Record<CheckStatus, string> = { ok: '正常', warn: '需处理', error: '有问题', unknown: '请核对' };

export function checkSetup(code: string, name: string): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  if (!code.trim()) errors.setupCode = '请填写初始化口令';
  const n = name.trim();
  if (!n) errors.name = '请填写您的姓名';
  else if ([...n].length > ADMIN_NAME_MAX) errors.name = `姓名不能超过 ${ADMIN_NAME_MAX} 个字`;
  return errors;
}

const phaseOf = (me: MeView): Phase => (me.needsSetup ? 'form' : 'taken');

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    isAdmin: false,
    code: '',
    name: '',
    errors: {},
    submitting: false,
    seeding: false,
    seedResult: '',
    checking: false,
    checkError: '',
    checkItems: [],
  } as SetupData,

  methods: {
    onLoad() {
      void this.load();
    },

    async load() {
      this.setData({ phase: 'loading', error: '' });
      try {
        const me = await fetchMe();
        this.setData({ phase: phaseOf(me), isAdmin: me.isAdmin, name: me.contact?.name ?? '' });
      } catch (err) {
        this.setData({ phase: 'error', error: errorText(err) });
      }
    },

    onCode(e: WechatMiniprogram.Input) {
      this.setData({ code: e.detail.value, 'errors.setupCode': '' });
    },

    onName(e: WechatMiniprogram.Input) {
      this.setData({ name: e.detail.value, 'errors.name': '' });
    },

    async onSubmit() {
      const d = this.data as SetupData;
      if (d.submitting) return;
      const errors = checkSetup(d.code, d.name);
      if (Object.keys(errors).length > 0) {
        this.setData({ errors });
        return;
      }
      this.setData({ submitting: true, errors: {} });
      try {
        await bootstrapAdmin(d.code, d.name);
        this.setData({ submitting: false, phase: 'done', isAdmin: true });
      } catch (err) {
        if (err instanceof ApiCallError && err.code === 'FORBIDDEN') {
          // Someone else became the first administrator in the meantime.
          this.setData({ submitting: false, phase: 'taken', isAdmin: false });
          return;
        }
        const field = errorField(err) ?? (err instanceof ApiCallError && err.code === 'SETUP_CODE_INVALID' ? 'setupCode' : '');
        const slot: Field = field === 'setupCode' || field === 'name' ? field : 'form';
        this.setData({ submitting: false, errors: { [slot]: errorText(err) } });
      }
    },

    async onSeed() {
      if ((this.data as SetupData).seeding) return;
      this.setData({ seeding: true, seedResult: '' });
      try {
        const r = await seedPlan(SEED_YEAR);
        const what = `${SEED_YEAR} 年任务分解表：${r.tasks} 项任务、${r.units} 个单位`;
        this.setData({ seeding: false, seedResult: r.written > 0 ? `已导入${what}` : `${what}已经在系统中，无需再导入` });
      } catch (err) {
        this.setData({ seeding: false, seedResult: errorText(err) });
      }
    },

    async onCheck() {
      if ((this.data as SetupData).checking) return;
      this.setData({ checking: true, checkError: '' });
      try {
        const c = await checkSystem();
        this.setData({ checking: false, checkItems: c.items.map((i) => ({ ...i, statusText: STATUS_TEXT[i.status] })) });
      } catch (err) {
        this.setData({ checking: false, checkError: errorText(err), checkItems: [] });
      }
    },

    onOpenOffice() {
      void wx.redirectTo({ url: '/office/pages/overview/index' });
    },
  },
});
