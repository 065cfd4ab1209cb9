/**
 * The general path's factory (window-path.ts): the one module that references general-path.ts and
 * its state export (window-snapshot.ts). Only the descriptors that need the general path import it;
 * the operator imports its types alone.
 */
import type { StreamRecord } from '../core/elements.js';
import type { Output } from '../core/operator.js';
import type { WindowSetup } from './config.js';
import { checkGeneralOptions } from './general-config.js';
import { fireOpenWindows } from './general-fire-early.js';
import { GeneralPath } from './general-path.js';
import type { KeyData, WindowOperatorState, WindowResult } from './types.js';
import type { GeneralPathRef } from './window-path.js';
import type { WindowRowSource } from './window-rows.js';
import { paneKeys, type PaneColumns } from './pane-rows.js';
import { exportWindows, generalRows, restoreWindows } from './window-snapshot.js';
import type { Id } from './window-state.js';
import { layeredKeys } from './window-set-rows.js';
import { restoreLayered } from './layered-restore.js';
import { migrateWindows } from './window-migration.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import type { KeyedStateExport } from '../state/snapshot-types.js';

/** The general path, as the operator drives it. */
export interface GeneralWindows<T, K, R> {
  /** Live windows, over all keys. */
  readonly windowCount: number;
  /** Keys with at least one live window. */
  readonly keyCount: number;
  /** Pending timers of both domains. */
  readonly timerCount: number;
  processRecord(record: StreamRecord<T, K>, out: Output<WindowResult<K, R>, K>): void;
  /** Fires the event-time timers due at `time` (already the setup's watermark). */
  advanceEventTime(time: number, out: Output<WindowResult<K, R>, K>): void;
  /** After the end-of-input watermark: drops what is left, without emitting. */
  endOfEventTime(): void;
  /** Cancels the processing-time wake-up. */
  dispose(): void;
  /** Drops every window and timer (before a restore). */
  clear(): void;
  /** The keys with their windows, as plain data (`snapshotState`). */
  exportKeys(): KeyData[];
  /** The keys as a source of rows of the key-grouped export (window-rows.ts). */
  rows(): WindowRowSource<Id>;
  /** The checkpoint's keyed part: the state layer's tables of contents, trigger state, timers and window sets. */
  checkpoint(incremental: boolean): KeyedStateExport;
  /** The keys of such a checkpoint (`layeredKeys`), of the key groups in `range` (all without one). */
  keysOf(data: KeyedStateExport, range: KeyGroupRange | undefined): KeyData[];
  /**
   * Restores validated state into the cleared path, with the pane tables of a checkpoint that the
   * pane table could not hold (their windows join the state's keys: `paneKeys`, pane-rows.ts). The
   * conversion lives here, with the path that needs it, so that a pane-path bundle leaves it out.
   */
  restore(s: WindowOperatorState, panes: readonly PaneColumns[]): void;
  /**
   * Restores a general path's checkpoint (`checkpoint`), the key groups in `range`, into a new
   * path that replaces this one's state once restored (it keeps its state when this fails).
   */
  restoreTables(data: KeyedStateExport, range: KeyGroupRange | undefined, watermark: number): void;
  /** Fires the open windows as EARLY panes, without purging (fire-early.ts). */
  fireEarly(out: Output<WindowResult<K, R>, K>): void;
}

/** What a descriptor's `generalPath` (a GeneralPathRef) is: builds the general path of one window operator. */
export type GeneralPathFactory = <T, K, R>(setup: WindowSetup<T, K, R>) => GeneralWindows<T, K, R>;

/**
 * Builds the general path of a window operator: what a descriptor's `generalPath` field holds, with
 * the checks of the options only that path reads (`check`, general-config.ts). Marked pure: it only
 * gives `build`, which nothing else reaches, its checks (a module import runs nothing).
 *
 * @example
 * ```ts
 * // internal: Object.freeze({ kind: 'session', ..., generalPath })
 * ```
 */
export const generalPath: GeneralPathRef = /* @__PURE__ */ Object.assign(build satisfies GeneralPathFactory, {
  check: checkGeneralOptions,
});

function build<T, K, R>(setup: WindowSetup<T, K, R>): GeneralWindows<T, K, R> {
  let general = new GeneralPath(setup);
  const reading = { merging: setup.assigner.kind === 'session', accumulates: setup.incremental !== null };
  return {
    get windowCount() {
      return general.windowCount;
    },
    get keyCount() {
      return general.keyCount;
    },
    get timerCount() {
      const service = general.timers.service;
      return service.eventTimeTimers + service.processingTimeTimers;
    },
    processRecord: (record, out) => general.processRecord(record, out),
    advanceEventTime: (time, out) => general.advanceEventTime(time, out),
    endOfEventTime: () => general.endOfEventTime(),
    dispose: () => general.timers.dispose(),
    clear: () => {
      general.timers.dispose();
      general.clear();
    },
    exportKeys: () => exportWindows(setup, general),
    fireEarly: (out) => fireOpenWindows(setup, general, out),
    rows: () => generalRows(setup, general),
    // Keyed windows go through the versioned migration to the layer's tables; windowAll's one key
    // (UNKEYED) is no key of the backend's rows, so it is registered window by window.
    restore: (state, panes) => {
      const keys = paneKeys(panes, (t) => setup.cleanupTime(t), state.watermark);
      const s = keys.length === 0 ? state : { ...state, keys: [...state.keys, ...keys] };
      if (setup.keyed) restoreLayered(setup, general, migrateWindows(s.keys, reading), undefined, s.watermark);
      else restoreWindows(setup, general, s);
    },
    restoreTables: (data, range, watermark) => {
      const restored = new GeneralPath(setup);
      restoreLayered(setup, restored, data, range, watermark);
      general.timers.dispose();
      general = restored;
    },
    checkpoint: (incremental) => general.state.snapshot({ incremental }),
    keysOf: (data, range) =>
      layeredKeys(data, range, { uid: setup.uid, keyed: setup.keyed, accumulates: setup.incremental !== null }),
  };
}
