// `parallel` on Web Workers in real Chromium: webWorkers() starts two module workers (a bundle that
// calls serveWebSubtask), frames cross with postMessage and transfer lists, no SharedArrayBuffer
// (the page is not cross-origin isolated), and the keyed results equal those of one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerSite, waitForEntry, type WorkerSite } from './harness.js';
import type { api } from './entries/parallel-entry.js';

let site: WorkerSite;
let url: string;
let browser: WorkerSite['browser'];
beforeAll(async () => {
  site = await startWorkerSite('test/browser/entries/parallel-entry.ts', 'test/browser/entries/parallel-worker.ts');
  ({ url, browser } = site);
}, 60_000);
afterAll(() => site?.close());

describe('parallel in Web Workers (Chromium)', () => {
  it('a two-worker pipeline gives the per-key totals of one thread, each key in one subtask, without SharedArrayBuffer', async () => {
    const page = await browser.newPage();
    const log: string[] = [];
    page.on('console', (m) => log.push(m.text()));
    page.on('pageerror', (e) => log.push(e.message));
    await page.goto(url);
    await waitForEntry(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const { workers, page: here } = await page.evaluate(() => (window as unknown as { __rx: typeof api }).__rx.run());
    await page.close();
    expect(log).toEqual([]);
    const strip = (values: string[]): string[] => values.map((v) => v.slice(v.indexOf('|') + 1)).sort();
    expect(here).toHaveLength(2_000);
    expect(strip(workers)).toEqual(strip(here));
    const subtasksOf = new Map<string, Set<string>>();
    for (const v of workers) {
      const [subtask, rest] = v.split('|') as [string, string];
      const key = rest.split('#')[0]!;
      subtasksOf.set(key, (subtasksOf.get(key) ?? new Set()).add(subtask));
    }
    expect([...subtasksOf.values()].every((s) => s.size === 1)).toBe(true); // a key lives in one subtask
    expect(new Set(workers.map((v) => v.split('|')[0]))).toEqual(new Set(['0', '1'])); // both worked
  }, 120_000);
});
