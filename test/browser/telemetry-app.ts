/**
 * The telemetry app (demo/telemetry) in real Chromium: builds it with Vite as `npm run demo:browser`
 * does, serves the build with the harness's static server, and opens tabs in one browser profile.
 * Each test run uses its own pipeline id (`?id=`), so runs never share stored state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium, serve } from './harness.js';

export interface TelemetryApp {
  readonly url: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly consoleLog: string[];
  /** Opens a tab at the app with these URL parameters, once its test API is there. */
  open(params: Record<string, string | number>): Promise<Page>;
  close(): Promise<void>;
}

export async function startTelemetryApp(): Promise<TelemetryApp> {
  const dir = await mkdtemp(join(tmpdir(), 'rxflink-telemetry-'));
  await build({
    configFile: 'demo/telemetry/vite.config.ts',
    logLevel: 'silent',
    build: { outDir: dir, emptyOutDir: true },
  });
  const { url, server } = await serve(dir);
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const consoleLog: string[] = [];
  return {
    url,
    browser,
    context,
    consoleLog,
    async open(params) {
      const page = await context.newPage();
      page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.message}`));
      await page.goto(`${url}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`);
      await waitForApp(page);
      return page;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the app's module has run (it sets `__telemetry`). */
export async function waitForApp(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as { __telemetry?: unknown }).__telemetry !== undefined);
}

/**
 * The app's Redux state (demo/telemetry/src/store.ts): rxflink/redux's pipeline-status slice, its
 * window-results slices of area windows and user sessions, and the page's own counters.
 */
export interface AppSnapshot {
  pipelineStatus: {
    phase: string;
    error: { name?: string; message?: string } | null;
    owner: 'this-tab' | 'other-tab' | 'unknown';
    restoredFrom: number | null;
    lastCheckpoint: { id: number; time: number } | null;
    checkpointsCompleted: number;
    watermark: number | null;
    lagMs: number | null;
    recordsIn: number;
    recordsOut: number;
  };
  app: {
    waiting: boolean;
    finished: boolean;
    read: number;
    invalid: number;
    late: number;
    vitals: Record<string, number>;
  };
  windows: {
    ids: string[];
    watermark: number | null;
    entities: Record<
      string,
      {
        key: string;
        start: number;
        end: number;
        firings: number;
        value: { count: number; p50: number; p95: number; errors: number };
      }
    >;
  };
  sessions: { ids: string[] };
}

type Api = { __telemetry: { state(): AppSnapshot } };
export const appState = (page: Page): Promise<AppSnapshot> =>
  page.evaluate(() => (globalThis as unknown as Api).__telemetry.state());
