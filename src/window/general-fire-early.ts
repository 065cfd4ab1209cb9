/**
 * The fire-early control element (fire-early.ts) on the window operator's general path
 * (general-path.ts): kept apart so that the pane table's bundle does not carry it.
 */
import type { Output } from '../core/operator.js';
import type { WindowSetup } from './config.js';
import type { GeneralPath } from './general-path.js';
import type { WindowResult } from './types.js';
import { emitWindow } from './window-emit.js';

/**
 * Fires every window whose time (the watermark, or processing time for processing-time windows) has
 * not reached its end as an EARLY pane, without purging: a trigger's FIRE, so the window's pane
 * count goes up as on any firing. Windows kept only for allowed lateness do not fire.
 *
 * @example
 * ```ts
 * // internal: if (general !== null) fireOpenWindows(setup, general, out) // on a 'fire-early' control element
 * ```
 */
export function fireOpenWindows<T, K, R>(
  setup: WindowSetup<T, K, R>,
  general: GeneralPath<T, K, R>,
  out: Output<WindowResult<K, R>, K>,
): void {
  const now = setup.eventTime ? setup.watermark : setup.runtime.processingTime.now();
  for (const entry of general.keys.values()) {
    for (const ws of entry.windows()) if (ws.maxTs > now) emitWindow(setup, general.ctx, ws, out, now, false, false);
    general.changed?.set(entry.id, entry);
  }
}
