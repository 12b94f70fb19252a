/**
 * The one place that starts Debian's chromium: headless, sandbox-free (CI
 * containers), kept off the network, on a fresh empty profile each time.
 * `openBrowser` drives it with playwright-core (the console's browser
 * tests); `screenshotFile` runs it once to turn an HTML file into a PNG
 * (the mini program screenshots).
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { BrowserContext, BrowserType } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** No GPU, no QUIC, no first-run UI, no background fetches, updates or sync: nothing leaves the machine. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function freshProfile(): string {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk`);
  return fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-chromium-'));
}

export interface OpenBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium driven by playwright-core; close() also removes its profile. */
export async function openBrowser(opts: { width?: number; height?: number; scale?: number } = {}): Promise<OpenBrowser> {
  const profile = freshProfile();
  // Required lazily: the jsdom-environment screenshot test imports this module for screenshotFile only.
  const { chromium } = require('playwright-core') as { chromium: BrowserType };
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    deviceScaleFactor: opts.scale ?? 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Screenshots `htmlFile` at `width`×`height` CSS px into `png`. */
export function screenshotFile(htmlFile: string, png: string, opts: { width: number; height: number; scale: number }): void {
  const profile = freshProfile();
  try {
    execFileSync(
      CHROMIUM,
      [
        ...CHROMIUM_FLAGS,
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--force-device-scale-factor=${opts.scale}`,
        `--window-size=${opts.width},${opts.height}`,
        `--screenshot=${png}`,
        `file://${htmlFile}`,
      ],
      { stdio: 'ignore', timeout: 60000 },
    );
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
