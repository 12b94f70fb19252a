/**
 * What `npm run deploy` does and what it leaves to a person, worked out
 * from the project itself (the function folders and their config.json, the
 * speed indexes of schema.ts, the mini program's config) without any
 * network access. `--dry-run` prints exactly this; a real run carries out
 * the automatic steps with miniprogram-ci and prints the same manual ones.
 */
import fs from 'fs';
import path from 'path';
import { INDEXES } from '../../cloudfunctions/common/schema';

export interface DeployOptions {
  appid: string;
  privateKeyPath: string;
  envId: string;
  version: string;
  desc: string;
  dryRun: boolean;
}

export interface FunctionConfig {
  name: string;
  dir: string;
  timeout: number;
  openapi: string[];
  triggers: { name: string; type: string; config: string }[];
  dependencies: Record<string, string>;
}

/** A refusal before anything is sent, naming the flag (or variable) to fix. */
export class DeployError extends Error {}

const APPID = /^wx[0-9a-f]{16}$/;
const ENV_ID = /^[A-Za-z0-9][A-Za-z0-9-]{2,62}$/;
const VERSION = /^\d+\.\d+\.\d+$/;

const FLAGS: Record<string, keyof DeployOptions> = {
  '--appid': 'appid',
  '--private-key': 'privateKeyPath',
  '--env': 'envId',
  '--version': 'version',
  '--desc': 'desc',
};

/**
 * Flags win over environment variables (WX_APPID, WX_PRIVATE_KEY_PATH,
 * TCB_ENV_ID), so a CI job can keep the secret in its environment.
 */
export function parseDeployArgs(argv: readonly string[], env: NodeJS.ProcessEnv, packageVersion: string): DeployOptions {
  const given: Partial<Record<keyof DeployOptions, string>> = {};
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--dry-run') {
      dryRun = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = FLAGS[flag];
    if (!key) throw new DeployError(`不认识的参数 ${arg}（可用：${Object.keys(FLAGS).join(' ')} --dry-run）`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new DeployError(`${flag} 后面缺少值`);
    given[key] = value;
  }
  const appid = given.appid ?? env.WX_APPID ?? '';
  const privateKeyPath = given.privateKeyPath ?? env.WX_PRIVATE_KEY_PATH ?? '';
  const envId = given.envId ?? env.TCB_ENV_ID ?? '';
  if (!appid) throw new DeployError('缺少小程序 AppID：用 --appid wx… 或环境变量 WX_APPID 指定');
  if (!APPID.test(appid)) throw new DeployError(`--appid ${appid} 不是小程序 AppID（形如 wx 加 16 位十六进制）`);
  if (!envId) throw new DeployError('缺少云开发环境 ID：用 --env <环境ID> 或环境变量 TCB_ENV_ID 指定');
  if (!ENV_ID.test(envId)) throw new DeployError(`--env ${envId} 不是云开发环境 ID（字母、数字和“-”）`);
  if (!privateKeyPath) {
    throw new DeployError(
      '缺少代码上传密钥：用 --private-key <文件> 或环境变量 WX_PRIVATE_KEY_PATH 指定（公众平台 → 开发管理 → 开发设置 → 小程序代码上传）',
    );
  }
  const version = given.version ?? packageVersion;
  if (!VERSION.test(version)) throw new DeployError(`--version ${version} 应形如 1.2.3`);
  return { appid, privateKeyPath, envId, version, desc: given.desc ?? `政务公开任务台账 ${version}`, dryRun };
}

/** The key must be a readable upload key; checked in dry runs too, so a dry run proves the real one would start. */
export function checkPrivateKey(file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DeployError(`读不到代码上传密钥 ${file}：请确认路径（密钥不要放进项目目录或提交到仓库）`);
  }
  if (!text.includes('PRIVATE KEY')) throw new DeployError(`${file} 不是代码上传密钥（应以 -----BEGIN RSA PRIVATE KEY----- 开头）`);
}

/** Every deployable function: a folder under cloudfunctions/ with src/index.ts. `common` is shared source, never a function. */
export function cloudFunctions(root: string): FunctionConfig[] {
  const fnRoot = path.join(root, 'cloudfunctions');
  return fs
    .readdirSync(fnRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(fnRoot, d.name, 'src', 'index.ts')))
    .map((d) => {
      const dir = path.join(fnRoot, d.name);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
        timeout?: number;
        permissions?: { openapi?: string[] };
        triggers?: FunctionConfig['triggers'];
      };
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      return {
        name: d.name,
        dir,
        timeout: config.timeout ?? 3,
        openapi: config.permissions?.openapi ?? [],
        triggers: config.triggers ?? [],
        dependencies: pkg.dependencies ?? {},
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The environment id the mini program calls (miniprogram/config.ts `cloudEnv`). */
export function miniprogramCloudEnv(root: string): string | null {
  const source = fs.readFileSync(path.join(root, 'miniprogram', 'config.ts'), 'utf8');
  const m = /cloudEnv:\s*'([^']*)'/.exec(source);
  return m ? (m[1] as string) : null;
}

export interface ManualStep {
  title: string;
  where: string;
  lines: string[];
}

/** Environment variables each function reads (see README「订阅消息提醒」). */
const FUNCTION_ENV: Record<string, string[]> = {
  api: ['SETUP_CODE', 'SUBSCRIBE_TEMPLATES', 'SUBSCRIBE_KEYWORDS'],
  reminder: ['SUBSCRIBE_TEMPLATES', 'SUBSCRIBE_KEYWORDS'],
  linkcheck: ['LINK_OFFICE_DOMAINS'],
};

const ENV_VALUES: Record<string, string> = {
  SETUP_CODE: '<自拟 ≥ 8 位的随机口令，只告诉第一位管理员；初始化后删除>',
  SUBSCRIBE_TEMPLATES: '{"deadline":"<截止提醒模板ID>","returned":"<退回通知模板ID>","urge":"<催办通知模板ID>"}',
  LINK_OFFICE_DOMAINS: '<可选：政府网站以外、科室认可发布证明材料的网站域名，逗号分隔，如 mp.weixin.qq.com>',
  SUBSCRIBE_KEYWORDS:
    '{"deadline":{"thing1":"task","time2":"due","thing3":"tip"},"returned":{"thing1":"task","thing2":"note","time3":"at"},"urge":{"thing1":"what","time2":"due","thing3":"from"}}（这是默认值，可不设；所选模板的关键词名称不同时按实际名称改）',
};

export function manualSteps(opts: DeployOptions, functions: readonly FunctionConfig[], storageRule: string | null): ManualStep[] {
  const console = `云开发控制台（环境 ${opts.envId}）`;
  const steps: ManualStep[] = [];
  steps.push({
    title: '云函数配置：超时时间与环境变量（miniprogram-ci 不能设置）',
    where: `${console} → 云函数 → <函数名> → 版本与配置 → 编辑`,
    lines: functions.flatMap((f) => [
      `${f.name}：超时时间 ${f.timeout} 秒`,
      ...(FUNCTION_ENV[f.name] ?? []).map((v) => `  ${f.name} 环境变量 ${v} = ${ENV_VALUES[v] ?? ''}`),
    ]),
  });
  const withOpenapi = functions.filter((f) => f.openapi.length);
  if (withOpenapi.length) {
    steps.push({
      title: '确认云调用权限（随 config.json 上传；部署后在控制台核对一次）',
      where: `${console} → 云函数 → <函数名> → 云调用权限`,
      lines: withOpenapi.map((f) => `${f.name}：${f.openapi.join('、')}`),
    });
  }
  steps.push({
    title: '订阅消息模板（含长期订阅）',
    where: 'mp.weixin.qq.com → 功能 → 订阅消息 → 选用',
    lines: [
      '截止提醒（关键词：任务名称 thing、截止时间 time、温馨提示 thing）',
      '退回通知（关键词：任务名称 thing、退回意见 thing、退回时间 time）',
      '催办通知（关键词：催办事项 thing、截止时间 time、催办单位 thing）',
      '政务民生类目可选用长期订阅模板：一次允许、多次提醒；选好后把三个模板 ID 填进 SUBSCRIBE_TEMPLATES',
    ],
  });
  steps.push({
    title: '用户隐私保护指引',
    where: 'mp.weixin.qq.com → 设置 → 基本设置 → 服务内容声明 → 用户隐私保护指引',
    lines: [
      '选中的照片或视频信息（报送佐证照片：wx.chooseMedia）',
      '选中的文件（报送佐证文件：wx.chooseMessageFile）',
      '剪切板（复制催办、汇总群消息：wx.setClipboardData）',
      '手机号（联络员自己填写，用于政务公开科联系；只有管理员看到完整号码）',
    ],
  });
  steps.push({
    title: '云存储安全规则',
    where: `${console} → 存储 → 权限设置 → 自定义安全规则`,
    lines: storageRule
      ? [
          '粘贴以下内容：',
          ...storageRule.trimEnd().split('\n'),
          '规则让小程序只能在上传目录（units/…、imports/…）里写自己的文件；它看不到单位，报送时由云函数核对每个附件是本人在本单位目录下上传的',
        ]
      : [
          '项目未附带规则文件（storage.rules.json）：保持平台默认的「所有用户可读，仅创建者可读写」；报送时由云函数核对每个附件是本人在本单位目录下上传的',
        ],
  });
  steps.push({
    title: '数据库权限',
    where: `${console} → 数据库 → 每个集合 → 数据权限`,
    lines: ['集合由云函数第一次运行时自动创建；创建后把每个集合设为「仅管理端可读写」（自定义规则：{"read": false, "write": false}）'],
  });
  steps.push({
    title: '可选：加速索引（数据量大时更快；所有唯一性都不依赖它们）',
    where: `${console} → 数据库 → <集合> → 索引管理 → 添加索引`,
    lines: Object.entries(INDEXES).flatMap(([coll, specs]) =>
      specs.map(
        (s) =>
          `${coll}：${s.name}  ${Object.entries(s.keys)
            .map(([k, d]) => `${k} ${d === 1 ? '升序' : '降序'}`)
            .join('，')}`,
      ),
    ),
  });
  steps.push({
    title: '第一次使用（在小程序里完成）',
    where: `mp.weixin.qq.com → 版本管理 → 开发版本 ${opts.version} → 选为体验版，管理员用微信扫码打开`,
    lines: [
      '1. 打开小程序，在「初始化」页输入 SETUP_CODE 成为第一位管理员（admin.bootstrap）',
      '2. 工作台 → 导入 2021 年任务分解表（plan.seed），或用「任务表导入」导入当年的表（import.commit）',
      '3. 工作台 → 设置 → 部署检查（system.check）：集合、模板、定时提醒上次运行都应为「正常」',
      '4. 在云函数配置中删除 SETUP_CODE（它已失效，删除后检查不再提示）',
      '5. 邀请各单位联络员绑定，创建第一个报送轮次',
    ],
  });
  return steps;
}

export interface DeployPlan {
  automatic: string[];
  blockers: string[];
  manual: ManualStep[];
}

export function deployPlan(root: string, opts: DeployOptions, storageRule: string | null): DeployPlan {
  const functions = cloudFunctions(root);
  const blockers: string[] = [];
  const cloudEnv = miniprogramCloudEnv(root);
  if (cloudEnv !== opts.envId) {
    blockers.push(
      `miniprogram/config.ts 的 cloudEnv 是「${cloudEnv ?? ''}」，应为「${opts.envId}」：改好后再部署，否则小程序连不到这个环境`,
    );
  }
  const automatic = [
    '构建云函数：node scripts/build.mjs（生成各函数的 index.js）',
    ...functions.map(
      (f) =>
        `上传云函数 ${f.name}（cloudfunctions/${f.name}，含 config.json；云端安装依赖：${
          Object.entries(f.dependencies)
            .map(([n, v]) => `${n}@${v}`)
            .join('、') || '无'
        }）`,
    ),
    ...functions.flatMap((f) => f.triggers.map((t) => `创建 ${f.name} 的定时触发器 ${t.name}：${t.config}（7 段 cron，UTC+8）`)),
    `上传小程序开发版 ${opts.version}（AppID ${opts.appid}，描述「${opts.desc}」）`,
    '不上传 cloudfunctions/common：它是各函数打包进 index.js 的共用源码，不是云函数',
  ];
  return { automatic, blockers, manual: manualSteps(opts, functions, storageRule) };
}

export function formatPlan(plan: DeployPlan, opts: DeployOptions): string {
  const out: string[] = [];
  out.push(`部署到云开发环境 ${opts.envId}（小程序 ${opts.appid}）${opts.dryRun ? ' —— 演练：不联网、不上传' : ''}`);
  if (plan.blockers.length) {
    out.push('', '必须先处理：');
    for (const b of plan.blockers) out.push(`  ✗ ${b}`);
  }
  out.push('', opts.dryRun ? '将自动完成：' : '自动完成：');
  plan.automatic.forEach((s, i) => out.push(`  ${i + 1}. ${s}`));
  out.push('', '还需要人工完成（复制下面的值）：');
  plan.manual.forEach((m, i) => {
    out.push('', `【${i + 1}】${m.title}`, `    位置：${m.where}`);
    for (const line of m.lines) out.push(`    ${line}`);
  });
  return out.join('\n');
}
