/**
 * What a window operator opens to the code that exports and restores its state, which it does not
 * link itself (window-codec.ts, state-export.ts): types only, so that neither side imports the other.
 */
import type { StateAccess } from '../core/checkpointing.js';
import type { WindowSetup } from './config.js';
import type { GeneralWindows } from './general-windows.js';
import type { PaneExporter } from './pane-rows.js';
import type { PanePath } from './pane-path.js';

/**
 * What a window operator opens to the code that exports and restores its state (window-codec.ts,
 * state-export.ts): its setup, its two paths, and the codec's bookkeeping.
 */
export interface WindowStateAccess extends StateAccess {
  readonly kind: 'window';
  readonly setup: WindowSetup<unknown, unknown, unknown>;
  /** The pane table; null on the general path. */
  readonly panes: PanePath<unknown, unknown, unknown> | null;
  /** The general path; null until the configuration or a restore needs it. */
  readonly general: GeneralWindows<unknown, unknown, unknown> | null;
  /**
   * Leaves the pane table for good and returns the general path: `restored` when given (the one
   * before is disposed), else the operator's, made now when there is none.
   */
  toGeneralPath(restored?: GeneralWindows<unknown, unknown, unknown>): GeneralWindows<unknown, unknown, unknown>;
  /** The codec's bookkeeping between checkpoints; undefined before the first. */
  exports: WindowExports | undefined;
}

/** What the codec keeps between an operator's checkpoints: the tables of the pane path's last export. */
export interface WindowExports {
  readonly panes: PaneExporter;
}
