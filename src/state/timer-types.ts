/**
 * What the timer service (timers.ts) and its queue (timer-queue.ts) hand around: a registered timer,
 * and the operator that timers fire into.
 */
import type { StreamElement } from '../core/elements.js';
import type { KeyPart } from '../core/keys.js';
import type { Namespace } from './state-types.js';

/** A registered timer. */
export interface InternalTimer {
  /** Event time or processing time (ms) at which it fires. */
  readonly time: number;
  /** `keyId(key)` of the key it belongs to. */
  readonly keyId: KeyPart;
  /** The key group of that key (so that output records and snapshots keep it). */
  readonly keyGroup: number;
  /** The namespace (a window), or undefined. */
  readonly namespace: Namespace | undefined;
  /** Registration order; breaks ties between equal times. */
  readonly seq: number;
}

/** What fires timers: the operator that owns the timer service (Flink's Triggerable). */
export interface TimerTarget<O, KO> {
  /**
   * Called for each event-time timer the watermark reaches, in time order, inside
   * `advanceWatermark`; pushes what the firing produces onto `out`.
   */
  onEventTime(timer: InternalTimer, out: StreamElement<O, KO>[]): void;
  /**
   * Called for each processing-time timer the scheduler's clock reaches, in time order; pushes
   * what the firing produces onto `out`, a batch of its own that goes downstream after the call.
   */
  onProcessingTime(timer: InternalTimer, out: StreamElement<O, KO>[]): void;
}
