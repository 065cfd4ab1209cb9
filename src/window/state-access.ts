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
  /** The pane table; null on the general path (the codec sets it so when a restore needs that path). */
  panes: PanePath<unknown, unknown, unknown> | null;
  /** The general path; null until the configuration or a restore needs it (window-codec.ts `toGeneralPath`). */
  general: GeneralWindows<unknown, unknown, unknown> | null;
  /** The codec's bookkeeping between checkpoints; undefined before the first. */
  exports: WindowExports | undefined;
}

/** What the codec keeps between an operator's checkpoints: the tables of the pane path's last export. */
export interface WindowExports {
  readonly panes: PaneExporter;
}
