// Compiles the mini program with WeChat's own toolchain, offline, and fails on
// any error the real DevTools / upload would raise:
//   - every WXML with the official wcc, every WXSS with the official wcsc
//     (miniprogram-compiler ships both for Linux);
//   - the whole project with miniprogram-ci (the DevTools build extracted):
//     app.json / page json checks, TS through the typescript plugin,
//     minification, packaging into the main package and subpackages.
// miniprogram-ci asks the network for the account's limits through the
// Project's attr(); returning its built-in defaults (DefaultProjectAttr)
// makes it work offline. The private key is only read for uploads: a dummy
// file satisfies the constructor.
//
// Usage: node scripts/official-compile.mjs [projectDir]
// Prints progress, then one line `OFFICIAL-COMPILE <json report>`; exits 1 on any error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projectDir = path.resolve(process.argv[2] ?? repo);

/** The platform's limits per package (main and each subpackage). */
const PACKAGE_LIMIT = 2 * 1024 * 1024;

const errors = [];
const fail = (where, err) => errors.push(`${where}: ${(err instanceof Error ? err.message : String(err)).trim()}`);

const projectConfig = JSON.parse(fs.readFileSync(path.join(projectDir, 'project.config.json'), 'utf8'));
const miniRoot = path.join(projectDir, projectConfig.miniprogramRoot ?? '');
const setting = projectConfig.setting ?? {};

/** Files under the mini program root with an extension, relative, without it. */
function listFiles(ext) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'miniprogram_npm') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(ext)) out.push(path.relative(miniRoot, full).split(path.sep).join('/').slice(0, -ext.length));
    }
  };
  walk(miniRoot);
  return out.sort();
}

// ---- WXML and WXSS with the official wcc / wcsc ---------------------------------------------

const { wxmlToJs } = require('miniprogram-compiler');
const wcsc = require('miniprogram-compiler/src/wcsc');
const maxBuffer = 64 * 1024 * 1024;

try {
  // Throws with wcc's own message (file:line:column) on the first bad template.
  wxmlToJs(miniRoot, { maxBuffer });
} catch (err) {
  fail('wcc', err);
}
// wcsc's wrapper returns (not throws) its error.
const wxss = wcsc(miniRoot, listFiles('.wxss'), { maxBuffer });
if (wxss instanceof Error) fail('wcsc', wxss);

// ---- the whole project with miniprogram-ci --------------------------------------------------

const ci = require('miniprogram-ci');
const { DefaultProjectAttr } = require('miniprogram-ci/dist/config/config');

const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'official-compile-'));
const keyPath = path.join(keyDir, 'private.dummy.key');
fs.writeFileSync(keyPath, '-----BEGIN RSA PRIVATE KEY-----\nnot-used-offline\n-----END RSA PRIVATE KEY-----\n');

let files = {};
try {
  const project = new ci.Project({
    appid: projectConfig.appid && projectConfig.appid !== 'touristappid' ? projectConfig.appid : 'wx0000000000000000',
    type: 'miniProgram',
    projectPath: projectDir,
    privateKeyPath: keyPath,
    ignores: ['node_modules/**/*'],
  });
  project.attr = async () => DefaultProjectAttr;
  files = await ci.getCompiledResult({
    project,
    version: '0.0.0',
    setting: {
      es6: setting.es6 !== false,
      es7: setting.enhance === true,
      minify: setting.minified === true,
      minifyWXML: setting.minifyWXML === true,
      minifyWXSS: setting.minifyWXSS === true,
      autoPrefixWXSS: setting.postcss === true,
      ignoreUploadUnusedFiles: setting.ignoreUploadUnusedFiles === true,
    },
    // The compiler's own progress lines are noise here; its errors are thrown.
    onProgressUpdate: () => undefined,
  });
} catch (err) {
  fail('miniprogram-ci', err);
} finally {
  fs.rmSync(keyDir, { recursive: true, force: true });
}

// ---- packages: sizes, and nothing only the office uses in the main package -------------------

const appJson = JSON.parse(fs.readFileSync(path.join(miniRoot, 'app.json'), 'utf8'));
const subRoots = (appJson.subPackages ?? appJson.subpackages ?? []).map((p) => p.root.replace(/\/?$/, '/'));
const packageOf = (file) => subRoots.find((r) => file.startsWith(r))?.slice(0, -1) ?? 'main';
const sizeOf = (content) => (typeof content === 'string' ? Buffer.byteLength(content) : content.length);

const packages = {};
for (const [file, content] of Object.entries(files)) {
  const pkg = packageOf(file);
  packages[pkg] = (packages[pkg] ?? 0) + sizeOf(content);
}
for (const [pkg, size] of Object.entries(packages)) {
  if (size > PACKAGE_LIMIT) fail('package', `${pkg} is ${size} bytes, over the ${PACKAGE_LIMIT} limit`);
}

/**
 * Main-package scripts no main page reaches: code that only a subpackage uses
 * would load (and count) with the main package for nothing.
 */
function unreachedMainScripts() {
  const text = (f) => (typeof files[f] === 'string' ? files[f] : Buffer.from(files[f] ?? '').toString('utf8'));
  const roots = ['app', ...(appJson.pages ?? [])];
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const base = queue.shift();
    if (seen.has(base)) continue;
    seen.add(base);
    if (files[`${base}.json`] !== undefined) {
      const json = JSON.parse(text(`${base}.json`));
      for (const p of Object.values(json.usingComponents ?? {})) {
        queue.push(p.startsWith('/') ? p.slice(1) : path.posix.join(path.posix.dirname(base), p));
      }
    }
    for (const m of text(`${base}.js`).matchAll(/require\("([^"]+)"\)/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(base), m[1])).replace(/\.js$/, '');
      if (packageOf(`${target}.js`) === 'main') queue.push(target);
    }
  }
  // The compiler puts its Babel helpers in the main package for every package to share.
  return Object.keys(files)
    .filter((f) => f.endsWith('.js') && packageOf(f) === 'main' && !f.startsWith('@babel/') && !seen.has(f.slice(0, -3)))
    .sort();
}

const strays = Object.keys(files).length > 0 ? unreachedMainScripts() : [];
if (strays.length > 0) fail('main package', `scripts only a subpackage uses: ${strays.join(', ')}`);

const report = {
  ok: errors.length === 0,
  errors,
  packages,
  files: Object.fromEntries(Object.entries(files).map(([f, c]) => [f, sizeOf(c)])),
  minified: {
    wxml: setting.minifyWXML === true,
    wxss: setting.minifyWXSS === true,
    // A minified template keeps no line breaks between tags.
    sample: typeof files['pages/home/index.wxml'] === 'string' ? !/>\s*\n\s*</.test(files['pages/home/index.wxml']) : null,
  },
};
process.stdout.write(`\nOFFICIAL-COMPILE ${JSON.stringify(report)}\n`);
// miniprogram-ci leaves a forked compiler process and timers behind: end explicitly.
process.exit(report.ok ? 0 : 1);
