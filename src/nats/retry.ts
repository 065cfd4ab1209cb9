/**
 * Retrying NATS calls through an outage (a server restart, a reconnect): waits come from the
 * injected scheduler (docs/architecture.md §3), and an outage longer than the limit fails for good.
 */
import type { SchedulerLike } from 'rxjs';

/**
 * Resolves after `ms` of the scheduler's time.
 *
 * @example
 * // internal: await sleep(250, asyncScheduler);
 */
export function sleep(ms: number, scheduler: SchedulerLike): Promise<void> {
  return new Promise((resolve) => scheduler.schedule(() => resolve(), ms));
}

/** How long to keep retrying, and how long to wait between tries. */
export interface RetrySettings {
  readonly scheduler: SchedulerLike;
  /** Give up once the calls have failed for this long, in ms. */
  readonly retryFor: number;
  /** Wait between tries, in ms. */
  readonly backoff: number;
}

/**
 * Runs `attempt` until it succeeds, until `isFinal(error)` says an error must not be retried, or
 * until it has failed for `retryFor` ms; then rejects with the last error.
 *
 * @example
 * // internal: const ack = await retrying(() => js.publish(subject, payload, { msgID }), settings, isTyped);
 */
export async function retrying<R>(
  attempt: () => Promise<R>,
  settings: RetrySettings,
  isFinal: (error: unknown) => boolean,
): Promise<R> {
  const since = settings.scheduler.now();
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (isFinal(error) || settings.scheduler.now() - since >= settings.retryFor) throw error;
      await sleep(settings.backoff, settings.scheduler);
    }
  }
}
