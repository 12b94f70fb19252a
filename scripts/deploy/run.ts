/** The deploy command's work; scripts/deploy.ts is its entry. */
import fs from 'fs';
import path from 'path';
import { checkPrivateKey, cloudFunctions, DeployError, deployPlan, formatPlan, parseDeployArgs, type DeployOptions } from './plan';

/** The project folder (the one with project.config.json), from the sources or from build/. */
export function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'project.config.json'))) return dir;
    if (path.dirname(dir) === dir) throw new DeployError('找不到项目目录（project.config.json）');
  }
}
/** Shipped by the project when it sets its own storage security rule; printed for the console. */
const STORAGE_RULE_FILE = 'storage.rules.json';

/** The part of miniprogram-ci used here (its own d.ts pulls in its whole compiler). */
interface MiniprogramCi {
  Project: new (o: { appid: string; type: 'miniProgram'; projectPath: string; privateKeyPath: string; ignores?: string[] }) => unknown;
  upload(o: { project: unknown; version: string; desc: string; robot: number; setting: Record<string, boolean> }): Promise<unknown>;
  cloud: {
    uploadFunction(o: {
      project: unknown;
      env: string;
      name: string;
      path: string;
      remoteNpmInstall: boolean;
    }): Promise<{ filesCount: number; packSize: number }>;
    createTimeTrigger(o: {
      project: unknown;
      envId: string;
      functionName: string;
      triggersConfig: { name: string; type: string; config: string }[];
    }): Promise<string>;
  };
}

export interface DeployIo {
  log(line: string): void;
  /** Only a real run calls it. */
  loadCi(): MiniprogramCi;
}

async function upload(root: string, opts: DeployOptions, io: DeployIo): Promise<void> {
  const functions = cloudFunctions(root);
  const missing = functions.filter((f) => !fs.existsSync(path.join(f.dir, 'index.js')));
  if (missing.length)
    throw new DeployError(
      `缺少构建结果 ${missing.map((f) => `cloudfunctions/${f.name}/index.js`).join('、')}：请先运行 node scripts/build.mjs`,
    );
  const ci = io.loadCi();
  const project = new ci.Project({
    appid: opts.appid,
    type: 'miniProgram',
    projectPath: root,
    privateKeyPath: opts.privateKeyPath,
    ignores: ['node_modules/**/*', 'test/**/*', 'scripts/**/*', 'build/**/*', 'docs/**/*'],
  });
  for (const f of functions) {
    io.log(`上传云函数 ${f.name} …`);
    const res = await ci.cloud.uploadFunction({ project, env: opts.envId, name: f.name, path: f.dir, remoteNpmInstall: true });
    io.log(`  完成：${res.filesCount} 个文件，${Math.round(res.packSize / 1024)} KB`);
    if (f.triggers.length) {
      io.log(`  ${await ci.cloud.createTimeTrigger({ project, envId: opts.envId, functionName: f.name, triggersConfig: f.triggers })}`);
    }
  }
  io.log(`上传小程序开发版 ${opts.version} …`);
  await ci.upload({ project, version: opts.version, desc: opts.desc, robot: 1, setting: { es6: true, minify: true } });
  io.log('  完成');
}

/** Returns the exit code. */
export async function runDeploy(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: DeployIo,
  root = projectRoot(__dirname),
): Promise<number> {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const opts = parseDeployArgs(argv, env, pkg.version);
    checkPrivateKey(opts.privateKeyPath);
    const ruleFile = path.join(root, STORAGE_RULE_FILE);
    const rule = fs.existsSync(ruleFile) ? fs.readFileSync(ruleFile, 'utf8') : null;
    const plan = deployPlan(root, opts, rule);
    io.log(formatPlan(plan, opts));
    if (plan.blockers.length) return opts.dryRun ? 0 : 1;
    if (opts.dryRun) return 0;
    io.log('');
    await upload(root, opts, io);
    io.log('');
    io.log('自动部署已完成；请按上面「还需要人工完成」逐项处理。');
    return 0;
  } catch (err) {
    io.log(`部署未开始或未完成：${err instanceof Error ? err.message : String(err)}`);
    return err instanceof DeployError ? 2 : 1;
  }
}
