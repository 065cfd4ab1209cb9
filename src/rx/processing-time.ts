import type { SchedulerLike, Subscription } from 'rxjs';
import type { StreamElement } from '../core/elements.js';
import type { ProcessingTimeService } from '../core/time.js';

/**
 * Processing time for one subscription, built on an RxJS scheduler. Timer output is handed to
 * `flush`; a timer that throws hands its error to `fail`. `cancelAll` runs at teardown.
 */
export interface SubscriptionProcessingTime {
  readonly service: ProcessingTimeService;
  cancelAll(): void;
}

export function schedulerProcessingTime<O, KO>(
  scheduler: SchedulerLike,
  flush: (out: StreamElement<O, KO>[]) => void,
  fail: (error: unknown) => void,
): SubscriptionProcessingTime {
  const timers = new Set<Subscription>();
  const service: ProcessingTimeService = {
    now: () => scheduler.now(),
    schedule<TO, TKO>(time: number, onTimer: (out: StreamElement<TO, TKO>[]) => void): () => void {
      const action: Subscription = scheduler.schedule(
        () => {
          timers.delete(action);
          const out: StreamElement<TO, TKO>[] = [];
          try {
            onTimer(out);
          } catch (error) {
            fail(error);
            return;
          }
          flush(out as unknown as StreamElement<O, KO>[]);
        },
        Math.max(0, time - scheduler.now()),
      );
      timers.add(action);
      return () => {
        action.unsubscribe();
        timers.delete(action);
      };
    },
  };
  return {
    service,
    cancelAll: () => {
      for (const timer of timers) timer.unsubscribe();
      timers.clear();
    },
  };
}
