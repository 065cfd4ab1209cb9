// Page exit in real Chromium, with the real sendBeacon and IndexedDB, and a collector on another
// origin: when the tab is hidden, the pending results leave with sendBeacon, each body under 64 KiB
// and all within the 64 KiB keepalive quota; the rest is kept in the IndexedDB outbox, and the next
// page drains it: every item arrives exactly once. On a navigation the beacons leave as the page
// unloads; an outbox write started then is not committed in Chromium (observed: the document is
// gone before the transaction), so the outbox protects a tab that is hidden, not one being closed.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitForEntry, type Harness } from './harness.js';

let h: Harness;
/** The collector: another origin, recording every body posted to it. */
let collector: Server;
let collectUrl: string;
const beacons: string[] = [];
/**
 * Each test posts to a path of its own and the collector keeps only the bodies of the current one:
 * a page of an earlier test can still send a beacon as it unloads, after that test ended.
 */
let collectPath = '';
const collectFor = (test: string): string => {
  beacons.length = 0;
  collectPath = `/collect/${test}`;
  return encodeURIComponent(`${collectUrl}/${test}`);
};
beforeAll(async () => {
  h = await startHarness({ entry: 'test/browser/entries/page-exit-entry.ts' });
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === collectPath)
        beacons.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(204, { 'access-control-allow-origin': '*' }).end();
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const address = collector.address();
  if (address === null || typeof address === 'string') throw new Error('no collector address');
  collectUrl = `http://127.0.0.1:${address.port}/collect`;
});
afterAll(async () => {
  await h?.close();
  await new Promise<void>((r) => collector?.close(() => r()));
});

type Api = {
  __rx: {
    drain(): Promise<{ count: number; bodies: string[] }>;
    hide(): void;
    exits: { sent: number; sentItems: number; queued: number }[];
    fired: unknown[];
    click(n: number): void;
  };
};
const itemsOf = (body: string) => (JSON.parse(body) as { items: { i: number }[] }).items.map((x) => x.i);
const sizeOf = (body: string) => new TextEncoder().encode(body).length;

describe('page exit in Chromium', () => {
  it('when the tab is hidden, beacons carry what fits in 64 KiB and the outbox the rest, drained once by the next page', async () => {
    const page = await h.context.newPage();
    await page.goto(`${h.url}?items=200&collect=${collectFor('outbox')}`);
    await waitForEntry(page);
    await page.evaluate(() => (globalThis as unknown as Api).__rx.hide());
    await page.waitForFunction(() => (globalThis as unknown as Api).__rx.exits.length === 1);
    const [report] = await page.evaluate(() => (globalThis as unknown as Api).__rx.exits);
    await page.waitForTimeout(300); // the beacon reaches the collector
    await page.reload();
    await waitForEntry(page);
    const drained = await page.evaluate(() => (globalThis as unknown as Api).__rx.drain());
    const context = JSON.stringify({ report, beacons: beacons.map(sizeOf), drained: drained.count, log: h.consoleLog });

    expect(report, context).toMatchObject({ sent: 1, queued: 3 });
    expect(beacons.length, context).toBe(1);
    expect(sizeOf(beacons[0]!), context).toBeLessThan(64 * 1024);
    expect(sizeOf(beacons[0]!), context).toBeGreaterThan(50 * 1024);
    expect(drained.count, context).toBe(3);
    const all = [...beacons, ...drained.bodies].flatMap(itemsOf).sort((a, b) => a - b);
    expect(all, context).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect((await page.evaluate(() => (globalThis as unknown as Api).__rx.drain())).count).toBe(0);
    await page.close();
  });

  it('early panes: the window operator fires its open windows on each exit (EARLY, numbered), then on time with the next index', async () => {
    const page = await h.context.newPage();
    // Clicks at 0, 1, … 24 s (pages a and b in turn): [0, 10 s) and [10 s, 20 s) fired on time, [20 s, 30 s) is open.
    await page.goto(`${h.url}?early=25&collect=${collectFor('early')}`);
    await waitForEntry(page);
    const hideOnce = async (n: number) => {
      await page.evaluate(() => (globalThis as unknown as Api).__rx.hide());
      await page.waitForFunction((k) => (globalThis as unknown as Api).__rx.exits.length === k, n);
      // The beacon reaches the collector (a fixed wait was too short on a loaded machine).
      for (let waited = 0; beacons.length < n && waited < 10_000; waited += 50) await page.waitForTimeout(50);
    };
    await hideOnce(1);
    const fired = await page.evaluate(() => (globalThis as unknown as Api).__rx.fired);
    const context = JSON.stringify({ beacons, fired, log: h.consoleLog });
    // The on-time firings the pipeline made itself: two windows per page.
    expect(
      (fired as { pane: { timing: string } }[]).map((r) => r.pane.timing),
      context,
    ).toEqual(['ON_TIME', 'ON_TIME', 'ON_TIME', 'ON_TIME']);
    expect(beacons.length, context).toBe(1);
    const body = JSON.parse(beacons[0]!) as { early: boolean; items: unknown[] };
    expect(body.early, context).toBe(true);
    // Clicks 20 … 24 s: a at 20, 22, 24 s and b at 21, 23 s, in the window [20 s, 30 s) still open.
    expect(body.items, context).toEqual([
      {
        key: 'a',
        window: { start: 20_000, end: 30_000 },
        value: 3,
        pane: { timing: 'EARLY', index: 0, isFirst: true, isLast: false },
      },
      {
        key: 'b',
        window: { start: 20_000, end: 30_000 },
        value: 2,
        pane: { timing: 'EARLY', index: 0, isFirst: true, isLast: false },
      },
    ]);
    // Hidden again (the page came back from the bfcache, say): the same windows' next early panes.
    await hideOnce(2);
    const again = JSON.parse(beacons[1]!) as { items: { pane: { index: number; isFirst: boolean } }[] };
    expect(
      again.items.map((r) => r.pane),
      context,
    ).toEqual([
      { timing: 'EARLY', index: 1, isFirst: false, isLast: false },
      { timing: 'EARLY', index: 1, isFirst: false, isLast: false },
    ]);
    // The page comes back and the clicks go on to 30 s: [20 s, 30 s) fires on time, after its two
    // early panes: index 2, not the first (the operator counted them).
    await page.evaluate(() => (globalThis as unknown as Api).__rx.click(7));
    const onTime = (await page.evaluate(() => (globalThis as unknown as Api).__rx.fired)).slice(4);
    expect(onTime, context).toEqual([
      {
        key: 'a',
        window: { start: 20_000, end: 30_000 },
        value: 5,
        pane: { timing: 'ON_TIME', index: 2, isFirst: false, isLast: true },
      },
      {
        key: 'b',
        window: { start: 20_000, end: 30_000 },
        value: 5,
        pane: { timing: 'ON_TIME', index: 2, isFirst: false, isLast: true },
      },
    ]);
    await page.close();
  });

  it('leaving the page (navigation) sends its pending results with sendBeacon as the page unloads', async () => {
    const page = await h.context.newPage();
    await page.goto(`${h.url}?items=30&collect=${collectFor('navigation')}`);
    await waitForEntry(page);
    await page.goto(`${h.url}?items=0`);
    await waitForEntry(page);
    await page.waitForTimeout(500);
    expect(beacons.flatMap(itemsOf), JSON.stringify(h.consoleLog)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await page.close();
  });
});
