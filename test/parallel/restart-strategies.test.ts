/**
 * Restart strategies against Flink's documented behaviour
 * (https://nightlies.apache.org/flink/flink-docs-stable/docs/ops/state/task_failure_recovery/), and
 * `withRestarts` on a virtual clock: the delays come from the injected scheduler.
 */
import { defer, of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/core/errors.js';
import {
  exponentialDelayRestart,
  failureRateRestart,
  fixedDelayRestart,
  noRestart,
  RestartsExhaustedError,
  SubtaskFailedError,
  withRestarts,
} from '../../src/parallel/index.js';

describe('restart strategies', () => {
  it('fixed-delay: `attempts` restarts, each after `delay`, then gives up', () => {
    const backoff = fixedDelayRestart({ attempts: 2, delay: 500 }).start();
    expect([backoff.onFailure(0), backoff.onFailure(10), backoff.onFailure(20)]).toEqual([500, 500, undefined]);
  });

  it('fixed-delay defaults to Flink’s: one attempt after 1 s', () => {
    const backoff = fixedDelayRestart().start();
    expect([backoff.onFailure(0), backoff.onFailure(1)]).toEqual([1_000, undefined]);
  });

  it('exponential-delay: the delay grows by the multiplier up to maxBackoff (Flink’s example: 1 s, ×2, max 10 s)', () => {
    const backoff = exponentialDelayRestart({
      initialBackoff: 1_000,
      backoffMultiplier: 2,
      maxBackoff: 10_000,
      jitterFactor: 0,
    }).start();
    const delays = [0, 1, 2, 3, 4, 5].map((i) => backoff.onFailure(i));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('exponential-delay: after resetBackoffThreshold without a failure, the delay and the attempts start over', () => {
    const backoff = exponentialDelayRestart({
      initialBackoff: 100,
      backoffMultiplier: 2,
      resetBackoffThreshold: 1_000,
      jitterFactor: 0,
      attemptsBeforeResetBackoff: 2,
    }).start();
    expect([backoff.onFailure(0), backoff.onFailure(200)]).toEqual([100, 200]);
    // Restarted at 400, ran until 1,500: more than 1 s without failing.
    expect([backoff.onFailure(1_500), backoff.onFailure(1_600), backoff.onFailure(1_700)]).toEqual([
      100,
      200,
      undefined,
    ]);
  });

  it('exponential-delay: jitter stays within ± jitterFactor of the delay', () => {
    const strategy = exponentialDelayRestart({ initialBackoff: 1_000, backoffMultiplier: 1, jitterFactor: 0.1 });
    for (let i = 0; i < 50; i++) {
      const delay = strategy.start().onFailure(0)!;
      expect(delay).toBeGreaterThanOrEqual(900);
      expect(delay).toBeLessThanOrEqual(1_100);
    }
  });

  it('failure-rate: gives up at the failure beyond maxFailuresPerInterval within failureRateInterval', () => {
    const backoff = failureRateRestart({ maxFailuresPerInterval: 2, failureRateInterval: 1_000, delay: 50 }).start();
    expect([backoff.onFailure(0), backoff.onFailure(600), backoff.onFailure(1_100)]).toEqual([50, 50, 50]);
    expect(backoff.onFailure(1_500)).toBeUndefined(); // 600, 1,100 and 1,500 within one second
  });

  it('none never restarts', () => {
    expect(noRestart().start().onFailure(0)).toBeUndefined();
  });

  it('bad options fail with InvalidOptionError naming the option', () => {
    expect(() => fixedDelayRestart({ attempts: -1 })).toThrow(InvalidOptionError);
    expect(() => fixedDelayRestart({ delay: Number.NaN })).toThrow(/delay/);
    expect(() => exponentialDelayRestart({ backoffMultiplier: 0.5 })).toThrow(/backoffMultiplier/);
    expect(() => exponentialDelayRestart({ jitterFactor: 2 })).toThrow(/jitterFactor/);
    expect(() => failureRateRestart({ maxFailuresPerInterval: 1.5 })).toThrow(/maxFailuresPerInterval/);
    expect(() => withRestarts(() => ({ stream: of(1) }), { restartStrategy: {} as never })).toThrow(/restartStrategy/);
  });
});

describe('withRestarts', () => {
  it('restarts a failed run after the strategy’s delay, on the injected scheduler, until a run completes', async () => {
    const scheduler = new VirtualTimeScheduler();
    const starts: number[] = [];
    const values: number[] = [];
    let done = false;
    withRestarts(
      () => {
        starts.push(scheduler.now());
        return {
          stream: defer(() =>
            starts.length < 3 ? throwError(() => new Error(`run ${starts.length}`)) : of(starts.length),
          ),
        };
      },
      { restartStrategy: fixedDelayRestart({ attempts: 5, delay: 100 }), scheduler },
    ).subscribe({ next: (v) => values.push(v), complete: () => (done = true) });
    for (let i = 0; i < 5; i++) {
      await Promise.resolve().then(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.flush();
    }
    expect(starts).toEqual([0, 100, 200]);
    expect(values).toEqual([3]);
    expect(done).toBe(true);
  });

  it('a failure of the coordinator (whenFinished rejects) is a failure too; the last one becomes RestartsExhaustedError counting the restarts without onRestart', async () => {
    const scheduler = new VirtualTimeScheduler();
    const cause = new SubtaskFailedError('sums', 1, 'its worker exited with code 1');
    let error: unknown;
    withRestarts(
      () => ({
        stream: of(1),
        checkpoints: { whenFinished: () => Promise.reject(cause), stop: () => {} },
      }),
      { restartStrategy: fixedDelayRestart({ attempts: 1, delay: 0 }), scheduler },
    ).subscribe({ error: (e: unknown) => (error = e) });
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.flush();
    }
    expect(error).toBeInstanceOf(RestartsExhaustedError);
    expect(error).toMatchObject({ restarts: 1, segment: 'sums', subtask: 1, cause });
  });
});
