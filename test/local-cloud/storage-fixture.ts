/**
 * The local storage backend behind the real SDK and a loopback HTTP server,
 * as the storage tests use it.
 */
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import { installSdkSeam } from '../../scripts/local-cloud/sdk-seam';
import { createStorageBackend, type StorageBackend } from '../../scripts/local-cloud/storage';

export const ENV = 'local-env';

export interface StorageFixture<Cloud> {
  dir: string;
  origin: string;
  /** What the HTTP server serves; a test may swap in a restarted backend. */
  storage: StorageBackend;
  cloud: Cloud;
  close(): Promise<void>;
}

type BackendOptions = Omit<Parameters<typeof createStorageBackend>[0], 'dir' | 'envId' | 'baseUrl'>;

export async function startStorageFixture<Cloud extends { init(c: { env: string }): void }>(
  tmpPrefix: string,
  options: BackendOptions = {},
): Promise<StorageFixture<Cloud>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const served: { storage?: StorageBackend } = {};
  const server = http.createServer((req, res) => {
    if (!served.storage?.httpHandler(req, res)) {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const storage = createStorageBackend({ dir, envId: ENV, baseUrl: () => origin, ...options });
  served.storage = storage;
  const uninstall = installSdkSeam({ 'storage.': storage.handle });
  const cloud = require('wx-server-sdk') as Cloud;
  cloud.init({ env: ENV });
  return {
    dir,
    origin,
    get storage() {
      return served.storage as StorageBackend;
    },
    set storage(next: StorageBackend) {
      served.storage = next;
    },
    cloud,
    async close() {
      uninstall();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
