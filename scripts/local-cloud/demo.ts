/**
 * `npm start -- --demo`: a living demo year on top of the 2021 table, built
 * the way its people would have built it — the office through the api, each
 * contact person as themselves (per-call identity over the bridge), photos and
 * files uploaded through the storage route the mini program uses, the real
 * reminder timer fired on earlier days — with the local clock set to each
 * moment in turn. Nothing is written to the database directly, so the demo
 * follows the data model wherever it goes. Deterministic: fixed fictitious
 * names and phones, no randomness.
 */
import fs from 'fs';
import path from 'path';
import type { ActionName, ActionRequest, ActionResponse, RoundView, SubmitReportInput, UnitView } from '../../miniprogram/shared/api';
import { uploadPrefix } from '../../miniprogram/shared/api';
import { addDays } from '../../cloudfunctions/common/domain/dates';
import { Client } from '../load';
import { demoPdf, demoPhoto } from './demo-files';
import type { LocalCloud } from './runtime';
import { LOCAL_TEMPLATE_IDS } from './templates';

/** The demo's "today" unless `--today` is given: a Tuesday in late September 2021, after the 09:00 reminder run. */
export const DEMO_DEFAULT_TODAY = '2021-09-21T10:30:00+08:00';
const MARKER = 'demo.json';
const GROUP = 'demo-zoucheng-gwgk-group';
const SECOND_ADMIN = { openid: 'o-demo-office-wanglei', name: '王磊' };

/** Fictitious people, one per unit in table order. */
const NAMES = [
  '张伟',
  '王芳',
  '李娜',
  '刘洋',
  '陈静',
  '杨帆',
  '赵磊',
  '黄敏',
  '周杰',
  '吴婷',
  '徐强',
  '孙丽',
  '马超',
  '朱琳',
  '胡军',
  '郭燕',
  '何平',
  '高峰',
  '林雪',
  '罗斌',
  '郑洁',
  '梁宇',
  '谢娟',
  '宋涛',
  '唐敏',
  '许可',
  '韩雷',
  '冯霞',
  '邓勇',
  '曹颖',
  '彭亮',
  '曾红',
  '肖鹏',
  '田甜',
  '董刚',
  '袁媛',
];
const TEXTS = [
  '已在市政府网站“政府信息公开”专栏发布，并同步推送至政务微信公众号。',
  '已按要求完成公开，发布页面截图及公开清单见附件。',
  '已在本单位信息公开专栏集中公开，共发布 6 条，均已通过保密审查。',
  '已完成年度公开事项梳理，正在逐项上网发布，已发布部分见照片。',
  '已在便民服务中心公开栏张贴，并在网站同步公开。',
];
const RETURN_NOTES = [
  '请补充发布页面的截图，并写明发布日期和栏目名称。',
  '佐证照片看不清公开内容，请重新拍摄公开栏近景。',
  '文字说明过于简单，请写明公开的条数和所在栏目。',
];

export interface DemoMarker {
  today: string;
}

export function readDemoMarker(dir: string): DemoMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as DemoMarker;
  } catch {
    return undefined;
  }
}

/** A moment `days` after `today`'s date at `time` (UTC+8). */
function at(today: string, days: number, time: string): Date {
  return new Date(`${addDays(today, days)}T${time}:00+08:00`);
}

interface Step {
  at: Date;
  order: number;
  run: () => Promise<void>;
}

interface Person {
  openid: string;
  unit: UnitView;
  name: string;
  phone: string;
  /** taskNo → assignmentId, as tasks.mine shows it. */
  tasks: Map<number, string>;
}

/**
 * Builds the demo on a fresh local cloud listening at `baseUrl`; leaves the clock on `today`
 * (DEMO_DEFAULT_TODAY unless given) and returns lines for the banner.
 */
export async function seedDemo(
  cloud: LocalCloud,
  opts: { dir: string; baseUrl: string; setupCode: string; office: string; today?: Date },
): Promise<string[]> {
  const now = opts.today ?? new Date(DEMO_DEFAULT_TODAY);
  const today = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const client = new Client(opts.baseUrl);
  const api = <A extends ActionName>(openid: string, action: A, data: ActionRequest<A>): Promise<ActionResponse<A>> =>
    client.must(openid, action, data);
  const office = opts.office;
  const steps: Step[] = [];
  const step = (when: Date, run: () => Promise<void>) => steps.push({ at: when, order: steps.length, run });
  let seq = 0;

  // ---- early summer: the office sets up, contacts join -----------------------------------
  cloud.clock.set(at(today, -93, '09:00'));
  await api(office, 'admin.bootstrap', { setupCode: opts.setupCode, name: '李静' });
  const seed = await api(office, 'plan.seed', { year: 2021 });
  await api(office, 'admin.add', { openid: SECOND_ADMIN.openid, name: SECOND_ADMIN.name });
  await api(office, 'group.register', { groupCloudId: cloud.issueGroupCloudId(office, GROUP) });
  const units = (await api(office, 'unit.list', {})).filter((u) => u.active);

  // All but the last two units have a contact; three of them still wait for approval.
  const people: Person[] = [];
  const pendingFrom = units.length - 5;
  for (const [i, unit] of units.slice(0, units.length - 2).entries()) {
    const p: Person = {
      openid: `o-demo-${unit.id}`.slice(0, 64),
      unit,
      name: NAMES[i % NAMES.length] as string,
      phone: `1380000${String(1001 + i).padStart(4, '0')}`,
      tasks: new Map(),
    };
    const pending = i >= pendingFrom;
    const viaGroup = !pending && i % 6 !== 5;
    cloud.clock.set(at(today, -93 + (i % 4), `${String(10 + (i % 7)).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`));
    await api(p.openid, 'contact.bind', {
      unitId: unit.id,
      name: p.name,
      phone: p.phone,
      ...(viaGroup ? { groupCloudId: cloud.issueGroupCloudId(p.openid, GROUP) } : {}),
    });
    if (!viaGroup && !pending) await api(office, 'contact.approve', { openid: p.openid, unitId: unit.id });
    if (pending) continue;
    // Each accept of the subscription prompt buys one message (one-time subscriptions).
    for (let k = 0; k < (i % 5 === 4 ? 1 : 6); k++) {
      await api(p.openid, 'subscription.record', {
        results: { [LOCAL_TEMPLATE_IDS.deadline]: 'accept', [LOCAL_TEMPLATE_IDS.returned]: k < 2 ? 'accept' : 'reject' },
      });
    }
    const mine = await api(p.openid, 'tasks.mine', {});
    for (const item of mine.items) p.tasks.set(item.taskNo, item.assignmentId);
    people.push(p);
  }
  for (const admin of [office, SECOND_ADMIN.openid]) {
    await api(admin, 'subscription.record', { results: { [LOCAL_TEMPLATE_IDS.urge]: 'accept' } });
  }

  // ---- the rounds ----------------------------------------------------------------------
  const rounds: Record<'q2' | 'q3' | 'check', { id: string } & Partial<RoundView>> = { q2: { id: '' }, q3: { id: '' }, check: { id: '' } };
  const q2 = { key: 'q2' as const, name: '第二季度报送', opened: -93, due: -75, scope: [4, 5, 10, 11, 12, 13, 14, 15] };
  const q3 = { key: 'q3' as const, name: '第三季度报送', opened: -20, due: 3, scope: [7, 9, 11, 12, 23, 25, 31, 35] };
  const check = { key: 'check' as const, name: '政策解读专项检查', opened: -16, due: -5, scope: [13, 14, 15, 36] };
  const plan = [q2, q3, check];
  for (const r of plan) {
    step(at(today, r.opened, '09:30'), async () => {
      rounds[r.key] = await api(office, 'round.create', { name: r.name, dueDate: addDays(today, r.due), scope: r.scope });
    });
  }

  /** One report with real evidence, uploaded the way the report page uploads it. */
  const submit = async (p: Person, roundKey: keyof typeof rounds, taskNo: number, version: number): Promise<string> => {
    const round = rounds[roundKey];
    const n = ++seq;
    const images = [];
    for (let k = 0; k < 1 + (n % 2); k++) {
      const bytes = demoPhoto(n + k);
      const fileID = await client.upload(p.openid, `${uploadPrefix(p.unit.id, p.openid)}2021/${round.id}/demo-${n}-${k}.png`, bytes);
      images.push({ fileID, name: `现场照片${k + 1}.png`, size: bytes.length });
    }
    const files = [];
    if (n % 3 === 0) {
      const name = `${p.unit.name}第${taskNo}项公开情况说明.pdf`;
      const bytes = demoPdf(`${p.unit.name}政务公开情况说明`, [
        `任务：第 ${taskNo} 项`,
        `报送人：${p.name}`,
        '公开栏目：政府信息公开专栏',
        `版本：第 ${version} 次报送`,
      ]);
      const fileID = await client.upload(p.openid, `${uploadPrefix(p.unit.id, p.openid)}2021/${round.id}/demo-${n}.pdf`, bytes);
      files.push({ fileID, name, size: bytes.length });
    }
    const input: SubmitReportInput = {
      assignmentId: p.tasks.get(taskNo) as string,
      roundId: round.id,
      text: version > 1 ? `已按要求补充：${TEXTS[n % TEXTS.length] as string}` : (TEXTS[n % TEXTS.length] as string),
      progress: n % 5 === 3 ? 'ongoing' : 'done',
      images,
      files,
      links: n % 4 === 0 ? [{ url: 'http://www.zoucheng.gov.cn/', title: '邹城市人民政府网站' }] : [],
      secrecyConfirmed: true,
      requestId: `demo-submit-${n}`,
    };
    return (await api(p.openid, 'report.submit', input)).report.id;
  };

  /** Who reports what in a round, and how it ends: the same every run. */
  const fates = ['approve', 'approve', 'approve', 'submitted', 'submitted', 'return', 'resubmit', 'none', 'none', 'approve'] as const;
  const schedule = (
    roundKey: keyof typeof rounds,
    scope: number[],
    from: number,
    to: number,
    mix: (i: number) => (typeof fates)[number],
  ) => {
    const pairs = people.flatMap((p) => scope.filter((no) => p.tasks.has(no)).map((no) => ({ p, no })));
    pairs.forEach(({ p, no }, i) => {
      const fate = mix(i);
      if (fate === 'none') return;
      const day = from + (i % Math.max(1, to - from - 1));
      const reviewer = i % 3 === 0 ? SECOND_ADMIN.openid : office;
      let reportId = '';
      step(at(today, day, `${String(9 + (i % 8)).padStart(2, '0')}:${String((i * 13) % 60).padStart(2, '0')}`), async () => {
        reportId = await submit(p, roundKey, no, 1);
      });
      if (fate === 'submitted') return;
      // Submissions fall on or before the day before yesterday: decisions and second versions are in the past.
      const decided = at(today, day + 1, `${String(14 + (i % 3))}:${String((i * 11) % 60).padStart(2, '0')}`);
      if (fate === 'approve') {
        step(
          decided,
          async () => void (await api(reviewer, 'review.decide', { reportId, decision: 'approve', expectedState: 'submitted' })),
        );
        return;
      }
      const note = RETURN_NOTES[i % RETURN_NOTES.length] as string;
      step(
        decided,
        async () => void (await api(reviewer, 'review.decide', { reportId, decision: 'return', note, expectedState: 'submitted' })),
      );
      if (fate === 'resubmit') {
        let again = '';
        step(at(today, day + 2, '08:40'), async () => void (again = await submit(p, roundKey, no, 2)));
        // A closed quarter ends with every report approved.
        if (roundKey === 'q2') {
          step(
            at(today, day + 2, '11:20'),
            async () => void (await api(office, 'review.decide', { reportId: again, decision: 'approve' })),
          );
        }
      }
    });
  };
  // Last quarter: everything in and approved (one return on the way); then closed.
  schedule('q2', q2.scope, -91, -76, (i) => (i % 7 === 3 ? 'resubmit' : 'approve'));
  // This quarter: every state, deadline in three days.
  schedule('q3', q3.scope, -15, -1, (i) => fates[i % fates.length] as (typeof fates)[number]);
  // The special check: due five days ago, a few reports, the rest overdue.
  schedule('check', check.scope, -14, -6, (i) => (i % 3 === 0 ? 'approve' : i % 3 === 1 ? 'none' : 'submitted'));

  // Reminders on the days before and after the deadlines, as the daily timer ran them.
  for (let d = -10; d <= 0; d++) {
    step(at(today, d, '09:00'), async () => void (await cloud.runTrigger('reminder', 'remind')));
  }
  step(at(today, -4, '10:15'), async () => {
    await api(office, 'urge.send', { roundId: rounds.check.id, requestId: 'demo-urge-check' });
  });
  step(at(today, -72, '10:00'), async () => void (await api(office, 'round.close', { id: rounds.q2.id })));

  steps.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);
  for (const s of steps) {
    cloud.clock.set(s.at);
    await s.run();
  }
  cloud.clock.set(now);
  fs.writeFileSync(path.join(opts.dir, MARKER), `${JSON.stringify({ today: now.toISOString() } satisfies DemoMarker)}\n`);
  return [
    `已生成演示数据：2021 年任务分解表（${seed.tasks} 项任务，${seed.units} 个单位）上的 3 个报送轮次、` +
      `${people.length} 位已通过的联络员（另有 3 位待审核）、${seq} 次报送（含照片和文件佐证）、提醒、催办和操作记录`,
    `演示管理员 openid：${office}（李静）、${SECOND_ADMIN.openid}（王磊）；联络员 openid 形如 o-demo-<单位代码>`,
  ];
}
