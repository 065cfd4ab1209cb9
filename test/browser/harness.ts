/**
 * Real-Chromium test harness: bundles a browser entry file with esbuild, serves it from a tiny static
 * server on 127.0.0.1 (a secure context, so Web Locks and IndexedDB behave as on https), and opens
 * pages in Debian's chromium driven by playwright-core. Tests run under the normal `vitest run` in
 * Node; the page side is plain TypeScript that puts its API on `window.__rx`.
 *
 * Reusable for any browser test (e.g. reloading a running pipeline mid-stream):
 *   const h = await startHarness({ entry: 'test/browser/entries/my-entry.ts' });
 *   const page = await h.newPage();
 *   await page.evaluate(() => window.__rx.start());
 *   await reload(page);            // mid-stream: the page's pipeline dies and restarts
 *   await h.close();
 * Pages from one harness share one browser context: same origin, same IndexedDB, same Web Locks,
 * like tabs of one browser profile. `newContext()` gives an isolated profile.
 */

import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.RXFLINK_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HarnessOptions {
  /** The browser entry file (TypeScript), relative to the repository root or absolute. */
  readonly entry: string;
  /** Extra HTML in the page's body. */
  readonly body?: string;
}

export interface Harness {
  /** The page's URL: http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly browser: Browser;
  /** The shared context (one profile: tabs share storage and locks). */
  readonly context: BrowserContext;
  /** Opens a new tab in the shared context, at the harness page, once the entry has run. */
  newPage(context?: BrowserContext): Promise<Page>;
  /** A fresh, isolated profile (its own IndexedDB and locks). */
  newContext(): Promise<BrowserContext>;
  /** Messages the pages printed to their console (useful in failure messages). */
  readonly consoleLog: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
};

/** Bundles `entry` for the browser into `outdir/app.js` (ESM, ES2022, inline source maps). */
export async function bundle(entry: string, outdir: string): Promise<string> {
  const outfile = join(outdir, 'app.js');
  await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** Serves the files of `root` on 127.0.0.1 at an ephemeral port. */
export async function serve(root: string): Promise<{ url: string; server: Server }> {
  const base = resolve(root);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = resolve(base, `.${path === '/' ? '/index.html' : path}`);
    if (file !== base && !file.startsWith(base + sep)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (bytes) =>
        response
          .writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
            'cache-control': 'no-store',
            // Sandboxed frames (opaque origins) load the bundle too.
            'access-control-allow-origin': '*',
          })
          .end(bytes),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  return { url: `http://127.0.0.1:${address.port}/`, server };
}

/** Launches Debian's chromium headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'rxflink-browser-'));
  await bundle(options.entry, dir);
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>rxflink test</title><body>${options.body ?? ''}<script type="module" src="app.js"></script></body>`,
  );
  const { url, server } = await serve(dir);
  const browser = await launchChromium();
  const context = await browser.newContext();
  const consoleLog: string[] = [];

  const newPage = async (ctx: BrowserContext = context): Promise<Page> => {
    const page = await ctx.newPage();
    page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.message}`));
    await page.goto(url);
    await waitForEntry(page);
    return page;
  };

  return {
    url,
    browser,
    context,
    consoleLog,
    newPage,
    newContext: () => browser.newContext(),
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Reloads a page like a user pressing F5 (the old document is unloaded: its Web Locks are released
 * and its pending work is dropped) and waits until the entry has run again.
 */
export async function reload(page: Page): Promise<void> {
  await page.reload();
  await waitForEntry(page);
}

/** Waits until the entry module has run (it sets `window.__rx`), e.g. after `page.reload()`. */
export async function waitForEntry(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __rx?: unknown }).__rx !== undefined);
}

/** A page with a Web Worker bundle next to it, served, and Chromium to open it in. */
export interface WorkerSite {
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Bundles `entry` as the page (`app.js`) and `workerEntry` as its worker (`worker/app.js`, which the
 * page starts with `new Worker(new URL('./worker/app.js', location.href), { type: 'module' })`),
 * serves them and launches Chromium.
 */
export async function startWorkerSite(entry: string, workerEntry: string): Promise<WorkerSite> {
  const dir = await mkdtemp(join(tmpdir(), 'rxflink-worker-site-'));
  await bundle(entry, dir);
  await bundle(workerEntry, join(dir, 'worker'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="app.js"></script>',
  );
  const { url, server } = await serve(dir);
  const browser = await launchChromium();
  return {
    url,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
