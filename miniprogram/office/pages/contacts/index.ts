/**
 * 联络员管理: binding requests first (通过 names the unit the office looked
 * at, so a re-bind in between is not approved blindly; 拒绝 with a reason;
 * 移除 after a confirmation), then the active contacts with full phone
 * numbers (this page is the office's only), the administrators, and the
 * registration of the 政务公开 WeChat group. Long lists render a page at a
 * time to stay well under the WXML node limit.
 */
import type { AdminView, ContactStatus, ContactView } from '../../../shared/api';
import { errorText } from '../../../services/call';
import { formatTime } from '../../../utils/format';
import { groupEnterCloudId } from '../../../utils/platform';
import { textLength } from '../../../utils/validate';
import {
  addAdmin,
  approveContact,
  listAdmins,
  listContacts,
  registerGroup,
  rejectContact,
  removeAdmin,
  removeContact,
} from '../../services/office';
import { confirmDialog, goHome, toast } from '../../utils/ui';
import { isConflict, loadFailure, type LoadPhase } from '../../utils/view';
import { officePage } from '../../utils/office-page';

export const PAGE_SIZE = 20;
export const REJECT_NOTE_MAX = 200;

const STATUS_LABEL: Record<ContactStatus, string> = { pending: '待审核', active: '联络员', rejected: '已拒绝', removed: '已移除' };

export interface PersonRow {
  openid: string;
  name: string;
  phone: string;
  unitId: string;
  unitName: string;
  status: string;
  isAdmin: boolean;
  when: string;
}
interface AdminRow {
  openid: string;
  name: string;
  unitName: string;
  isSelf: boolean;
}
interface ContactsData {
  phase: LoadPhase;
  error: string;
  query: string;
  pending: PersonRow[];
  pendingHidden: number;
  active: PersonRow[];
  activeTotal: number;
  activeHidden: number;
  others: PersonRow[];
  othersOpen: boolean;
  admins: AdminRow[];
  adding: boolean;
  addQuery: string;
  candidates: PersonRow[];
  rejecting: string;
  rejectCount: number;
  rejectMax: number;
  busy: string;
  group: { canRegister: boolean; registering: boolean; done: string; error: string };
}
interface ContactsPrivate {
  people: ContactView[];
  pendingShown: number;
  activeShown: number;
  rejectNote: string;
}

export function personRow(c: ContactView, now: Date = new Date()): PersonRow {
  return {
    openid: c.openid,
    name: c.name,
    phone: c.phone,
    unitId: c.unitId ?? '',
    unitName: c.unitName,
    status: c.status ? STATUS_LABEL[c.status] : '',
    isAdmin: c.isAdmin,
    when: formatTime(c.updatedAt, now),
  };
}

/** Name, unit or phone contains the query. */
export function matches(c: ContactView, query: string): boolean {
  const q = query.trim();
  return !q || c.name.includes(q) || c.unitName.includes(q) || c.phone.includes(q);
}

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    query: '',
    pending: [],
    pendingHidden: 0,
    active: [],
    activeTotal: 0,
    activeHidden: 0,
    others: [],
    othersOpen: false,
    admins: [],
    adding: false,
    addQuery: '',
    candidates: [],
    rejecting: '',
    rejectCount: 0,
    rejectMax: REJECT_NOTE_MAX,
    busy: '',
    group: { canRegister: false, registering: false, done: '', error: '' },
  } as ContactsData,

  methods: {
    own(): ContactsPrivate {
      return this as unknown as ContactsPrivate;
    },
    view(): ContactsData {
      return this.data as ContactsData;
    },

    onLoad() {
      const own = this.own();
      own.people = [];
      own.pendingShown = PAGE_SIZE;
      own.activeShown = PAGE_SIZE;
      own.rejectNote = '';
      void this.load();
      // Only a launch from a group chat's card carries a group: then the office can register it.
      // The CloudID itself is fetched again at the tap: it is valid for minutes only.
      void groupEnterCloudId().then((id) => this.setData({ 'group.canRegister': !!id }));
    },

    async load(quiet = false) {
      if (!quiet) this.setData({ phase: 'loading', error: '' });
      try {
        const [people, admins] = await Promise.all([listContacts(), listAdmins()]);
        this.own().people = people;
        this.setData({
          phase: 'ready',
          admins: admins.map((a: AdminView) => ({ openid: a.openid, name: a.name, unitName: a.unitName, isSelf: a.isSelf })),
        });
        this.render();
      } catch (err) {
        if (quiet && this.view().phase === 'ready') toast(errorText(err));
        else this.setData(loadFailure(err));
      }
    },

    render() {
      const own = this.own();
      const { query, adding, addQuery } = this.view();
      const now = new Date();
      const pending = own.people.filter((c) => c.status === 'pending' && matches(c, query));
      const active = own.people.filter((c) => c.status === 'active' && matches(c, query));
      const others = own.people.filter((c) => (c.status === 'rejected' || c.status === 'removed') && matches(c, query));
      this.setData({
        pending: pending.slice(0, own.pendingShown).map((c) => personRow(c, now)),
        pendingHidden: Math.max(0, pending.length - own.pendingShown),
        active: active.slice(0, own.activeShown).map((c) => personRow(c, now)),
        activeTotal: active.length,
        activeHidden: Math.max(0, active.length - own.activeShown),
        others: others.slice(0, PAGE_SIZE).map((c) => personRow(c, now)),
        candidates: adding ? this.candidates(addQuery) : [],
      });
    },

    /** People on record who are not administrators yet, matching the add panel's search. */
    candidates(query: string): PersonRow[] {
      return this.own()
        .people.filter((c) => !c.isAdmin && c.status !== 'removed' && c.status !== 'rejected' && matches(c, query))
        .slice(0, PAGE_SIZE)
        .map((c) => personRow(c));
    },

    onSearch(e: WechatMiniprogram.Input) {
      const own = this.own();
      own.pendingShown = PAGE_SIZE;
      own.activeShown = PAGE_SIZE;
      this.setData({ query: e.detail.value });
      this.render();
    },

    onMorePending() {
      this.own().pendingShown += PAGE_SIZE;
      this.render();
    },

    onMoreActive() {
      this.own().activeShown += PAGE_SIZE;
      this.render();
    },

    onToggleOthers() {
      this.setData({ othersOpen: !this.view().othersOpen });
    },

    person(openid: string): ContactView | undefined {
      return this.own().people.find((c) => c.openid === openid);
    },

    // ---- binding requests -----------------------------------------------------------------

    async onApprove(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { openid: string }>) {
      const c = this.person(e.currentTarget.dataset.openid);
      if (!c || this.view().busy) return;
      this.setData({ busy: c.openid });
      try {
        await approveContact(c.openid, c.unitId);
        toast(`已通过：${c.name}（${c.unitName}）`);
      } catch (err) {
        // CONFLICT: re-bound to another unit or decided by someone else; the reload shows the current state.
        toast(isConflict(err) ? `${errorText(err)}，已刷新` : errorText(err));
      }
      this.setData({ busy: '' });
      await this.load(true);
    },

    onStartReject(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { openid: string }>) {
      this.own().rejectNote = '';
      this.setData({ rejecting: e.currentTarget.dataset.openid, rejectCount: 0 });
    },

    onCancelReject() {
      this.setData({ rejecting: '' });
    },

    onRejectNote(e: WechatMiniprogram.TextareaInput) {
      this.own().rejectNote = e.detail.value;
      this.setData({ rejectCount: textLength(e.detail.value) });
    },

    async onConfirmReject() {
      const c = this.person(this.view().rejecting);
      if (!c || this.view().busy) return;
      this.setData({ busy: c.openid });
      try {
        await rejectContact(c.openid, this.own().rejectNote);
        toast(`已拒绝：${c.name}`);
        this.setData({ rejecting: '' });
      } catch (err) {
        toast(errorText(err));
      }
      this.setData({ busy: '' });
      await this.load(true);
    },

    async onRemove(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { openid: string }>) {
      const c = this.person(e.currentTarget.dataset.openid);
      if (!c || this.view().busy) return;
      const ok = await confirmDialog(
        '移除联络员',
        `移除后，${c.name} 将不能再为${c.unitName}查看和报送任务，已报送的内容会保留。确定移除吗？`,
        '移除',
        true,
      );
      if (!ok) return;
      this.setData({ busy: c.openid });
      try {
        await removeContact(c.openid);
        toast(`已移除：${c.name}`);
      } catch (err) {
        toast(errorText(err));
      }
      this.setData({ busy: '' });
      await this.load(true);
    },

    // ---- administrators -------------------------------------------------------------------

    onToggleAdd() {
      const adding = !this.view().adding;
      this.setData({ adding, addQuery: '', candidates: adding ? this.candidates('') : [] });
    },

    onAddSearch(e: WechatMiniprogram.Input) {
      this.setData({ addQuery: e.detail.value, candidates: this.candidates(e.detail.value) });
    },

    async onMakeAdmin(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { openid: string }>) {
      const c = this.person(e.currentTarget.dataset.openid);
      if (!c || this.view().busy) return;
      const ok = await confirmDialog(
        '设为管理员',
        `${c.name}${c.unitName ? `（${c.unitName}）` : ''} 将可以审核报送、管理轮次、联络员和单位，并看到所有联络员的电话。确定吗？`,
        '设为管理员',
      );
      if (!ok) return;
      this.setData({ busy: c.openid });
      try {
        await addAdmin(c.openid, c.name);
        toast(`${c.name} 已是管理员`);
        this.setData({ adding: false });
      } catch (err) {
        toast(errorText(err));
      }
      this.setData({ busy: '' });
      await this.load(true);
    },

    async onRemoveAdmin(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { openid: string }>) {
      const admin = this.view().admins.find((a) => a.openid === e.currentTarget.dataset.openid);
      if (!admin || this.view().busy) return;
      const ok = await confirmDialog(
        '移除管理员',
        admin.isSelf
          ? '移除后，您将不能再使用政务公开科工作台（联络员身份不受影响）。确定移除自己吗？'
          : `移除后，${admin.name} 将不能再使用政务公开科工作台（联络员身份不受影响）。确定吗？`,
        '移除',
        true,
      );
      if (!ok) return;
      this.setData({ busy: admin.openid });
      try {
        await removeAdmin(admin.openid);
        toast(`已移除管理员：${admin.name}`);
        this.setData({ busy: '' });
        if (admin.isSelf) {
          goHome();
          return;
        }
      } catch (err) {
        // The last administrator cannot be removed: the server says so in plain words.
        toast(errorText(err));
        this.setData({ busy: '' });
      }
      await this.load(true);
    },

    // ---- the 政务公开 group ---------------------------------------------------------------

    async onRegisterGroup() {
      if (this.view().group.registering) return;
      this.setData({ 'group.registering': true, 'group.error': '' });
      try {
        const groupCloudId = await groupEnterCloudId();
        if (!groupCloudId) {
          this.setData({ 'group.registering': false, 'group.canRegister': false });
          return;
        }
        await registerGroup(groupCloudId);
        this.setData({
          'group.registering': false,
          'group.done': '已登记。联络员从本群的小程序卡片进入并申请绑定时，将自动通过，无需逐个审批。',
        });
      } catch (err) {
        this.setData({ 'group.registering': false, 'group.error': errorText(err) });
      }
    },
  },
});
