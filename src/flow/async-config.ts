/**
 * The options of an async stage (asyncMap and the async sinks), validated when the operator is built.
 */
import type { SchedulerLike } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import type { FlowMonitor } from './monitor.js';
import { positiveInteger } from '../core/options.js';

/** Options common to async stages. */
export interface AsyncStageOptions {
  /** Most requests (or writes) in flight at once. A positive integer. */
  concurrency?: number;
  /** Most records held by the stage (waiting, in flight, completed and not yet emitted). */
  bufferSize?: number;
  /** Name in metrics and errors. */
  name?: string;
  /** Where timeouts and wake-ups are scheduled; defaults to `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Where the stage reports metrics when no pulled source feeds it (otherwise the source's monitor). */
  monitor?: FlowMonitor;
}

/** Validated stage settings. */
export interface AsyncStageConfig {
  readonly name: string;
  readonly kind: 'async-map' | 'sink';
  readonly concurrency: number;
  readonly bufferSize: number;
  readonly ordered: boolean;
  readonly timeout: number | undefined;
  readonly scheduler: SchedulerLike;
  readonly monitor: FlowMonitor | undefined;
}

/**
 * Validates the options of an async stage when the operator is built.
 *
 * @example
 * ```ts
 * import { asyncScheduler } from 'rxjs';
 * import { asyncStageConfig, type AsyncStageOptions } from 'rxflink/engine';
 *
 * // A custom sink checks its options when `pipe` builds it, so a bad one fails there, by name.
 * const mySinkConfig = (options: AsyncStageOptions = {}) =>
 *   asyncStageConfig({ ...options, ordered: true }, { name: 'mySink', kind: 'sink', concurrency: 1, bufferSize: 1024 }, options.scheduler ?? asyncScheduler);
 *
 * mySinkConfig({ concurrency: 4 }); // { name: 'mySink', concurrency: 4, bufferSize: 1024, ordered: true, timeout: undefined, ... }
 * mySinkConfig({ concurrency: 0 }); // throws InvalidOptionError naming `concurrency`
 * ```
 */
export function asyncStageConfig(
  options: AsyncStageOptions & { ordered?: boolean; timeout?: number },
  defaults: { name: string; kind: 'async-map' | 'sink'; concurrency: number; bufferSize?: number },
  scheduler: SchedulerLike,
): AsyncStageConfig {
  const concurrency = positiveInteger('concurrency', options.concurrency ?? defaults.concurrency);
  const bufferSize = options.bufferSize ?? Math.max(concurrency, defaults.bufferSize ?? concurrency);
  if (!Number.isSafeInteger(bufferSize) || bufferSize < concurrency) {
    throw new InvalidOptionError('bufferSize', bufferSize, `must be an integer >= concurrency (${concurrency})`);
  }
  const timeout = options.timeout;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0))
    throw new InvalidOptionError('timeout', timeout, 'must be a positive finite number of milliseconds');
  if (options.ordered !== undefined && typeof options.ordered !== 'boolean')
    throw new InvalidOptionError('ordered', options.ordered, 'must be a boolean');
  return {
    name: options.name ?? defaults.name,
    kind: defaults.kind,
    concurrency,
    bufferSize,
    ordered: options.ordered ?? true,
    timeout,
    scheduler,
    monitor: options.monitor,
  };
}
