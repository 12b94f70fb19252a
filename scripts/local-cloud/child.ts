/**
 * The local cloud in its own process, exactly as `npm start` runs it
 * (build/local-cloud.js, fsync on), on a data folder and a free port: for
 * the start-up test, the crash tests, `npm run bench` and `npm run soak`.
 * Run `node scripts/build.mjs` first.
 */
import { spawn, type ChildProcess } from 'child_process';
import path from 'path';
import { REPO_ROOT } from './runtime';

/** The administrator `npm start` bootstraps on a new data folder (LOCAL_OFFICE_OPENID of main.ts). */
export const LOCAL_OFFICE = 'o-local-office-admin';

export interface LocalCloudProcess {
  child: ChildProcess;
  origin: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, and wait for the exit (the data folder is closed cleanly). */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

/**
 * `npm start`'s local cloud (build/local-cloud.js) in its own process, on `dir`, on a free port;
 * `args` are more of its options (`--demo`, `--today …`).
 */
export function startLocalCloud(dir: string, timeoutMs = 30_000, args: string[] = []): Promise<LocalCloudProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'build', 'local-cloud.js'), '--port', '0', '--dir', dir, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`local cloud did not start:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const m = /local cloud running: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('试一试')) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({ child, origin: m[1] as string, output: () => out, stop: end('SIGTERM'), kill: end('SIGKILL') });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local cloud exited ${code}:\n${out}`));
    });
  });
}
