/**
 * `defineTrigger` and `defineEvictor`: a trigger or evictor written by hand runs on the window
 * operator's general path, which the operator does not import (window-path.ts); these attach it, as
 * the library's own triggers and evictors do. A window given a hand-written trigger or evictor
 * without them fails at once with an InvalidOptionError naming the `trigger` or `evictor` option.
 */
import { InvalidOptionError } from '../core/errors.js';
import type { Evictor } from './evictors.js';
import { generalPath } from './general-windows.js';
import type { Trigger } from './triggers.js';

/**
 * Makes a trigger written by hand usable by `window(...)`: returns an object with the trigger's
 * members (own and inherited: a class instance works too) that also brings the window path
 * triggers run on.
 *
 * @example
 * ```ts
 * const everyTen = defineTrigger({
 *   onElement: (_v, _t, _w, ctx) => {
 *     const n = (ctx.getState<number>('n') ?? 0) + 1;
 *     if (n < 10) { ctx.setState('n', n); return 'CONTINUE'; }
 *     ctx.clearState('n');
 *     return 'FIRE';
 *   },
 *   onEventTime: () => 'CONTINUE',
 *   onProcessingTime: () => 'CONTINUE',
 *   clear: (_w, ctx) => ctx.clearState('n'),
 * });
 * window(globalWindows(), { trigger: everyTen }).aggregate(count());
 * ```
 */
export function defineTrigger<T>(trigger: Trigger<T>): Trigger<T> {
  if (typeof trigger !== 'object' || trigger === null)
    throw new InvalidOptionError(
      'trigger',
      trigger,
      'must be an object with onElement, onEventTime, onProcessingTime and clear',
    );
  return withGeneralPath(trigger);
}

/**
 * Makes an evictor written by hand usable by `window(...)`, as `defineTrigger` does for triggers.
 *
 * @example
 * ```ts
 * const dropNegatives = defineEvictor<number>({ evictBefore: (elements) => elements.filter((e) => e.value >= 0) });
 * window(globalWindows(), { trigger: countTrigger(10), evictor: dropNegatives }).aggregate(sum((x: number) => x));
 * ```
 */
export function defineEvictor<T>(evictor: Evictor<T>): Evictor<T> {
  if (typeof evictor !== 'object' || evictor === null)
    throw new InvalidOptionError('evictor', evictor, 'must be an object with evictBefore and/or evictAfter');
  return withGeneralPath(evictor);
}

/** An object that inherits every member of `target` (methods keep their `this`) and has `generalPath`. */
function withGeneralPath<D extends object>(target: D): D {
  // Not frozen: a trigger object may keep fields of its own (`this.x = ...` then lands on this object).
  return Object.create(target, { generalPath: { value: generalPath, enumerable: true } }) as D;
}
