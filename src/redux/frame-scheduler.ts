/**
 * The default scheduler of what the redux entry paces for the screen: one task per animation frame
 * where the platform has frames (a browser tab), else the async scheduler (Node, workers without
 * `requestAnimationFrame`). Tests pass a TestScheduler instead.
 */
import { animationFrameScheduler, asyncScheduler, type SchedulerLike } from 'rxjs';

/**
 * `animationFrameScheduler` when `requestAnimationFrame` exists, else `asyncScheduler`.
 *
 * @example
 * ```ts
 * tick = (options.scheduler ?? frameScheduler()).schedule(flush, ...);
 * ```
 */
export function frameScheduler(): SchedulerLike {
  return typeof (globalThis as { requestAnimationFrame?: unknown }).requestAnimationFrame === 'function'
    ? animationFrameScheduler
    : asyncScheduler;
}
