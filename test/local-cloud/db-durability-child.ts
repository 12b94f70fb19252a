/**
 * Child process for the crash test (bundled with esbuild at test time):
 * writes forever, printing each seq only after the backend acknowledged it.
 * Every fifth write is a 3-document batch, which must be all-or-nothing.
 * argv: <dataDir> <compactBytes>
 */
import { createDatabaseBackend } from '../../scripts/local-cloud/db/database';

const [dir, compactBytes] = process.argv.slice(2);
if (!dir) throw new Error('usage: child <dir> <compactBytes>');
const backend = createDatabaseBackend({ dir, fsync: true, compactBytes: Number(compactBytes) || undefined });
backend.ensureCollection('log');

async function run(): Promise<void> {
  for (let seq = 0; ; seq++) {
    const parts = seq % 5 === 4 ? 3 : 1;
    const data = Array.from({ length: parts }, (_v, part) => JSON.stringify({ seq, part, pad: 'x'.repeat(200) }));
    const r = (await backend.handle({ action: 'database.insertDocument', collectionName: 'log', data }, { params: { action: '' } })) as {
      code?: string;
      message?: string;
    };
    if (r.code) {
      process.stderr.write(`write failed: ${r.code} ${r.message}\n`);
      process.exit(1);
    }
    // Pipes are synchronous on Linux: once this returns, the parent can count it as acknowledged.
    process.stdout.write(`${seq}\n`);
  }
}

void run();
