// `npm start`: builds (as `npm run build`), then runs the local cloud in this same process, which
// npm's shell execs (package.json), so that npm's own parent-to-child signals reach the server
// itself (no orphan keeps the port and the data folder's lock). Arguments after `--` go to the
// local cloud (scripts/local-cloud/main.ts).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const built = spawnSync(process.execPath, [path.join(here, 'build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
createRequire(import.meta.url)(path.join(here, '..', 'build', 'local-cloud.js'));
