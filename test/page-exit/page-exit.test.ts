// Page exit in Node, with fake-indexeddb and a fake page: what leaves on hidden, in bodies under the
// keepalive limit; what does not fit goes to the outbox; only the owner drains it; a checkpoint is
// taken by the owner only; the pipeline is never ended (no watermark +∞ on hidden: bfcache).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  count,
  fromPush,
  InvalidOptionError,
  keyBy,
  memoryBackend,
  monotonousTimestamps,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  windowBy,
  withEventTimeBatches,
} from '../../src/index.js';
import { exitBodies, watchPageExit, type VisibilitySource } from '../../src/browser/index.js';

/** A page whose visibility the test sets. */
function fakePage() {
  const target = new EventTarget();
  const page = {
    visibilityState: 'visible' as DocumentVisibilityState,
    addEventListener: (t: string, l: () => void) => target.addEventListener(t, l),
    removeEventListener: (t: string, l: () => void) => target.removeEventListener(t, l),
    set(state: DocumentVisibilityState) {
      page.visibilityState = state;
      target.dispatchEvent(new Event('visibilitychange'));
    },
  };
  return page as VisibilitySource & { set(state: DocumentVisibilityState): void };
}

const KIB = 1024;
const items = (n: number, size: number) => Array.from({ length: n }, (_, i) => ({ i, pad: 'x'.repeat(size) }));

describe('exitBodies', () => {
  it('packs items in order into bodies of at most maxBodyBytes, each valid JSON', () => {
    const bodies = exitBodies(items(300, 1_000), false, 60 * KIB);
    expect(bodies.length).toBe(5);
    for (const b of bodies) {
      expect(b.bytes).toBe(new TextEncoder().encode(b.json).length);
      expect(b.bytes).toBeLessThanOrEqual(60 * KIB);
    }
    const all = bodies.flatMap((b) =>
      (JSON.parse(b.json) as { early: boolean; items: { i: number }[] }).items.map((x) => x.i),
    );
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(JSON.parse(exitBodies([1], true, 100)[0]!.json)).toEqual({ early: true, items: [1] });
    // Sizes are UTF-8 bytes: 2-, 3- and 4-byte characters, and a lone surrogate (sent as U+FFFD).
    for (const text of ['é', '€uro', '😀', '\ud800x']) {
      const [body] = exitBodies([text], false, 1_000);
      expect(body!.bytes).toBe(new TextEncoder().encode(body!.json).length);
    }
  });
});

describe('watchPageExit', () => {
  it('earlyPanes() throwing does not keep the pending results from leaving: the report says why no early pane did', async () => {
    const beacons: string[] = [];
    const exit = watchPageExit({
      pipelineId: 'exit-early-fails',
      url: '/collect',
      document: fakePage(),
      indexedDB: new IDBFactory(),
      transport: (_url, body) => {
        beacons.push(body);
        return true;
      },
      pending: () => [{ i: 1 }],
      earlyPanes: () => {
        throw new TypeError('sketch.quantile is not a function');
      },
    });
    const report = await exit.exit();
    expect(report).toMatchObject({
      sent: 1,
      sentItems: 1,
      queued: 0,
      earlyPanesFailed: 'TypeError: sketch.quantile is not a function',
    });
    expect(beacons.map((b) => JSON.parse(b))).toEqual([{ early: false, items: [{ i: 1 }] }]);
    await exit.close();
  });

  it('on hidden, sends bodies under 64 KiB up to the exit budget, queues the rest in the outbox, which the owner drains in order on the next start', async () => {
    const indexedDB = new IDBFactory();
    const page = fakePage();
    const beacons: string[] = [];
    let unsent = items(200, 1_000); // about 200 KB: more than one exit may send
    const exit = watchPageExit({
      pipelineId: 'exit-1',
      url: '/collect',
      document: page,
      indexedDB,
      now: () => 5,
      transport: (url, body) => {
        expect(url).toBe('/collect');
        beacons.push(body);
        return true;
      },
      pending: () => unsent.splice(0),
      earlyPanes: () => [{ key: 'home', window: { start: 0, end: 10_000 }, value: 3 }],
    });
    const reports: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      page.addEventListener('visibilitychange', () => setTimeout(resolve, 50));
    });
    page.set('visible'); // not an exit
    await done;
    expect(beacons).toEqual([]);
    const report = await exit.exit(); // as the listener does on hidden
    reports.push(report);
    // One full results body (a second would pass the 64 KiB in flight), and the small early pane that still fits.
    const sizes = beacons.map((b) => new TextEncoder().encode(b).length);
    expect(beacons.length).toBe(2);
    expect(sizes.reduce((a, b) => a + b)).toBeLessThanOrEqual(64 * KIB);
    expect(sizes[0]).toBeGreaterThan(50 * KIB);
    const queued = await exit.outbox.bodies();
    expect(report).toEqual({
      sent: 2,
      sentItems: JSON.parse(beacons[0]!).items.length + 1,
      queued: queued.length,
      checkpoint: 'none',
    });
    expect(queued.length).toBe(3);
    // Every item left or is queued, in order, and the early pane is marked.
    const parsed = [...beacons, ...queued].map((b) => JSON.parse(b) as { early: boolean; items: { i?: number }[] });
    expect(parsed.filter((b) => !b.early).flatMap((b) => b.items.map((x) => x.i))).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
    expect(parsed.filter((b) => b.early)).toEqual([
      { early: true, items: [{ key: 'home', window: { start: 0, end: 10_000 }, value: 3 }] },
    ]);
    await exit.close();

    // The next page: a read-only tab does not drain; the owner does, oldest first, and stops at a failure.
    unsent = [];
    const drained: string[] = [];
    const reader = watchPageExit({
      pipelineId: 'exit-1',
      url: '/collect',
      document: fakePage(),
      indexedDB,
      ownership: () => 'read-only',
      drainSend: async (b) => {
        drained.push(b);
        return true;
      },
    });
    expect(await reader.drainOutbox()).toBe(0);
    await reader.close();
    let fail = 2;
    const owner = watchPageExit({
      pipelineId: 'exit-1',
      url: '/collect',
      document: fakePage(),
      indexedDB,
      drainSend: async (b) => {
        if (fail-- === 0) return false;
        drained.push(b);
        return true;
      },
    });
    expect(await owner.drainOutbox()).toBe(2);
    expect(drained).toEqual(queued.slice(0, 2));
    expect(await owner.drainOutbox()).toBe(queued.length - 2);
    expect(drained).toEqual(queued);
    expect(await owner.outbox.bodies()).toEqual([]);
    await owner.close();
  });

  it("the visibilitychange listener checkpoints the owner's pipeline and never ends it: a window still open stays open (no watermark +∞ on hidden)", async () => {
    const page = fakePage();
    const backend = memoryBackend({ pipelineId: 'exit-2' });
    const checkpoints = await startCheckpointing({ backend, interval: 60_000 });
    const input = new Subject<{ at: number }>();
    const results: number[] = [];
    let completed = false;
    checkpoints
      .source('clicks', fromPush(input, { bufferSize: 100, overflow: 'error' }))
      .pipe(
        withEventTimeBatches({
          timestamp: (c: { at: number }) => c.at,
          watermarks: monotonousTimestamps<{ at: number }>().onEveryBatch(),
          uid: 'entry',
        }),
        keyBy(() => 'all'),
        windowBy(tumblingEventTimeWindows(1_000), { uid: 'counts' }).aggregate(count()),
        toValues(),
      )
      .subscribe({
        next: (r) => results.push(r.value),
        complete: () => {
          completed = true;
        },
      });
    input.next({ at: 100 });
    input.next({ at: 200 });
    const reported = new Promise<unknown>((resolve) => {
      watchPageExit({
        pipelineId: 'exit-2',
        url: '/c',
        document: page,
        indexedDB: new IDBFactory(),
        checkpoints,
        transport: () => true,
        onExit: resolve,
      });
    });
    await new Promise((r) => setTimeout(r, 20));
    page.set('hidden');
    expect(await reported).toEqual({ sent: 0, sentItems: 0, queued: 0, checkpoint: 'taken' });
    expect((await backend.list()).length).toBe(1);
    expect(results).toEqual([]); // [0, 1000) is still open: the watermark did not jump to +∞
    expect(completed).toBe(false);
    page.set('visible'); // back from the bfcache: the same pipeline goes on
    input.next({ at: 1_500 });
    await new Promise((r) => setTimeout(r, 20));
    expect(results).toEqual([2]);
    await checkpoints.close();
  });

  it('a tab that does not own the state sends but does not checkpoint', async () => {
    let asked = 0;
    const exit = watchPageExit({
      pipelineId: 'exit-3',
      url: '/c',
      document: fakePage(),
      indexedDB: new IDBFactory(),
      transport: () => true,
      checkpoints: {
        checkpoint: async () => {
          asked++;
        },
      },
      ownership: () => 'read-only',
      pending: () => [1, 2],
    });
    expect(await exit.exit()).toEqual({ sent: 1, sentItems: 2, queued: 0, checkpoint: 'not-owner' });
    expect(asked).toBe(0);
    await exit.close();
  });

  it('a body the browser refuses goes to the outbox', async () => {
    const exit = watchPageExit({
      pipelineId: 'exit-4',
      url: '/c',
      document: fakePage(),
      indexedDB: new IDBFactory(),
      transport: () => false,
      pending: () => ['a'],
    });
    expect(await exit.exit()).toMatchObject({ sent: 0, queued: 1 });
    expect(await exit.outbox.bodies()).toEqual(['{"early":false,"items":["a"]}']);
    await exit.close();
  });

  it("without an indexedDB option, the outbox uses the page's indexedDB (defect: it reported IndexedDB unavailable)", async () => {
    const exit = watchPageExit({
      pipelineId: 'exit-5',
      url: '/c',
      document: fakePage(),
      transport: () => false,
      pending: () => ['b'],
    });
    expect(await exit.exit()).toMatchObject({ queued: 1 });
    expect(await exit.outbox.bodies()).toEqual(['{"early":false,"items":["b"]}']);
    await exit.close();
  });

  it('refuses bad options with an InvalidOptionError naming the option', () => {
    const base = { pipelineId: 'p', url: '/c', document: fakePage(), indexedDB: new IDBFactory() };
    expect(() => watchPageExit({ ...base, pipelineId: '' })).toThrow(InvalidOptionError);
    expect(() => watchPageExit({ ...base, url: '' })).toThrow(/url/);
    expect(() => watchPageExit({ ...base, transport: 'smoke' as 'beacon' })).toThrow(/transport/);
    expect(() => watchPageExit({ ...base, maxBodyBytes: 64 * KIB })).toThrow(/maxBodyBytes.*under 65536/);
    expect(() => watchPageExit({ ...base, maxExitBytes: 0 })).toThrow(/maxExitBytes/);
    expect(() => watchPageExit({ ...base, pending: [] as unknown as () => [] })).toThrow(/pending/);
    expect(() => watchPageExit({ pipelineId: 'p', url: '/c' })).toThrow(/document/);
  });
});
