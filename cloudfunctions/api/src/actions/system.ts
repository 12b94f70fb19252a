/**
 * system.check: what an administrator looks at after a deployment (and
 * whenever reminders seem quiet). Each item says what was found and what to
 * do; nothing here changes data. The storage security rule cannot be read
 * from a cloud function, so that item says where to look instead.
 */
import type { CheckStatus, SystemCheck, SystemCheckItem } from '../../../../miniprogram/shared/api';
import { db, first } from '../../../common/cloud';
import { officeDay, addDays } from '../../../common/domain/dates';
import { empty } from '../../../common/validate';
import { lastReminderRun } from '../../../common/reminder-runs';
import { C } from '../../../common/schema';
import { REMINDER_KINDS, templateIds } from '../../../common/templates';
import type { ActionDef } from '../router';

const KIND_LABEL = { deadline: '截止提醒', returned: '退回通知', urge: '催办通知' } as const;
// `unknown` (what a function cannot see) does not make the deployment look worse.
const RANK: Record<CheckStatus, number> = { ok: 0, unknown: 0, warn: 2, error: 3 };

async function collectionsItem(): Promise<SystemCheckItem> {
  const names = Object.values(C) as string[];
  const missing = (
    await Promise.all(
      names.map(async (name) => {
        try {
          await db.collection(name).where({ _id: '_probe' }).limit(1).get();
          return null;
        } catch {
          return name;
        }
      }),
    )
  ).filter((n): n is string => n !== null);
  return {
    key: 'collections',
    label: '数据库集合',
    status: missing.length ? 'error' : 'ok',
    detail: missing.length
      ? `缺少 ${missing.join('、')}：请重新部署云函数后再检查（函数会自动创建）`
      : `${names.length} 个集合齐全；请在控制台把它们的权限设为「仅管理端可读写」`,
  };
}

function templatesItem(): SystemCheckItem {
  const ids = templateIds();
  const missing = REMINDER_KINDS.filter((k) => !ids[k]).map((k) => KIND_LABEL[k]);
  return {
    key: 'templates',
    label: '订阅消息模板',
    status: missing.length === REMINDER_KINDS.length ? 'error' : missing.length ? 'warn' : 'ok',
    detail: missing.length
      ? `未配置：${missing.join('、')}。在 api 和 reminder 云函数的环境变量 SUBSCRIBE_TEMPLATES 中填入模板 ID`
      : `截止提醒、退回通知、催办通知均已配置`,
  };
}

async function timerItem(now: Date): Promise<SystemCheckItem> {
  const run = await lastReminderRun();
  const label = '定时提醒';
  if (!run) return { key: 'timer', label, status: 'warn', detail: '还没有运行过：请确认 reminder 云函数已上传触发器（每天 9:00）' };
  const at = new Date(run.at);
  const when = `${officeDay(at)} ${at.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false })}`;
  if (!run.ok)
    return {
      key: 'timer',
      label,
      status: 'error',
      detail: `上次运行（${when}）出错${run.code ? `：${run.code}` : ''}，请查看 reminder 云函数日志`,
    };
  // A daily trigger that has not run for two office days has stopped.
  const stale = officeDay(at) < addDays(officeDay(now), -1);
  return {
    key: 'timer',
    label,
    status: stale ? 'warn' : 'ok',
    detail: stale
      ? `上次运行是 ${when}，之后没有再运行：请检查 reminder 云函数的触发器`
      : `上次运行 ${when}，发出 ${run.sent} 条${run.complete ? '' : '（未发完，下次继续）'}`,
  };
}

function storageItem(): SystemCheckItem {
  return {
    key: 'storage',
    label: '云存储安全规则',
    status: 'unknown',
    detail: '云函数无法读取存储的安全规则：请在云开发控制台 → 存储 → 权限设置中核对为部署说明中的规则',
  };
}

async function setupCodeItem(): Promise<SystemCheckItem> {
  const set = (process.env.SETUP_CODE ?? '') !== '';
  const booted = await first(db.collection(C.settings).where({ _id: 'bootstrap' }).limit(1));
  const label = '初始化口令';
  if (!booted)
    return {
      key: 'setupCode',
      label,
      status: set ? 'ok' : 'error',
      detail: set ? '已设置，等待第一位管理员使用' : '未设置 SETUP_CODE，无法初始化管理员',
    };
  return {
    key: 'setupCode',
    label,
    status: set ? 'warn' : 'ok',
    detail: set ? '已初始化但 SETUP_CODE 仍在：它已失效，建议在 api 云函数的环境变量中删除' : '已初始化，口令已删除',
  };
}

function versionsItem(): SystemCheckItem {
  return {
    key: 'versions',
    label: '版本',
    status: 'ok',
    detail: `集合 ${Object.keys(C).length} 个，Node.js ${process.version}`,
  };
}

export const systemCheck: ActionDef<'system.check'> = {
  access: 'admin',
  input: empty,
  async run(): Promise<SystemCheck> {
    const now = new Date();
    const items = await Promise.all([collectionsItem(), templatesItem(), timerItem(now), storageItem(), setupCodeItem(), versionsItem()]);
    const status = items.reduce<CheckStatus>((worst, i) => (RANK[i.status] > RANK[worst] ? i.status : worst), 'ok');
    return { status, items, checkedAt: now.toISOString() };
  },
};
