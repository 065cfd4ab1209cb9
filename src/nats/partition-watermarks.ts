/**
 * Watermarks per partition (key group), as Flink's Kafka source makes them per split ("Watermark
 * Strategies and the Kafka Connector" in Flink's docs on event time): each partition has a generator
 * of its own, and the watermark of the task is the minimum over its partitions, leaving out those
 * that are idle. A partition that runs ahead then cannot make the records of a lagging one late.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { DEFAULT_MAX_PARALLELISM, type Key, keyGroupOf } from '../core/keys.js';
import { positiveInteger } from '../core/options.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import type { WatermarkGenerator, WatermarkOutput } from '../time/watermark-generator.js';
import { WatermarkStrategy } from '../time/watermark-strategy.js';
import { partitionsOf } from './subjects.js';

/** Options of `partitionWatermarks`. */
export interface PartitionWatermarkOptions<T> {
  /** The key of a record, as the producer used it: its key group is the partition it was read from. */
  readonly key: (value: T) => Key;
  /** Number of key groups (the source's `maxParallelism`). Default 128. */
  readonly maxParallelism?: number;
  /**
   * The task's key groups (the source's `keyGroups`). Each holds the watermark back from the start,
   * before its first record, until it is idle. Default: all of them.
   */
  readonly keyGroups?: KeyGroupRange;
  /** Where the idleness of a partition is timed; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * A strategy that runs `strategy` once per partition (key group) and emits the minimum of their
 * watermarks. Idleness is per partition: give `strategy` a `withIdleness(ms)`, and a partition
 * without records for that long stops holding the watermark back (all idle: the input is idle).
 * Each partition's generator state is stored in checkpoints with the entry.
 *
 * @example
 * ```ts
 * // The task reads key groups 0..63: each holds the watermark back until it has data or is idle.
 * const watermarks = partitionWatermarks(boundedOutOfOrderness<Order>(1_000).withIdleness(30_000), {
 *   key: (o) => o.shop,
 *   keyGroups: { start: 0, end: 63 },
 * });
 * orders$.pipe(withEventTime({ timestamp: (o: Order) => o.at, watermarks }));
 * ```
 */
export function partitionWatermarks<T>(
  strategy: WatermarkStrategy<T>,
  options: PartitionWatermarkOptions<T>,
): WatermarkStrategy<T> {
  if (!(strategy instanceof WatermarkStrategy))
    throw new InvalidOptionError('strategy', strategy, 'must be a WatermarkStrategy (e.g. boundedOutOfOrderness(ms))');
  if (typeof options.key !== 'function') throw new InvalidOptionError('key', options.key, 'must be a function');
  const maxParallelism = positiveInteger('maxParallelism', options.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
  const partitions = partitionsOf(options.keyGroups ?? { start: 0, end: maxParallelism - 1 }, maxParallelism);
  const scheduler = options.scheduler ?? asyncScheduler;
  const create = (): WatermarkGenerator<T> =>
    new PartitionWatermarks(
      partitions,
      (value) => keyGroupOf(options.key(value), maxParallelism),
      () => strategy.createGenerator(() => scheduler.now()),
    );
  return new WatermarkStrategy<T>(create, strategy.period, undefined, true, strategy.cadence);
}

/** One partition: its generator and what it last said. */
interface Partition<T> {
  readonly generator: WatermarkGenerator<T>;
  readonly output: WatermarkOutput;
  watermark: number;
  idle: boolean;
}

/** The generators of a task's partitions, combined as Flink's WatermarkOutputMultiplexer does. */
class PartitionWatermarks<T> implements WatermarkGenerator<T> {
  readonly #partitions = new Map<number, Partition<T>>();
  readonly #partitionOf: (value: T) => number;
  readonly #create: () => WatermarkGenerator<T>;
  /** Whether every partition is idle (the input is idle). */
  #idle = false;

  constructor(keyGroups: readonly number[], partitionOf: (value: T) => number, create: () => WatermarkGenerator<T>) {
    this.#partitionOf = partitionOf;
    this.#create = create;
    for (const g of keyGroups) this.#partition(g);
  }

  onEvent(value: T, timestamp: number, output: WatermarkOutput): void {
    const partition = this.#partition(this.#partitionOf(value));
    const before = partition.watermark;
    const wasIdle = partition.idle;
    partition.idle = false;
    partition.generator.onEvent(value, timestamp, partition.output);
    // Only this partition changed, and only onPeriodicEmit (which combines) changes the others: the
    // minimum over a task's partitions (up to 128) is taken again only when this one moved.
    if (partition.watermark !== before || wasIdle) this.#combine(output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    for (const partition of this.#partitions.values()) partition.generator.onPeriodicEmit(partition.output);
    this.#combine(output);
  }

  /** Each partition's generator state, by key group. */
  snapshotState(): Record<string, unknown> {
    const state: Record<string, unknown> = {};
    for (const [g, partition] of this.#partitions) state[g] = partition.generator.snapshotState?.();
    return state;
  }

  restoreState(state: unknown): void {
    if (typeof state !== 'object' || state === null)
      throw new TypeError(`the partition watermark state ${String(state)} is not a record by key group`);
    for (const [g, partitionState] of Object.entries(state)) {
      if (partitionState !== undefined) this.#partition(Number(g)).generator.restoreState?.(partitionState);
    }
  }

  /** The minimum over the partitions that are not idle; all idle: the input is idle. */
  #combine(output: WatermarkOutput): void {
    let min = Infinity;
    for (const partition of this.#partitions.values()) if (!partition.idle) min = Math.min(min, partition.watermark);
    const idle = min === Infinity;
    if (idle !== this.#idle) {
      this.#idle = idle;
      if (idle) output.markIdle();
      else output.markActive();
    }
    if (!idle && min > -Infinity) output.emitWatermark(min);
  }

  #partition(g: number): Partition<T> {
    let partition = this.#partitions.get(g);
    if (partition === undefined) {
      const created: Partition<T> = {
        generator: this.#create(),
        watermark: -Infinity,
        idle: false,
        output: {
          emitWatermark: (w) => {
            created.idle = false;
            if (w > created.watermark) created.watermark = w;
          },
          markIdle: () => {
            created.idle = true;
          },
          markActive: () => {
            created.idle = false;
          },
        },
      };
      partition = created;
      this.#partitions.set(g, partition);
    }
    return partition;
  }
}
