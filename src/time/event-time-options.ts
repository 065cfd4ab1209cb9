/**
 * The options of the event-time entry (`withEventTime`, `TimestampsAndWatermarksOperator`), their
 * check where the pipeline is built, and the shapes the entry exports: its snapshot and the invalid
 * records it sends aside.
 */
import type { Counters } from '../core/counters.js';
import type { StreamRecord } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import { WatermarkStrategy } from './watermark-strategy.js';

/** What `TimestampsAndWatermarksOperator.snapshotState` exports. */
export interface EventTimeEntrySnapshot {
  readonly version: 1;
  /** The last watermark forwarded (-Infinity: none yet). */
  readonly watermark: number;
  /** The watermark generator's state (`WatermarkGenerator.snapshotState`), when it has one. */
  readonly generator?: unknown;
}

/** A value whose timestamp could not be used, as sent to the `invalid` side output. */
export interface InvalidRecord<T> {
  readonly value: T;
  readonly timestamp: unknown;
  readonly reason: string;
}

/** Options of the entry operator (`withEventTime` gives them from its own options). */
export interface TimestampsAndWatermarksOptions<T> {
  /** Extracts the event timestamp (ms, a safe integer) from a value. */
  timestamp: (value: T) => number;
  /** How watermarks are generated. */
  watermarks: WatermarkStrategy<T>;
  /** Receives values with an unusable timestamp; without it such a value fails the stream. */
  invalid?: (invalid: InvalidRecord<T>) => void;
  /** Receives records at or behind the watermark already emitted; without it they are forwarded. */
  late?: (record: StreamRecord<T>) => void;
  /** Counts 'invalidTimestamps' and 'lateRecords'. */
  counters?: Counters;
  /** The id its state is stored under in checkpoints; also names it in state import errors. */
  uid?: string;
}

/**
 * Checks the options of an entry operator, naming the first bad one. Called where the operator is
 * built (`withEventTime(...)`), so a mistake fails there and not at subscription.
 */
export function checkEventTimeOptions(options: unknown): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', options, 'must be an object { timestamp, watermarks }');
  }
  const { timestamp, watermarks } = options as { timestamp?: unknown; watermarks?: unknown };
  if (typeof timestamp !== 'function') {
    throw new InvalidOptionError(
      'timestamp',
      timestamp,
      'must be a function returning the event time in ms, e.g. (e) => e.at',
    );
  }
  if (!(watermarks instanceof WatermarkStrategy)) {
    throw new InvalidOptionError(
      'watermarks',
      watermarks,
      'must be a WatermarkStrategy, e.g. boundedOutOfOrderness(1_000) or monotonousTimestamps()',
    );
  }
}
