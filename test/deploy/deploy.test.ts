/**
 * `npm run deploy`: the dry run prints the complete plan from the project
 * itself and never loads miniprogram-ci; wrong or missing arguments are
 * refused before anything is sent.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { cloudFunctions, parseDeployArgs } from '../../scripts/deploy/plan';
import { projectRoot, runDeploy, type DeployIo } from '../../scripts/deploy/run';

const ROOT = projectRoot(__dirname);
const APPID = 'wx0123456789abcdef';
const ENV = 'zwgk-prod-1a2b';
/** The triggers as their functions' config.json declare them (the plan must say exactly these). */
const cronOf = (fn: string) =>
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'cloudfunctions', fn, 'config.json'), 'utf8')) as { triggers: { config: string }[] })
    .triggers[0]!.config;
const REMINDER_CRON = cronOf('reminder');
const LINKCHECK_CRON = cronOf('linkcheck');
let dir: string;
let key: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-deploy-'));
  key = path.join(dir, 'private.wx0123456789abcdef.key');
  fs.writeFileSync(key, '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function deploy(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const lines: string[] = [];
  let ciLoaded = false;
  const io: DeployIo = {
    log: (line) => lines.push(line),
    loadCi: () => {
      ciLoaded = true;
      throw new Error('no network in tests');
    },
  };
  const code = await runDeploy(argv, env, io, ROOT);
  return { code, out: lines.join('\n'), ciLoaded };
}

const full = () => ['--appid', APPID, '--private-key', key, '--env', ENV, '--dry-run'];

test('the dry run names every function with its config, the trigger, the mini program upload, and never loads miniprogram-ci', async () => {
  const { code, out, ciLoaded } = await deploy(full());
  expect(code).toBe(0);
  expect(ciLoaded).toBe(false);
  const functions = cloudFunctions(ROOT);
  expect(functions.map((f) => f.name)).not.toContain('common');
  expect(functions.map((f) => f.name)).toEqual(expect.arrayContaining(['api', 'ledger', 'reminder']));
  for (const f of functions) {
    expect(out).toContain(`上传云函数 ${f.name}（cloudfunctions/${f.name}`);
    expect(out).toContain(`${f.name}：超时时间 ${f.timeout} 秒`);
  }
  expect(out).toContain(`创建 reminder 的定时触发器 remind：${REMINDER_CRON}`);
  expect(out).toContain(`创建 linkcheck 的定时触发器 check-new-links：${LINKCHECK_CRON}`);
  expect(out).toContain(`上传小程序开发版 0.1.0（AppID ${APPID}`);
  expect(out).toContain('不上传 cloudfunctions/common');
  expect(out).toContain('演练：不联网、不上传');
  // What a person must paste: environment variables, templates, privacy, storage, indexes, first run.
  expect(out).toMatch(/api 环境变量 SETUP_CODE = /);
  expect(out).toContain(
    'reminder 环境变量 SUBSCRIBE_TEMPLATES = {"deadline":"<截止提醒模板ID>","returned":"<退回通知模板ID>","urge":"<催办通知模板ID>"}',
  );
  expect(out).toContain('用户隐私保护指引');
  expect(out).toContain('wx.chooseMessageFile');
  expect(out).toContain('云存储安全规则');
  expect(out).toContain('reports：round_assignment  roundId 升序，assignmentId 升序，version 降序');
  expect(out).toContain('admin.bootstrap');
  expect(out).toContain('plan.seed');
  expect(out).toContain('system.check');
  // The key's content is never printed.
  expect(out).not.toContain('MIIEowIBAAKCAQEA');
});

test('a mini program not pointed at the environment is named as the first thing to fix', async () => {
  const { out } = await deploy(full());
  expect(out).toMatch(/必须先处理：\n {2}✗ miniprogram\/config\.ts 的 cloudEnv 是「[^」]*」，应为「zwgk-prod-1a2b」/);
});

test('the same arguments may come from environment variables; flags win', async () => {
  const { code, out } = await deploy(['--dry-run', '--env', 'other-env-9'], { WX_APPID: APPID, WX_PRIVATE_KEY_PATH: key, TCB_ENV_ID: ENV });
  expect(code).toBe(0);
  expect(out).toContain('部署到云开发环境 other-env-9（小程序 wx0123456789abcdef）');
});

test.each([
  [['--private-key', 'K', '--env', ENV], '缺少小程序 AppID'],
  [['--appid', APPID, '--private-key', 'K'], '缺少云开发环境 ID'],
  [['--appid', APPID, '--env', ENV], '缺少代码上传密钥'],
  [['--appid', 'touristappid', '--private-key', 'K', '--env', ENV], '不是小程序 AppID'],
  [['--appid', APPID, '--private-key', 'K', '--env', ENV, '--version', 'v2'], '应形如 1.2.3'],
  [['--appid', APPID, '--private-key', 'K', '--env'], '--env 后面缺少值'],
  [['--appid', APPID, '--private-key', 'K', '--env', ENV, '--force'], '不认识的参数 --force'],
])('%j is refused with a clear message', (argv, message) => {
  expect(() =>
    parseDeployArgs(
      argv.map((a) => (a === 'K' ? key : a)),
      {},
      '0.1.0',
    ),
  ).toThrow(message);
});

test('a missing or wrong key file stops everything before any upload, dry run or not', async () => {
  for (const dryRun of [true, false]) {
    const missing = await deploy([
      '--appid',
      APPID,
      '--private-key',
      path.join(dir, 'nope.key'),
      '--env',
      ENV,
      ...(dryRun ? ['--dry-run'] : []),
    ]);
    expect(missing).toMatchObject({ code: 2, ciLoaded: false });
    expect(missing.out).toContain('读不到代码上传密钥');
  }
  const notKey = path.join(dir, 'notes.txt');
  fs.writeFileSync(notKey, 'hello');
  const wrong = await deploy(['--appid', APPID, '--private-key', notKey, '--env', ENV]);
  expect(wrong).toMatchObject({ code: 2, ciLoaded: false });
  expect(wrong.out).toContain('不是代码上传密钥');
});

test('a real run with the mini program not pointed at the environment stops before loading miniprogram-ci', async () => {
  const res = await deploy(['--appid', APPID, '--private-key', key, '--env', ENV]);
  expect(res).toMatchObject({ code: 1, ciLoaded: false });
});

/** A copy of the project's shape, pointed at the environment, with built functions. */
function projectCopy(name: string): string {
  const root = path.join(dir, name);
  const copy = (rel: string, edit: (s: string) => string = (s) => s) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), edit(fs.readFileSync(path.join(ROOT, rel), 'utf8')));
  };
  for (const rel of ['project.config.json', 'package.json', 'cloudfunctions/common/schema.ts']) copy(rel);
  copy('miniprogram/config.ts', (s) => s.replace(/cloudEnv: '[^']*'/, `cloudEnv: '${ENV}'`));
  for (const f of cloudFunctions(ROOT)) {
    for (const file of ['config.json', 'package.json', 'src/index.ts']) copy(`cloudfunctions/${f.name}/${file}`);
    fs.writeFileSync(path.join(root, 'cloudfunctions', f.name, 'index.js'), '// built\n');
  }
  return root;
}

test('a storage rule file shipped with the project is printed to paste, and nothing blocks a prepared project', async () => {
  const root = projectCopy('with-rule');
  fs.writeFileSync(path.join(root, 'storage.rules.json'), '{\n  "read": true,\n  "write": false\n}\n');
  const lines: string[] = [];
  const code = await runDeploy(
    full(),
    {},
    {
      log: (l) => lines.push(l),
      loadCi: () => {
        throw new Error('offline');
      },
    },
    root,
  );
  expect(code).toBe(0);
  const out = lines.join('\n');
  expect(out).not.toContain('必须先处理');
  expect(out).toContain('粘贴以下内容：\n    {\n      "read": true,\n      "write": false\n    }');
});

test('a real run uploads each function with remote npm install, the timer, then the mini program — never common', async () => {
  const root = projectCopy('project');
  const calls: string[] = [];
  const io: DeployIo = {
    log: () => undefined,
    loadCi: () => ({
      Project: class {
        constructor(o: { appid: string; projectPath: string; privateKeyPath: string }) {
          calls.push(`project ${o.appid} ${path.relative(root, o.projectPath) || '.'} ${o.privateKeyPath === key}`);
        }
      },
      upload: async (o) => {
        calls.push(`upload ${o.version} ${o.desc}`);
        return {};
      },
      cloud: {
        uploadFunction: async (o) => {
          calls.push(`function ${o.env} ${o.name} ${path.relative(root, o.path)} ${o.remoteNpmInstall}`);
          return { filesCount: 3, packSize: 2048 };
        },
        createTimeTrigger: async (o) => {
          calls.push(`trigger ${o.envId} ${o.functionName} ${o.triggersConfig.map((t) => t.config).join()}`);
          return '创建定时触发器成功';
        },
      },
    }),
  };
  const code = await runDeploy(
    ['--appid', APPID, '--private-key', key, '--env', ENV, '--version', '1.2.0', '--desc', '首次部署'],
    {},
    io,
    root,
  );
  expect(code).toBe(0);
  const functions = cloudFunctions(ROOT);
  expect(calls).toEqual([
    `project ${APPID} . true`,
    ...functions.flatMap((f) => [
      `function ${ENV} ${f.name} cloudfunctions/${f.name} true`,
      ...(f.triggers.length ? [`trigger ${ENV} ${f.name} ${f.triggers.map((t) => t.config).join()}`] : []),
    ]),
    'upload 1.2.0 首次部署',
  ]);
  expect(calls).toContain(`trigger ${ENV} reminder ${REMINDER_CRON}`);
  expect(calls.some((c) => c.includes('common'))).toBe(false);
});
