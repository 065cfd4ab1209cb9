// Per-partition watermarks, as Flink's Kafka source makes them per split ("Watermark Strategies and
// the Kafka Connector"): one generator per key group, the minimum goes out, idle partitions are left
// out. Driven directly, with a hand-set clock, and through withEventTimeBatches and a window.
import { from, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { keyGroupOf } from '../../src/core/keys.js';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
  toValues,
  tumblingEventTimeWindows,
  type WatermarkOutput,
  window,
  withEventTimeBatches,
} from '../../src/index.js';
import { partitionWatermarks } from '../../src/nats/index.js';
import { collect } from './io-fixtures.js';

interface R {
  readonly k: string;
  readonly t: number;
}
const MAX_PARALLELISM = 2;
/** A key of key group `g` (of 2). */
const keyOf = (g: number): string => {
  for (let n = 0; ; n++) if (keyGroupOf(`k${n}`, MAX_PARALLELISM) === g) return `k${n}`;
};
const [A, B] = [keyOf(0), keyOf(1)];

function recorder(): WatermarkOutput & { watermarks: number[]; idle: boolean } {
  const out = {
    watermarks: [] as number[],
    idle: false,
    emitWatermark: (w: number) => {
      out.watermarks.push(w);
    },
    markIdle: () => {
      out.idle = true;
    },
    markActive: () => {
      out.idle = false;
    },
  };
  return out;
}

describe('partitionWatermarks', () => {
  it('emits the minimum over the partitions: one running ahead does not move the watermark', () => {
    const strategy = partitionWatermarks(boundedOutOfOrderness<R>(0), { key: (r) => r.k, maxParallelism: 2 });
    const generator = strategy.createGenerator(() => 0);
    const out = recorder();
    for (let t = 1_000; t < 1_010; t++) generator.onEvent({ k: A, t }, t, out);
    generator.onPeriodicEmit(out);
    expect(out.watermarks).toEqual([]); // partition 1 has seen nothing yet
    generator.onEvent({ k: B, t: 5 }, 5, out);
    generator.onPeriodicEmit(out);
    expect(out.watermarks.at(-1)).toBe(4);
    // Restored from its state, the generator goes on where each partition was.
    const restored = strategy.createGenerator(() => 0);
    restored.restoreState!(generator.snapshotState!());
    const again = recorder();
    restored.onPeriodicEmit(again);
    expect(again.watermarks).toEqual([4]);
  });

  it('leaves out a partition idle for longer than its idleness timeout; all idle, the input is idle', () => {
    let now = 0;
    const scheduler = { now: () => now } as SchedulerLike;
    const strategy = partitionWatermarks(boundedOutOfOrderness<R>(0).withIdleness(1_000), {
      key: (r) => r.k,
      maxParallelism: 2,
      scheduler,
    });
    const generator = strategy.createGenerator(() => now);
    const out = recorder();
    generator.onEvent({ k: A, t: 500 }, 500, out);
    generator.onPeriodicEmit(out);
    expect(out.watermarks).toEqual([]);
    for (now = 200; now <= 1_600; now += 200) generator.onPeriodicEmit(out);
    // Partition 1 never had data and is idle now; partition 0 has been quiet as long: idle too.
    expect(out.idle).toBe(true);
    generator.onEvent({ k: A, t: 700 }, 700, out);
    generator.onPeriodicEmit(out);
    expect(out.idle).toBe(false);
    expect(out.watermarks.at(-1)).toBe(699);
  });

  it('through a window: no record of a lagging partition is late because another ran ahead (the merged watermark drops them)', async () => {
    // Partition 0 is read far ahead of partition 1, as a source taking partitions in turn may do.
    const ahead = Array.from({ length: 50 }, (_, i): R => ({ k: A, t: 1_000 + i }));
    const behind = Array.from({ length: 50 }, (_, i): R => ({ k: B, t: i }));
    const counts = (watermarks: ReturnType<typeof boundedOutOfOrderness<R>>) =>
      collect(
        from([ahead.slice(0, 25), behind.slice(0, 25), ahead.slice(25), behind.slice(25)]).pipe(
          withEventTimeBatches({ timestamp: (r: R) => r.t, watermarks, uid: 'entry' }),
          keyBy((r: R) => r.k, { maxParallelism: MAX_PARALLELISM }),
          window(tumblingEventTimeWindows(100), { uid: 'w' }).aggregate(count()),
          toValues(),
        ),
      );
    const perPartition = partitionWatermarks(boundedOutOfOrderness<R>(0).onEveryEvent(), {
      key: (r) => r.k,
      maxParallelism: MAX_PARALLELISM,
    });
    const total = (results: { value: number }[]) => results.reduce((n, r) => n + r.value, 0);
    expect(total(await counts(perPartition))).toBe(100);
    // The same input with one watermark over the merged partitions: partition 1's records are late.
    expect(total(await counts(boundedOutOfOrderness<R>(0).onEveryEvent()))).toBeLessThan(100);
  });
});
