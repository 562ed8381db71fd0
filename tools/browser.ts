// Shared by every package's browser and HTTP tests.
// Serving a built page on 127.0.0.1 and driving Debian's chromium with
// playwright-core: the pieces every browser test here shares.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.wav': 'audio/wav', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
};

/** Where chromium is, or null. CHROMIUM_PATH overrides /usr/bin/chromium. */
export function findChromium(): string | null {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

/** A static file server for `root` on 127.0.0.1 (random port). */
export async function serveStatic(root: string): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(normalize(root) + sep) && file !== normalize(root)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headless chromium with the flags this sandbox needs (no background networking). */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * Records everything a page does that a test must fail on: console errors,
 * uncaught exceptions, failed requests, and requests leaving `origin`.
 */
export function watchPage(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`request leaves the origin: ${u}`);
  });
  return problems;
}

/**
 * Opens `url` in a new page (watched as by watchPage), waits until the page
 * publishes `window.__results`, saves a screenshot to `screenshotPath`,
 * closes the page, and returns the results with the problems it saw.
 */
export async function pageResults<T>(browser: Browser, url: string, screenshotPath: string, timeout = 120_000): Promise<{ results: T; problems: string[] }> {
  const page = await browser.newPage();
  try {
    const problems = watchPage(page, url);
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { __results?: unknown }).__results !== undefined, undefined, { timeout });
    const results = (await page.evaluate(() => (globalThis as { __results?: unknown }).__results)) as T;
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
    return { results, problems };
  } finally {
    await page.close();
  }
}
