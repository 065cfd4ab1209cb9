import type { OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import { InvalidOptionError, NotKeyedError } from '../core/errors.js';
import type { Key } from '../core/keys.js';
import { checkUid, type PendingCheckpoint } from '../core/checkpointing.js';
import type { OperatorRuntime, Output, StreamOperator } from '../core/operator.js';
import { checkMaxParallelism, type OperatorStateSnapshot } from '../core/state-snapshot.js';
import { fromStreamOperator, type SchedulerOption } from '../rx/operator-function.js';
import { KeyedStateBackend } from '../state/backend.js';
import type { KeyedRestoreOptions, KeyedStateHeader } from '../state/snapshot-types.js';
import type { ValueState } from '../state/state-types.js';
import { valueState } from '../state/descriptors.js';
import { StateRestoreError } from '../state/errors.js';

export interface RollingReduceOptions extends SchedulerOption {
  /** Stable id under which the operator's state is exported and imported (docs/architecture.md §4). */
  uid?: string;
  /** The number of key groups of the `keyBy` before (its `maxParallelism`; default 128): exports group keys by it. */
  maxParallelism?: number;
}

/**
 * The non-keyed part of a rollingReduce checkpoint: the header of its keyed state. The running
 * values are the backend's export, keyed tables `<keyGroup>/state:rolling-reduce` of one row per
 * key (the value itself), incremental between full ones (docs/checkpoints.md §10).
 */
export interface RollingReduceSnapshot {
  readonly operator: 'rollingReduce';
  readonly keyedState: KeyedStateHeader;
}

/** The state of a rollingReduce stored before the key-grouped format, migrated on restore. */
interface StoredBefore {
  readonly operator: 'rollingReduce';
  /** Format 2: layouts of the tables by state name. */
  readonly layouts?: unknown;
  /** Format 1: the segments. */
  readonly keyed?: unknown;
}

const ACCUMULATOR = /* @__PURE__ */ valueState<unknown>('rolling-reduce');

/**
 * The engine side of `rollingReduce`, after Flink's StreamGroupedReduceOperator: one value state
 * per key holds the running reduction; each record updates it and emits it with the record's
 * timestamp and key.
 */
export class RollingReduceOperator<T, K extends Key> implements StreamOperator<T, K, T, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'RollingReduce';
  readonly uid: string | undefined;
  readonly #reduce: (accumulated: T, value: T) => T;
  readonly #backend: KeyedStateBackend;
  readonly #state: ValueState<T>;

  constructor(reduce: (accumulated: T, value: T) => T, options: RollingReduceOptions, runtime: OperatorRuntime) {
    this.uid = options.uid;
    this.#reduce = reduce;
    this.#backend = new KeyedStateBackend({
      uid: options.uid,
      now: () => runtime.processingTime.now(),
      maxParallelism: options.maxParallelism,
    });
    this.#state = this.#backend.getState(ACCUMULATOR) as ValueState<T>;
  }

  processRecord(record: StreamRecord<T, K>, out: Output<T, K>): void {
    if (record.key === undefined)
      throw new NotKeyedError(`rollingReduce${this.uid === undefined ? '' : ` (uid ${JSON.stringify(this.uid)})`}`);
    const backend = this.#backend;
    backend.setCurrentKey(record.key);
    try {
      const accumulated = this.#state.value();
      const next = accumulated === undefined ? record.value : this.#reduce(accumulated, record.value);
      this.#state.update(next);
      out.push({
        kind: 'record',
        value: next,
        timestamp: record.timestamp,
        key: record.key,
        keyGroup: record.keyGroup,
      });
    } finally {
      backend.clearCurrentKey();
    }
  }

  /** The running values in the key-grouped format: with `checkpoint.incremental`, only the keys changed since the last checkpoint. */
  snapshotCheckpoint(checkpoint: PendingCheckpoint): OperatorStateSnapshot {
    const { header, tables } = this.#backend.snapshot({ incremental: checkpoint.incremental });
    const state: RollingReduceSnapshot = { operator: 'rollingReduce', keyedState: header };
    return { stateVersion: 0, state, keyed: tables };
  }

  /**
   * Restores from `snapshotCheckpoint` (tables in full), or from state stored in an earlier format
   * (migrated). With `options.keyGroups`, only the keys of those key groups.
   */
  restoreCheckpoint(snapshot: OperatorStateSnapshot, options: KeyedRestoreOptions = {}): void {
    const s = snapshot.state as Partial<RollingReduceSnapshot & StoredBefore> | null;
    if (typeof s !== 'object' || s === null || s.operator !== 'rollingReduce') {
      throw new StateRestoreError(this.uid, 'expected the checkpoint of a rollingReduce operator');
    }
    const keyed = snapshot.keyed ?? {};
    if (s.keyedState !== undefined) this.#backend.restore({ header: s.keyedState, tables: keyed }, options);
    else if (snapshot.keyed === undefined)
      this.#backend.restore(s.keyed, options); // format 1
    else this.#backend.restore({ layouts: s.layouts, tables: keyed }, options); // format 2
  }
}

/**
 * Keeps a running reduction per key, like Flink's `KeyedStream.reduce`: for each record, emits
 * `reduce(previous result of its key, record value)` (the first record of a key is emitted as is),
 * with the record's timestamp and key. The running values live in keyed value state under `uid`.
 * Needs a keyed stream (`keyBy` first): a record without a key is a `NotKeyedError`.
 *
 * @example
 * ```ts
 * orders$.pipe(
 *   withEventTime({ timestamp: (o) => o.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((o) => o.shop),
 *   mapValues((o): [string, number] => [o.shop, o.total]),
 *   rollingReduce((a, b): [string, number] => [a[0], a[1] + b[1]], { uid: 'revenue-per-shop' }),
 *   toValues(),
 * ); // ['s1', 20], ['s2', 5], ['s1', 35], ...: after each order, its shop's revenue so far
 * ```
 */
export function rollingReduce<T, K extends Key>(
  reduce: (accumulated: T, value: T) => T,
  options: RollingReduceOptions = {},
): OperatorFunction<StreamBatch<T, K>, StreamBatch<T, K>> {
  if (typeof reduce !== 'function')
    throw new InvalidOptionError('reduce', reduce, 'must be a function (accumulated, value) => result');
  checkUid(options.uid);
  checkMaxParallelism(options.maxParallelism);
  return fromStreamOperator((runtime) => new RollingReduceOperator<T, K>(reduce, options, runtime), options);
}
