/**
 * Child processes for crash tests: a test script bundled on the fly (so it
 * runs under plain node and can be killed with SIGKILL mid-write), with
 * wx-server-sdk left to the project's node_modules as in the cloud.
 */
import { buildSync } from 'esbuild';

/** Bundles `entry` (a .ts file beside the test) to `outfile`, ready for `spawn(process.execPath, [outfile, …])`. */
export function bundleChild(entry: string, outfile: string): string {
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['wx-server-sdk'],
    logLevel: 'silent',
  });
  return outfile;
}
