import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { StreamElement } from '../../src/index.js';
import {
  InternalTimerService,
  KeyedStateBackend,
  keyGroupOf,
  TimerQueue,
  type InternalTimer,
} from '../../src/engine/index.js';
import type { ProcessingTimeService } from '../../src/engine/index.js';

describe('TimerQueue (heap + dedup index, after Flink HeapPriorityQueueSet)', () => {
  it('property: polls live timers in (time, registration) order, deduplicated per (key, namespace, time), deletions honoured', () => {
    const op = fc.oneof(
      fc.record({
        add: fc.constant(true),
        key: fc.integer({ min: 0, max: 5 }),
        ns: fc.constantFrom(undefined, 1, '1'),
        time: fc.integer({ min: 0, max: 20 }),
      }),
      fc.record({
        add: fc.constant(false),
        key: fc.integer({ min: 0, max: 5 }),
        ns: fc.constantFrom(undefined, 1, '1'),
        time: fc.integer({ min: 0, max: 20 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new TimerQueue();
        const model = new Map<string, { key: number; ns: unknown; time: number; seq: number }>();
        let seq = 0;
        for (const o of ops) {
          const id = `${o.key}|${typeof o.ns}:${String(o.ns)}|${o.time}`;
          if (o.add) {
            const added = queue.add(o.key, 0, o.ns, o.time);
            expect(added).toBe(!model.has(id));
            if (added) model.set(id, { key: o.key, ns: o.ns, time: o.time, seq: seq++ });
          } else {
            expect(queue.remove(o.key, o.ns, o.time)).toBe(model.delete(id));
          }
          expect(queue.size).toBe(model.size);
        }
        const expected = [...model.values()]
          .sort((a, b) => a.time - b.time || a.seq - b.seq)
          .map((t) => [t.key, t.ns, t.time]);
        expect(queue.toSortedArray().map((t) => [t.keyId, t.namespace, t.time])).toEqual(expected);
        for (let key = 0; key <= 5; key++) {
          for (const ns of [undefined, 1, '1']) {
            // The timers of one window (a key and a namespace), in registration order: what a window exports.
            const mine = [...model.values()]
              .filter((t) => t.key === key && t.ns === ns)
              .sort((a, b) => a.seq - b.seq)
              .map((t) => t.time);
            expect(queue.timersIn(key, ns).map((t) => t.time)).toEqual(mine);
            expect(queue.hasTimerIn(key, ns)).toBe(mine.length > 0);
          }
        }
        const polled: unknown[] = [];
        for (let t = queue.poll(); t; t = queue.poll()) polled.push([t.keyId, t.namespace, t.time]);
        expect(polled).toEqual(expected);
      }),
    );
  });

  it('repeated register/delete does not grow the heap without bound', () => {
    const queue = new TimerQueue();
    for (let i = 0; i < 100_000; i++) {
      queue.add('k', 0, undefined, i);
      queue.remove('k', undefined, i);
    }
    expect(queue.size).toBe(0);
    expect(queue.peek()).toBeUndefined();
  });

  it("a key's few timers, chained: removing the first or a middle one keeps the others in registration order, in its exported row and after an import", () => {
    const queue = new TimerQueue();
    for (const time of [5, 3, 9, 1]) expect(queue.add('k', 7, 'w', time)).toBe(true); // seq 0, 1, 2, 3
    expect(queue.remove('k', 'w', 5)).toBe(true); // the first
    expect(queue.remove('k', 'w', 9)).toBe(true); // a middle one
    expect(queue.remove('k', 'w', 9)).toBe(false);
    expect(queue.add('k', 7, 'w', 3)).toBe(false);
    expect(queue.timersIn('k', 'w').map((t) => t.time)).toEqual([3, 1]);
    const source = queue.rowSource('timers:event-time', undefined, 'event-time');
    const rows: unknown[] = [];
    source.forEachRow((_, row) => rows.push(row));
    expect(rows).toEqual([[7, [3, 1, 'w'], [1, 3, 'w']]]);
    expect(source.rowOf('k')).toEqual(rows[0]);
    const imported = new TimerQueue();
    imported.rowSource('timers:event-time', undefined, 'event-time').load(['k'], rows);
    expect(imported.timersIn('k', 'w').map((t) => [t.time, t.seq])).toEqual([
      [3, 1],
      [1, 3],
    ]);
    expect([imported.poll()?.time, imported.poll()?.time, imported.poll()]).toEqual([1, 3, undefined]);
    expect(imported.hasTimerIn('k', 'w')).toBe(false);
  });

  it('one key past 16 timers (its chain becomes a map by slot): deduplicated, deleted and listed as before', () => {
    const queue = new TimerQueue();
    for (let time = 0; time < 20; time++) for (const ns of [1, '1']) expect(queue.add('k', 3, ns, time)).toBe(true);
    for (let time = 0; time < 20; time++) expect(queue.add('k', 3, 1, time)).toBe(false);
    for (let time = 0; time < 20; time += 2) expect(queue.remove('k', '1', time)).toBe(true);
    expect(queue.remove('k', '1', 0)).toBe(false);
    expect(queue.size).toBe(30);
    expect(queue.timersIn('k', 1).map((t) => t.time)).toEqual([...Array(20).keys()]);
    expect(queue.timersIn('k', '1').map((t) => t.time)).toEqual([...Array(10).keys()].map((i) => 2 * i + 1));
    const [row] = (() => {
      const rows: unknown[] = [];
      queue.rowSource('timers:event-time', undefined, 'event-time').forEachRow((_, r, group) => rows.push([r, group]));
      return rows as [unknown[], number][];
    })();
    expect(row![1]).toBe(3);
    expect(row![0].length).toBe(31); // [keyGroup, then one [time, seq, namespace] per timer]
    const polled: unknown[] = [];
    for (let t = queue.poll(); t; t = queue.poll()) polled.push([t.namespace, t.time]);
    expect(polled).toEqual(
      [...Array(20).keys()].flatMap((time) =>
        time % 2 === 0
          ? [[1, time]]
          : [
              [1, time],
              ['1', time],
            ],
      ),
    );
    expect(queue.hasTimerIn('k', 1)).toBe(false);
  });
});

describe('InternalTimerService: processing time', () => {
  /** A hand-driven clock; cancelled and fired wake-ups leave the list at once, so it stays small. */
  function clock() {
    let scheduled: { time: number; run: (out: StreamElement<string, string>[]) => void }[] = [];
    let now = 0;
    const service: ProcessingTimeService = {
      now: () => now,
      schedule: (time, run) => {
        const entry = { time, run: run as never };
        scheduled.push(entry);
        return () => {
          scheduled = scheduled.filter((e) => e !== entry);
        };
      },
    };
    const advance = (to: number, out: StreamElement<string, string>[]) => {
      for (;;) {
        let due: (typeof scheduled)[number] | undefined;
        for (const e of scheduled) if (e.time <= to && (!due || e.time < due.time)) due = e;
        if (!due) break;
        scheduled = scheduled.filter((e) => e !== due);
        now = Math.max(now, due.time);
        due.run(out);
      }
      now = to;
    };
    return { service, advance, live: () => scheduled.length };
  }

  it('keeps one scheduled wake-up for 1,000,000 pending processing-time timers and fires them in order', () => {
    const c = clock();
    const fired: InternalTimer[] = [];
    const timers = new InternalTimerService<string, string>(c.service, {
      onEventTime: () => {},
      onProcessingTime: (t) => {
        fired.push(t);
      },
    });
    const n = 1_000_000;
    for (let i = 0; i < n; i++) timers.registerProcessingTimeTimer(i, 0, undefined, 1 + ((i * 7919) % n));
    expect(timers.processingTimeTimers).toBe(n);
    expect(c.live()).toBe(1);
    c.advance(n / 2, []);
    expect(fired.length).toBe(n / 2);
    expect(c.live()).toBe(1);
    c.advance(n + 1, []);
    expect(fired.length).toBe(n);
    let ordered = true;
    for (let i = 1; i < n; i++) if (fired[i]!.time < fired[i - 1]!.time) ordered = false;
    expect(ordered).toBe(true);
  });
});

describe('InternalTimerService: namespaces (for window operators) and export', () => {
  it('keeps timers per (key, namespace, time), exports them as rows of their key with the namespace, and imports them back', () => {
    const fired: [unknown, unknown, number][] = [];
    const target = {
      onEventTime: (t: InternalTimer) => {
        fired.push([t.keyId, t.namespace, t.time]);
      },
      onProcessingTime: () => {},
    };
    const noClock: ProcessingTimeService = { now: () => 0, schedule: () => () => {} };
    const a = new InternalTimerService<string, string>(noClock, target);
    a.registerEventTimeTimer('k', 3, 10, 10);
    a.registerEventTimeTimer('k', 3, '10', 10);
    a.registerEventTimeTimer('k', 3, 10, 10); // duplicate
    a.registerEventTimeTimer('j', 4, undefined, 5);
    expect(a.eventTimeTimers).toBe(3);
    // Exported through a backend, as rows of their key in its key group (row-source.ts).
    const state = new KeyedStateBackend({ uid: 'w', now: () => 0 });
    state.attach(...a.rowSources('w'));
    const data = structuredClone(state.snapshot());
    expect(data.tables[`${keyGroupOf('k')}/timers:event-time`]).toEqual({
      kind: 'full',
      keys: ['k'],
      values: [[3, [10, 0, 10], [10, 1, '10']]],
    });
    expect(data.tables[`${keyGroupOf('j')}/timers:event-time`]).toEqual({
      kind: 'full',
      keys: ['j'],
      values: [[4, 5, 2]],
    });
    const b = new InternalTimerService<string, string>(noClock, target);
    const restored = new KeyedStateBackend({ uid: 'w', now: () => 0 });
    restored.attach(...b.rowSources('w'));
    restored.restore(data);
    b.restored(-Infinity, 'w');
    b.advanceWatermark(10, []);
    expect(fired).toEqual([
      ['j', undefined, 5],
      ['k', 10, 10],
      ['k', '10', 10],
    ]);
    expect(b.currentWatermark).toBe(10);
  });
});
