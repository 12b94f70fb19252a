/**
 * Turns a page rendered by miniprogram-simulate into a PNG: the page's DOM,
 * its compiled wxss, app.wxss compiled the same way, and a display mapping
 * for the wx-* elements, screenshotted by Debian's headless chromium at a
 * 375-pt phone width (2× pixels). Used by `npm run screenshots`.
 */
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { RenderedPage } from '../helpers/miniprogram';
import { MINIPROGRAM } from '../helpers/miniprogram';
import { screenshotFile } from '../helpers/chromium';

export const OUT_DIR = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');

// simulate renders every built-in as a custom element; give them their WeChat display.
const ELEMENT_CSS = `
wx-view, wx-scroll-view, wx-swiper, wx-form, wx-button, wx-textarea, wx-input, wx-radio-group, wx-checkbox-group, wx-navigator, main { display: block; }
wx-text, wx-label, wx-radio, wx-checkbox { display: inline; }
wx-image { display: inline-block; overflow: hidden; background: #ddd; }
wx-input, wx-textarea { min-height: 1.4em; }
wx-scroll-view { overflow: hidden; }
wx-input[placeholder]:empty::before, wx-textarea[placeholder]:empty::before { content: attr(placeholder); color: rgba(0,0,0,.3); }
wx-button { text-align: center; }
wx-radio::before, wx-checkbox::before { content: ''; display: inline-block; width: 36px; height: 36px; margin-right: 16px; vertical-align: -8px; border: 2px solid rgba(0,0,0,.25); border-radius: 50%; box-sizing: border-box; }
wx-checkbox::before { border-radius: 6px; }
wx-radio[checked]::before, wx-checkbox[checked]::before { background: #07c160; border-color: #07c160; }
`;

/** app.wxss the way simulate compiles page wxss: classes prefixed with `main--`, 1rpx = 1px. */
function appWxss(): string {
  const source = fs.readFileSync(path.join(MINIPROGRAM, 'app.wxss'), 'utf8');
  return source
    .replace(/(^|[^\w-])page(?=[\s{,])/g, '$1main')
    .replace(/(.)?\.([-_a-zA-Z][-_a-zA-Z0-9]*)/g, (all: string, before: string | undefined, name: string) =>
      before !== undefined && /\d/.test(before) ? all : `${before ?? ''}.main--${name}`,
    )
    .replace(/(\d+(?:\.\d+)?)rpx/g, '$1px');
}

function pageHtml(page: RenderedPage): string {
  const doc = (globalThis as unknown as { document: { head: { innerHTML: string } } }).document;
  const dom = page.root.dom as unknown as { outerHTML: string };
  // 750 CSS px of wxss (1rpx = 1px) zoomed by 0.5 = a 375-pt-wide phone.
  return `<!doctype html><html><head><meta charset="utf-8"><style>
html { zoom: 0.5; } body { margin: 0; width: 750px; }
${ELEMENT_CSS}
${appWxss()}
main { min-height: 100vh; font-family: 'Noto Sans CJK SC', 'PingFang SC', sans-serif; }
</style>${doc.head.innerHTML}</head><body>${dom.outerHTML}</body></html>`;
}

/** The bytes behind an image address: a temporary link (the local cloud's bridge) or a local file. */
function imageBytes(src: string): Promise<Buffer | undefined> {
  if (!/^http:/.test(src)) return Promise.resolve(fs.existsSync(src) ? fs.readFileSync(src) : undefined);
  return new Promise((resolve) =>
    http
      .get(src, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks) : undefined));
      })
      .on('error', () => resolve(undefined)),
  );
}

/** Every picture address in the page's data, in order (the order the page renders them). */
function imageSources(data: unknown, out: string[] = []): string[] {
  if (typeof data === 'string') {
    if (/^(http:\/\/|\/)\S+\.(png|jpe?g)(\?|$)/i.test(data) && !out.includes(data)) out.push(data);
  } else if (Array.isArray(data)) {
    for (const v of data) imageSources(v, out);
  } else if (data && typeof data === 'object') {
    for (const v of Object.values(data)) imageSources(v, out);
  }
  return out;
}

/**
 * simulate's <image> keeps no src, and chromium would not draw a custom element anyway: when the
 * page's data holds exactly as many picture addresses as the page has <image>s, each is drawn as
 * its element's background (cover, as mode="aspectFill"), inlined because chromium runs while this
 * process (and the local cloud serving the links) waits for it. Otherwise (a cloud:// fileID as
 * src, which only the phone resolves) they stay grey boxes.
 */
async function withImages(html: string, data: unknown): Promise<string> {
  const tags = [...html.matchAll(/<wx-image\b[^>]*>/g)];
  const sources = imageSources(data);
  if (tags.length === 0 || tags.length !== sources.length) return html;
  const css = await Promise.all(
    sources.map(async (src) => {
      const bytes = await imageBytes(src);
      if (!bytes) return '';
      const type = bytes.subarray(1, 4).toString() === 'PNG' ? 'image/png' : 'image/jpeg';
      return `background:#ddd url(data:${type};base64,${bytes.toString('base64')}) center/cover no-repeat;`;
    }),
  );
  let i = 0;
  return html.replace(/<wx-image\b[^>]*>/g, (tag) => {
    const style = css[i++];
    if (!style) return tag;
    return /\sstyle="/.test(tag) ? tag.replace(/\sstyle="/, ` style="${style}`) : tag.replace(/>$/, ` style="${style}">`);
  });
}

/** Writes docs/screenshots/<name>.png; throws if chromium is missing. */
export async function screenshot(page: RenderedPage, name: string, height = 1334): Promise<string> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zwgk-shot-'));
  const html = path.join(tmp, `${name}.html`);
  const png = path.join(OUT_DIR, `${name}.png`);
  fs.writeFileSync(html, await withImages(pageHtml(page), page.data()));
  try {
    screenshotFile(html, png, { width: 375, height: Math.round(height / 2), scale: 2 });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return png;
}
