/**
 * `npm run remind -- --now 2021-09-27 [--time 09:00] [--dir .local-cloud]`: fires the reminder
 * function's timer once, now, on the local cloud's data, as if it were 09:00 (UTC+8) of that day,
 * and prints what WeChat received (from the outbox) and what went to the office's digest.
 * The data folder must not be open in `npm start` at the same time (stop it first).
 * REMINDER_* and SUBSCRIBE_KEYWORDS from the environment reach the function, as in the console.
 */
import path from 'path';
import type { RunSummary } from '../cloudfunctions/reminder/src/run';
import type { DigestDoc } from '../cloudfunctions/common/notify';
import { isValidDay } from '../cloudfunctions/common/domain/dates';
import { UNREACHABLE_LABEL } from '../miniprogram/shared/api';
import { LocalCloud, REPO_ROOT, lockRefusal, maskOpenid } from './local-cloud/runtime';
import { LOCAL_TEMPLATE_IDS, localTemplates } from './local-cloud/templates';

const KIND_LABEL: Record<string, string> = {
  [LOCAL_TEMPLATE_IDS.deadline]: '截止提醒',
  [LOCAL_TEMPLATE_IDS.returned]: '退回通知',
  [LOCAL_TEMPLATE_IDS.urge]: '催办/汇总',
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A refusal to run, shown as is (after the data folder is closed). */
class Stop extends Error {}
function fail(message: string): never {
  throw new Stop(message);
}

/** `2021-09-27` (+ `--time`) as 09:00 UTC+8, or any ISO time. */
function triggerTime(now: string | undefined, time: string): string {
  if (!now) return new Date().toISOString();
  if (isValidDay(now)) {
    if (!/^\d{2}:\d{2}$/.test(time)) fail(`--time 应为 HH:mm，例如 09:00（收到 ${time}）`);
    return `${now}T${time}:00+08:00`;
  }
  const at = new Date(now);
  if (Number.isNaN(at.getTime())) fail(`--now 应为日期（如 2021-09-27）或 ISO 时间（收到 ${now}）`);
  return at.toISOString();
}

async function main(): Promise<void> {
  const dir = path.resolve(REPO_ROOT, arg('dir') ?? process.env.LOCAL_CLOUD_DIR ?? '.local-cloud');
  const Time = triggerTime(arg('now'), arg('time') ?? '09:00');
  let cloud: LocalCloud;
  try {
    cloud = new LocalCloud({ dir, functionEnv: { SUBSCRIBE_TEMPLATES: JSON.stringify(LOCAL_TEMPLATE_IDS) } });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    fail(lockRefusal(err, dir, 'npm run remind') ?? text);
  }
  try {
    cloud.openapi.setTemplates(localTemplates(LOCAL_TEMPLATE_IDS));
    // As in `npm start`: locally the ledger alone decides who has a subscription left.
    cloud.openapi.setQuotaPolicy('unlimited');
    if (cloud.db.count('plans', {}) === 0)
      fail(`数据目录 ${dir} 中还没有任务分解表：请先运行 npm start（首次启动会导入 2021 年任务分解表）。`);
    const mark = cloud.openapi.outbox({ limit: Number.MAX_SAFE_INTEGER }).length;
    const res = (await cloud.runTrigger('reminder', 'remind', { Time })) as
      { ok: true; data: RunSummary } | { ok: false; code: string; message: string };
    if (!res.ok) fail(`提醒运行失败：${res.code} ${res.message}`);
    const s = res.data;
    const sent = cloud.openapi.outbox({ offset: mark, limit: Number.MAX_SAFE_INTEGER });
    const names = new Map(cloud.db.find('contacts', {}).map((c) => [String(c._id), String(c.name ?? '')]));

    const lines = [
      `提醒运行：${s.day}（模拟时间 ${s.now}），用时 ${s.ms} ms${s.complete ? '' : `，时间预算用完，剩余 ${s.remaining} 条留给下一次运行`}`,
      `计划 ${s.planned} 条：发送成功 ${s.sent}，失败 ${s.failed}，无法送达 ${s.unreachable}，待重试 ${s.retry}，已处理过 ${s.skipped}` +
        (s.unconfirmed ? `，上次中断未确认 ${s.unconfirmed}` : ''),
      '',
      `发件箱（本次 ${sent.length} 条）：`,
    ];
    for (const e of sent) {
      const data = (e.data ?? {}) as Record<string, { value?: string }>;
      const values = Object.entries(data).map(([k, v]) => `${k}=${v.value ?? ''}`);
      const who = `${names.get(e.touser) || '?'}（${maskOpenid(e.touser)}）`;
      const result = e.result.errCode === 0 ? '成功' : `失败 ${e.result.errCode}`;
      lines.push(`  ${KIND_LABEL[e.templateId] ?? e.templateId} → ${who} ${result}：${values.join('  ')}`);
    }
    if (sent.length === 0) lines.push('  （无）');

    const digest = cloud.db.find('digests', { _id: s.day })[0] as unknown as DigestDoc | undefined;
    const entries = Object.values(digest?.entries ?? {});
    lines.push(
      '',
      `今日汇总（${s.day}）：${entries.length} 个单位未能提醒到${s.digestNotified ? `，已通知管理员 ${s.digestNotified} 人` : ''}`,
    );
    for (const e of entries) {
      const people = e.people.length
        ? e.people.map((p) => `${p.name}：${UNREACHABLE_LABEL[p.reason]}`).join('；')
        : UNREACHABLE_LABEL.no_contact;
      lines.push(`  ${e.unitName}（${people}）`);
    }
    if (digest?.message) lines.push('', '可转发到工作群的消息：', digest.message);
    console.log(lines.join('\n'));
  } finally {
    cloud.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
