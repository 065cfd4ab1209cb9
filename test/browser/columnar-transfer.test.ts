// The columnar transport in real Chromium: a Web Worker encodes a batch with columnarCodec and
// transfers it to the page (the worker's buffer is detached: byteLength 0), the page decodes the
// exact values and transfers the buffers back with its credit, and the worker reuses them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerSite, waitForEntry, type WorkerSite } from './harness.js';
import type { api } from './entries/columnar-entry.js';

let site: WorkerSite;
let url: string;
let browser: WorkerSite['browser'];
beforeAll(async () => {
  site = await startWorkerSite('test/browser/entries/columnar-entry.ts', 'test/browser/entries/columnar-worker.ts');
  ({ url, browser } = site);
}, 60_000);
afterAll(() => site?.close());

describe('columnar batches between a Web Worker and the page', () => {
  it('transfers the buffer, decodes the exact values, and reuses the buffer sent back', async () => {
    const page = await browser.newPage();
    const log: string[] = [];
    page.on('console', (m) => log.push(m.text()));
    page.on('pageerror', (e) => log.push(e.message));
    await page.goto(url);
    await waitForEntry(page);
    const roundTrip = () => page.evaluate(() => (window as unknown as { __rx: typeof api }).__rx.roundTrip(1024));
    const first = await roundTrip();
    const second = await roundTrip();
    await page.close();
    expect(log).toEqual([]);
    for (const r of [first, second]) {
      expect(r.path).toBe('columnar');
      expect(r.count).toBe(1024);
      expect(r.exact).toBe(true);
      expect(r.sent.transferred).toBe(1);
      expect(r.sent.senderByteLengths).toEqual([0]); // moved to the page, not copied
      expect(r.receivedByteLengths[0]).toBeGreaterThan(0);
      expect(r.receiverByteLengthsAfter).toEqual([0]); // moved back to the worker
      expect(r.pooled).toBe(1);
    }
    // The second batch went out in the buffer the first one came back in.
    expect(first.sent.allocations).toBe(1);
    expect(second.sent.allocations).toBe(1);
  });
});
