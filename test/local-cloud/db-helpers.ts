/**
 * Shared set-up for the local database tests: a backend in a temp folder,
 * wired into the REAL wx-server-sdk through the seam.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import cloud from 'wx-server-sdk';
import { createDatabaseBackend, type DatabaseBackend, type DatabaseBackendOptions } from '../../scripts/local-cloud/db/database';
import { installSdkSeam } from '../../scripts/local-cloud/sdk-seam';

export type Row = Record<string, unknown> & { _id: string };

export function tempDir(prefix = 'lcdb-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A controllable server clock. */
export class Clock {
  constructor(public t = Date.UTC(2024, 0, 15, 8, 0, 0)) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface SdkFixture {
  dir: string;
  backend: DatabaseBackend;
  clock: Clock;
  db: ReturnType<typeof cloud.database>;
  close(): void;
}

/** Opens a backend and points the real SDK at it. */
export function openSdkFixture(opts: Partial<DatabaseBackendOptions> = {}): SdkFixture {
  const dir = opts.dir ?? tempDir();
  const clock = new Clock();
  const backend = createDatabaseBackend({ fsync: false, now: clock.now, ...opts, dir });
  const uninstall = installSdkSeam({ 'database.': backend.handle });
  cloud.init({ env: 'local' });
  const db = cloud.database();
  return {
    dir,
    backend,
    clock,
    db,
    close() {
      uninstall();
      backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The SDK's d.ts unions each promise with callback-style returns; this states
 * what the promise form yields, in one place.
 */
export function res<T>(value: unknown): Promise<T> {
  return value as Promise<T>;
}

export async function rows(query: { get(): unknown }): Promise<Row[]> {
  return (await res<{ data: Row[] }>(query.get())).data;
}

/** The rejection of a promise that must fail, typed the way wx-server-sdk shapes errors. */
export async function failure(p: unknown): Promise<{ errCode: number; errMsg: string; message: string; code?: string }> {
  try {
    await (p as Promise<unknown>);
  } catch (err) {
    return err as { errCode: number; errMsg: string; message: string; code?: string };
  }
  throw new Error('expected the call to fail, it succeeded');
}
