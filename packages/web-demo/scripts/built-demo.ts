// Shared by the scripts that drive the built demo in chromium (screenshot,
// bench): a fresh Vite build in a temporary folder, served on 127.0.0.1, and
// Debian's chromium (tools/browser.ts). The libraries must be built.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { findChromium, launchChromium, serveStatic, watchPage } from '../../../tools/browser.js';

export const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Paths given on the command line are relative to where it was typed (pnpm runs scripts in the package folder). */
export const fromUser = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p);

/**
 * Builds the demo, opens it in chromium (viewport 1280 x 900) once the model
 * is loaded, runs `fn`, and fails if the page reported any problem (console
 * error, failed or foreign request).
 */
export async function withBuiltDemo<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const chromium = findChromium();
  if (!chromium) throw new Error('no chromium (apt-get install -y chromium, or set CHROMIUM_PATH)');
  const outDir = mkdtempSync(join(tmpdir(), 'web-demo-run-'));
  try {
    await build({ configFile: join(pkg, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const server = await serveStatic(outDir);
    const browser = await launchChromium(chromium);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = watchPage(page, server.url);
      await page.goto(server.url);
      await page.evaluate(() => document.querySelector('specvae-demo')!.whenReady());
      const result = await fn(page);
      if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
      return result;
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
