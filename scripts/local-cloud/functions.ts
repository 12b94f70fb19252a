/**
 * Discovers the deployable cloud functions (each folder of cloudfunctions/
 * with a config.json) and reads their config the way the platform does.
 */
import fs from 'fs';
import path from 'path';
import { parseCron, type Cron } from './cron';

export interface TriggerConfig {
  name: string;
  type: 'timer';
  config: string;
  cron: Cron;
}
export interface FunctionConfig {
  name: string;
  dir: string;
  /** Seconds, as in config.json; the platform default is 3. */
  timeout: number;
  openapi: string[];
  triggers: TriggerConfig[];
}

interface RawConfig {
  timeout?: number;
  permissions?: { openapi?: string[] };
  triggers?: { name: string; type: string; config: string }[];
}

export function readFunctionConfig(dir: string): FunctionConfig {
  const name = path.basename(dir);
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as RawConfig;
  const triggers = (raw.triggers ?? []).map((t) => {
    if (t.type !== 'timer') throw new Error(`${name}/config.json: trigger ${t.name} has unsupported type ${t.type}`);
    return { name: t.name, type: 'timer' as const, config: t.config, cron: parseCron(t.config) };
  });
  return { name, dir, timeout: raw.timeout ?? 3, openapi: raw.permissions?.openapi ?? [], triggers };
}

export function discoverFunctions(root: string): FunctionConfig[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'config.json')))
    .map((d) => readFunctionConfig(path.join(root, d.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}
