/**
 * Restart strategies, as Flink's (`restart-strategy.type`: fixed-delay, exponential-delay,
 * failure-rate, none; https://nightlies.apache.org/flink/flink-docs-stable/docs/ops/state/task_failure_recovery/):
 * after a failure, whether the pipeline restarts and after what delay. Options keep Flink's names
 * (`restart-strategy.fixed-delay.attempts` is `fixedDelayRestart({ attempts })`) and defaults, in ms.
 */
import { InvalidOptionError } from '../core/errors.js';

/** Decides, failure after failure, whether and when a pipeline restarts. */
export interface RestartStrategy {
  /** The strategy and its settings, for errors. */
  readonly description: string;
  /** A fresh state for one pipeline's life: the failures so far are counted there. */
  start(): RestartBackoff;
}

/** The state of a `RestartStrategy` over one pipeline's failures. */
export interface RestartBackoff {
  /** A failure at time `now` (ms): the delay before the restart in ms, or undefined to give up. */
  onFailure(now: number): number | undefined;
}

/**
 * Restarts up to `attempts` times, `delay` ms after each failure (Flink's fixed-delay strategy:
 * `restart-strategy.fixed-delay.attempts`, default 1; `.delay`, default 1 s).
 *
 * @example
 * ```ts
 * import { fixedDelayRestart } from 'rxflink/parallel';
 * const strategy = fixedDelayRestart({ attempts: 3, delay: 10_000 }); // three restarts, 10 s apart
 * ```
 */
export function fixedDelayRestart(options: { attempts?: number; delay?: number } = {}): RestartStrategy {
  const attempts = count('attempts', options.attempts ?? 1);
  const delay = duration('delay', options.delay ?? 1_000);
  return {
    description: `fixed-delay (attempts ${attempts}, delay ${delay} ms)`,
    start: () => {
      let restarts = 0;
      return { onFailure: () => (restarts++ < attempts ? delay : undefined) };
    },
  };
}

/** Options of `exponentialDelayRestart`: Flink's `restart-strategy.exponential-delay.*`, in ms. */
export interface ExponentialDelayOptions {
  /** The delay of the first restart; default 1 s. */
  initialBackoff?: number;
  /** The longest delay; default 1 min. */
  maxBackoff?: number;
  /** What each failure multiplies the delay by; default 1.5. */
  backoffMultiplier?: number;
  /** After running this long without a failure, the delay and attempts start over; default 1 h. */
  resetBackoffThreshold?: number;
  /** Each delay varies by up to ± this fraction (so that pipelines do not restart together); default 0.1. */
  jitterFactor?: number;
  /** Restarts allowed before the backoff resets; default unlimited. */
  attemptsBeforeResetBackoff?: number;
}

/**
 * Restarts with a delay that grows by `backoffMultiplier` at each failure, up to `maxBackoff`, and
 * starts over once the pipeline ran `resetBackoffThreshold` ms without failing (Flink's
 * exponential-delay strategy, its default when checkpointing is on).
 *
 * @example
 * ```ts
 * import { exponentialDelayRestart } from 'rxflink/parallel';
 * // 1 s, 2 s, 4 s, ... up to 10 s; at most 5 restarts in a row.
 * const strategy = exponentialDelayRestart({ initialBackoff: 1_000, backoffMultiplier: 2, maxBackoff: 10_000, jitterFactor: 0, attemptsBeforeResetBackoff: 5 });
 * ```
 */
export function exponentialDelayRestart(options: ExponentialDelayOptions = {}): RestartStrategy {
  const initial = duration('initialBackoff', options.initialBackoff ?? 1_000);
  const max = duration('maxBackoff', options.maxBackoff ?? 60_000);
  const multiplier = options.backoffMultiplier ?? 1.5;
  if (!(multiplier >= 1)) throw new InvalidOptionError('backoffMultiplier', multiplier, 'must be a number ≥ 1');
  const reset = duration('resetBackoffThreshold', options.resetBackoffThreshold ?? 3_600_000);
  const jitter = options.jitterFactor ?? 0.1;
  if (!(jitter >= 0 && jitter <= 1)) throw new InvalidOptionError('jitterFactor', jitter, 'must be within [0, 1]');
  const attempts = count('attemptsBeforeResetBackoff', options.attemptsBeforeResetBackoff ?? Number.MAX_SAFE_INTEGER);
  return {
    description: `exponential-delay (initial ${initial} ms, max ${max} ms, ×${multiplier}, attempts ${attempts})`,
    start: () => {
      let backoff = initial;
      let restarts = 0;
      let runningSince: number | undefined;
      return {
        onFailure: (now) => {
          if (runningSince !== undefined && now - runningSince >= reset) {
            backoff = initial;
            restarts = 0;
          }
          if (restarts++ >= attempts) return undefined;
          const delay = Math.round(backoff * (1 + jitter * (2 * Math.random() - 1)));
          backoff = Math.min(backoff * multiplier, max);
          runningSince = now + delay;
          return delay;
        },
      };
    },
  };
}

/**
 * Restarts `delay` ms after a failure unless more than `maxFailuresPerInterval` failures fell within
 * the last `failureRateInterval` ms (Flink's failure-rate strategy: defaults 1 per 1 min, delay 1 s).
 *
 * @example
 * ```ts
 * import { failureRateRestart } from 'rxflink/parallel';
 * const strategy = failureRateRestart({ maxFailuresPerInterval: 3, failureRateInterval: 300_000, delay: 10_000 });
 * ```
 */
export function failureRateRestart(
  options: { maxFailuresPerInterval?: number; failureRateInterval?: number; delay?: number } = {},
): RestartStrategy {
  const most = count('maxFailuresPerInterval', options.maxFailuresPerInterval ?? 1);
  const interval = duration('failureRateInterval', options.failureRateInterval ?? 60_000);
  const delay = duration('delay', options.delay ?? 1_000);
  return {
    description: `failure-rate (at most ${most} per ${interval} ms, delay ${delay} ms)`,
    start: () => {
      const failures: number[] = [];
      return {
        onFailure: (now) => {
          failures.push(now);
          while (failures[0]! <= now - interval) failures.shift();
          return failures.length > most ? undefined : delay;
        },
      };
    },
  };
}

/**
 * Never restarts (Flink's `none`): the first failure fails the pipeline.
 *
 * @example
 * ```ts
 * import { noRestart } from 'rxflink/parallel';
 * const strategy = noRestart();
 * ```
 */
export function noRestart(): RestartStrategy {
  return { description: 'none', start: () => ({ onFailure: () => undefined }) };
}

function count(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidOptionError(option, value, 'must be a non-negative integer');
  return value;
}

function duration(option: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0))
    throw new InvalidOptionError(option, value, 'must be a duration in ms, ≥ 0');
  return value;
}
