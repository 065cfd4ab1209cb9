import { describeValue, StreamError } from '../core/errors.js';
import { StateRestoreError } from '../state/errors.js';

/** Window state holds something that is not plain data and has no export function. */
export class StateExportError extends StreamError {
  /** What part of the window state: "accumulator", "key", "trigger state"... */
  readonly what: string;
  readonly value: unknown;
  /** The uid of the window operator, once known. */
  readonly uid: string | undefined;
  constructor(what: string, value: unknown, uid?: string) {
    super(
      'STATE_EXPORT',
      `Cannot export ${uid === undefined ? '' : `the state of window operator ${JSON.stringify(uid)}: `}window ${what} ${describeValue(value)}: it is not plain data (numbers, strings, booleans, null, bigint, arrays, plain objects); give the aggregate exportAccumulator/importAccumulator`,
    );
    this.what = what;
    this.value = value;
    this.uid = uid;
  }
}

/**
 * Merging two session windows would make the merged window end before the watermark (Flink throws
 * UnsupportedOperationException in WindowOperator's merge callback in the same case).
 */
export class WindowMergeError extends StreamError {
  readonly window: { start: number; end: number };
  constructor(window: { start: number; end: number }, watermark: number) {
    super(
      'WINDOW_MERGE',
      `Merging windows into [${window.start}, ${window.end}) would end it at or before the current watermark/time ${watermark}: a merge cannot make a window's end earlier than the watermark`,
    );
    this.window = window;
  }
}

/**
 * Window state passed to restoreState has the wrong shape or version. A `StateRestoreError`, like
 * every operator's: `uid` names the operator, `field` the wrong part (src/window/restore-validation.ts).
 */
export class WindowStateError extends StateRestoreError {
  constructor(reason: string, uid?: string, field?: string) {
    super(uid, reason, field);
  }
}
