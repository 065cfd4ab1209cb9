import type { OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import { InvalidOptionError, NotKeyedError } from '../core/errors.js';
import type { Key } from '../core/keys.js';
import { checkUid, type PendingCheckpoint } from '../core/checkpointing.js';
import type { OperatorRuntime, Output, StreamOperator } from '../core/operator.js';
import type { OperatorStateSnapshot } from '../core/state-snapshot.js';
import { fromStreamOperator, type SchedulerOption } from '../rx/operator-function.js';
import { KeyedStateBackend } from '../state/backend.js';
import type { StateTableLayout } from '../state/snapshot-types.js';
import type { ValueState } from '../state/state-types.js';
import { valueState } from '../state/descriptors.js';
import { StateRestoreError } from '../state/errors.js';

export interface RollingReduceOptions extends SchedulerOption {
  /** Stable id under which the operator's state is exported and imported (docs/architecture.md §4). */
  uid?: string;
}

/** What `RollingReduceOperator.snapshotState` exports. */
export interface RollingReduceSnapshot {
  readonly operator: 'rollingReduce';
  readonly uid: string | undefined;
  readonly keyed: ReturnType<KeyedStateBackend['snapshot']>;
}

/**
 * The non-keyed part of a rollingReduce checkpoint; the running values are its keyed table
 * `rolling-reduce`, one row per key (the value itself), incremental between full ones.
 */
export interface RollingReduceCheckpointState {
  readonly operator: 'rollingReduce';
  readonly layouts: Readonly<Record<string, StateTableLayout>>;
}

const ACCUMULATOR = /* @__PURE__ */ valueState<unknown>('rolling-reduce');

/**
 * The engine side of `rollingReduce`, after Flink's StreamGroupedReduceOperator: one value state
 * per key holds the running reduction; each record updates it and emits it with the record's
 * timestamp and key.
 */
export class RollingReduceOperator<T, K extends Key> implements StreamOperator<T, K, T, K> {
  readonly uid: string | undefined;
  readonly #reduce: (accumulated: T, value: T) => T;
  readonly #backend: KeyedStateBackend;
  readonly #state: ValueState<T>;

  constructor(reduce: (accumulated: T, value: T) => T, options: RollingReduceOptions, runtime: OperatorRuntime) {
    this.uid = options.uid;
    this.#reduce = reduce;
    this.#backend = new KeyedStateBackend({ uid: options.uid, now: () => runtime.processingTime.now() });
    this.#state = this.#backend.getState(ACCUMULATOR) as ValueState<T>;
  }

  processRecord(record: StreamRecord<T, K>, out: Output<T, K>): void {
    if (record.key === undefined) throw new NotKeyedError(`rollingReduce${this.uid === undefined ? '' : ` (uid ${JSON.stringify(this.uid)})`}`);
    const backend = this.#backend;
    backend.setCurrentKey(record.key);
    try {
      const accumulated = this.#state.value();
      const next = accumulated === undefined ? record.value : this.#reduce(accumulated, record.value);
      this.#state.update(next);
      out.push({ kind: 'record', value: next, timestamp: record.timestamp, key: record.key, keyGroup: record.keyGroup });
    } finally {
      backend.clearCurrentKey();
    }
  }

  snapshotState(): RollingReduceSnapshot {
    return { operator: 'rollingReduce', uid: this.uid, keyed: this.#backend.snapshot() };
  }

  restoreState(state: unknown): void {
    const s = state as Partial<RollingReduceSnapshot> | null;
    if (typeof s !== 'object' || s === null || s.operator !== 'rollingReduce') {
      throw new StateRestoreError(this.uid, 'expected the export of a rollingReduce operator');
    }
    this.#backend.restore(s.keyed);
  }

  /** The running values as a keyed table: with `checkpoint.incremental`, only the keys changed since the last checkpoint. */
  snapshotCheckpoint(checkpoint: PendingCheckpoint): OperatorStateSnapshot {
    const { layouts, tables } = this.#backend.checkpointTables(checkpoint.incremental);
    const state: RollingReduceCheckpointState = { operator: 'rollingReduce', layouts };
    return { stateVersion: 0, state, keyed: tables };
  }

  /** Restores from `snapshotCheckpoint` (tables in full), or from a checkpoint of `snapshotState` (no keyed tables). */
  restoreCheckpoint(snapshot: OperatorStateSnapshot): void {
    if (snapshot.keyed === undefined) {
      this.restoreState(snapshot.state);
      return;
    }
    const s = snapshot.state as Partial<RollingReduceCheckpointState> | null;
    if (typeof s !== 'object' || s === null || s.operator !== 'rollingReduce' || typeof s.layouts !== 'object' || s.layouts === null) {
      throw new StateRestoreError(this.uid, 'expected the checkpoint of a rollingReduce operator');
    }
    this.#backend.restoreTables({ layouts: s.layouts, tables: snapshot.keyed });
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
  if (typeof reduce !== 'function') throw new InvalidOptionError('reduce', reduce, 'must be a function (accumulated, value) => result');
  checkUid(options.uid);
  return fromStreamOperator((runtime) => new RollingReduceOperator<T, K>(reduce, options, runtime), options);
}
