/**
 * 单位目录: every unit the office manages, retired ones included — add a
 * unit (部门 / 镇街 / 其他: departments and towns get the table's group
 * tasks at once), rename it (the old name stays as an alias so cells of the
 * table printed with it still find the unit) and retire or restore it
 * after a confirmation.
 */
import type { DirectoryUnitView, UnitKind } from '../../../shared/api';
import { errorField, errorText } from '../../../services/call';
import { createUnit, fetchDirectory, renameUnit, retireUnit, restoreUnit } from '../../services/office';
import { confirmDialog, toast } from '../../utils/ui';
import { KIND_LABEL, loadFailure, type LoadPhase } from '../../utils/view';
import { officePage } from '../../utils/office-page';

export const UNIT_NAME_MAX = 30;

interface UnitRow {
  id: string;
  name: string;
  aliases: string;
  contacts: number;
  active: boolean;
}
interface KindBlock {
  key: UnitKind;
  title: string;
  units: UnitRow[];
}
interface UnitsData {
  phase: LoadPhase;
  error: string;
  blocks: KindBlock[];
  activeCount: number;
  retiredCount: number;
  adding: boolean;
  add: { name: string; kind: UnitKind | '' };
  addErrors: { name?: string; kind?: string; form?: string };
  saving: boolean;
  renaming: string;
  renameValue: string;
  renameError: string;
  kinds: { key: UnitKind; label: string }[];
}
interface UnitsPrivate {
  units: DirectoryUnitView[];
}

const KINDS: { key: UnitKind; label: string }[] = [
  { key: 'department', label: '部门' },
  { key: 'town', label: '镇街' },
  { key: 'other', label: '其他' },
];

/** Units by kind in directory order; each block lists active units before retired ones. */
export function unitBlocks(units: readonly DirectoryUnitView[]): KindBlock[] {
  return KINDS.map(({ key }) => ({
    key,
    title: KIND_LABEL[key],
    units: units
      .filter((u) => u.kind === key)
      .sort((a, b) => Number(b.active) - Number(a.active) || a.order - b.order)
      .map((u) => ({ id: u.id, name: u.name, aliases: u.aliases.join('、'), contacts: u.contacts, active: u.active })),
  })).filter((b) => b.units.length > 0);
}

function checkName(name: string): string {
  const n = name.trim();
  if (!n) return '请填写单位名称';
  if ([...n].length > UNIT_NAME_MAX) return `单位名称不能超过 ${UNIT_NAME_MAX} 个字`;
  return '';
}

Component({
  behaviors: [officePage],
  data: {
    phase: 'loading',
    error: '',
    blocks: [],
    activeCount: 0,
    retiredCount: 0,
    adding: false,
    add: { name: '', kind: '' },
    addErrors: {},
    saving: false,
    renaming: '',
    renameValue: '',
    renameError: '',
    kinds: KINDS,
  } as UnitsData,

  methods: {
    own(): UnitsPrivate {
      return this as unknown as UnitsPrivate;
    },
    view(): UnitsData {
      return this.data as UnitsData;
    },

    onLoad() {
      this.own().units = [];
      void this.load();
    },

    async load(quiet = false) {
      if (!quiet) this.setData({ phase: 'loading', error: '' });
      try {
        const units = await fetchDirectory();
        this.own().units = units;
        this.setData({
          phase: 'ready',
          blocks: unitBlocks(units),
          activeCount: units.filter((u) => u.active).length,
          retiredCount: units.filter((u) => !u.active).length,
        });
      } catch (err) {
        if (quiet && this.view().phase === 'ready') toast(errorText(err));
        else this.setData(loadFailure(err));
      }
    },

    unit(id: string): DirectoryUnitView | undefined {
      return this.own().units.find((u) => u.id === id);
    },

    // ---- add --------------------------------------------------------------------------

    onToggleAdd() {
      this.setData({ adding: !this.view().adding, add: { name: '', kind: '' }, addErrors: {} });
    },

    onAddName(e: WechatMiniprogram.Input) {
      this.setData({ 'add.name': e.detail.value, 'addErrors.name': '' });
    },

    onAddKind(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { kind: UnitKind }>) {
      this.setData({ 'add.kind': e.currentTarget.dataset.kind, 'addErrors.kind': '' });
    },

    async onSaveAdd() {
      const { add, saving } = this.view();
      if (saving) return;
      const errors: UnitsData['addErrors'] = {};
      const nameError = checkName(add.name);
      if (nameError) errors.name = nameError;
      if (!add.kind) errors.kind = '请选择单位类别';
      if (Object.keys(errors).length > 0 || !add.kind) {
        this.setData({ addErrors: errors });
        return;
      }
      this.setData({ saving: true, addErrors: {} });
      try {
        const res = await createUnit(add.name, add.kind);
        const tasks = res.assignmentsAdded > 0 ? `，按任务分解表新增 ${res.assignmentsAdded} 项责任分工` : '';
        toast(res.created ? `已添加「${res.unit.name}」${tasks}` : `「${res.unit.name}」已在目录中`);
        this.setData({ saving: false, adding: false, add: { name: '', kind: '' } });
        await this.load(true);
      } catch (err) {
        const field = errorField(err);
        const slot = field === 'name' || field === 'kind' ? field : 'form';
        this.setData({ saving: false, addErrors: { [slot]: errorText(err) } });
      }
    },

    // ---- rename -----------------------------------------------------------------------

    onStartRename(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      const unit = this.unit(e.currentTarget.dataset.id);
      if (unit) this.setData({ renaming: unit.id, renameValue: unit.name, renameError: '' });
    },

    onRenameInput(e: WechatMiniprogram.Input) {
      this.setData({ renameValue: e.detail.value, renameError: '' });
    },

    onCancelRename() {
      this.setData({ renaming: '', renameError: '' });
    },

    async onSaveRename() {
      const { renaming, renameValue, saving } = this.view();
      const unit = this.unit(renaming);
      if (!unit || saving) return;
      const nameError = checkName(renameValue);
      if (nameError) {
        this.setData({ renameError: nameError });
        return;
      }
      if (renameValue.trim() === unit.name) {
        this.setData({ renaming: '' });
        return;
      }
      this.setData({ saving: true });
      try {
        const res = await renameUnit(unit.id, renameValue);
        toast(`已改名为「${res.unit.name}」，原名称保留为别名`);
        this.setData({ saving: false, renaming: '' });
        await this.load(true);
      } catch (err) {
        this.setData({ saving: false, renameError: errorText(err) });
      }
    },

    // ---- retire / restore ---------------------------------------------------------------

    async onRetire(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      const unit = this.unit(e.currentTarget.dataset.id);
      if (!unit) return;
      const ok = await confirmDialog(
        '停用单位',
        `停用「${unit.name}」后，它不再出现在绑定列表、总览和催办中，它的联络员（${unit.contacts} 人）将不能再登录报送；历史报送都会保留，可随时恢复。确定停用吗？`,
        '停用',
        true,
      );
      if (!ok) return;
      try {
        await retireUnit(unit.id);
        toast(`已停用「${unit.name}」`);
      } catch (err) {
        toast(errorText(err));
      }
      await this.load(true);
    },

    async onRestore(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>) {
      const unit = this.unit(e.currentTarget.dataset.id);
      if (!unit) return;
      const ok = await confirmDialog(
        '恢复单位',
        `恢复「${unit.name}」后，它的联络员可以继续报送，并补齐本年度的责任分工。确定恢复吗？`,
        '恢复',
      );
      if (!ok) return;
      try {
        await restoreUnit(unit.id);
        toast(`已恢复「${unit.name}」`);
      } catch (err) {
        toast(errorText(err));
      }
      await this.load(true);
    },
  },
});
