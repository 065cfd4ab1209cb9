/**
 * The in-band half of checkpoints, as the engine sees it (docs/architecture.md §4). Nothing here knows RxJS or
 * storage: a checkpoint barrier carries the pending checkpoint it belongs to, and each operator that
 * the barrier passes reports its state to it; a restore marker carries the restored snapshot, and
 * each operator claims its state from it by uid. The coordinator that creates both lives in
 * src/checkpoint/coordinator.ts.
 *
 * Why the barrier carries the checkpoint rather than operators registering with a coordinator:
 * operators are created per subscription, deep inside `pipe`, and nothing global should link them.
 * Whatever the barrier reaches takes part, in stream order, and nothing else does.
 */

import type { KeyGroupRange, OperatorStateSnapshot, RestoreCheckpointOptions } from './state-snapshot.js';
import type { MetricsCollector } from './metrics/collector.js';
import { InvalidOptionError, StreamError } from './errors.js';

/** The checkpoint a barrier belongs to, as operators see it. */
export interface PendingCheckpoint {
  readonly checkpointId: number;
  /**
   * Whether keyed tables may be reported as changes since the previous checkpoint (a delta). When
   * false, every operator reports its state in full.
   */
  readonly incremental: boolean;
  /**
   * Stores an operator's state under its uid, with its current watermark if it has one; a uid
   * reported twice is a `DuplicateUidError`.
   */
  report(uid: string, state: OperatorStateSnapshot, operator: string, watermark?: number): void;
  /**
   * Says that the barrier is held at an asynchronous boundary (an async map, a merge waiting for its
   * other inputs): the checkpoint cannot complete before the returned function is called, once the
   * barrier has moved on.
   */
  hold(where: string): () => void;
  /**
   * Calls `listener` once the checkpoint is stored, with the stored checkpoint's id (sinks commit
   * then). A listener may return a promise of its commit: the end of a pipeline (its final
   * checkpoint, `whenFinished`) waits for it.
   */
  onComplete(listener: (checkpointId: number) => unknown): void;
  /**
   * Says that the pipeline this barrier went through failed with `error` (an operator could not
   * report its state, a sink could not commit, an error reached a sink), so that the coordinator
   * fails the checkpoint, `checkpoint()` and `whenFinished()` with that error rather than with a
   * vaguer one when the sources are unsubscribed. It may be called after the checkpoint completed.
   */
  fail?(error: unknown): void;
  /** The export code of the operators that leave it to checkpoints (`StateCodecs`); the checkpoint runtime's. */
  readonly codecs?: StateCodecs;
}

/** The restored snapshot, as operators see it: what the 'restore' control element carries. */
export interface RestoreSource {
  readonly checkpointId: number;
  /**
   * The state stored under `uid`, migrated to `stateVersion`, or undefined when none was stored.
   * `operator` identifies the claiming operator instance: a second claim by the same instance (the
   * marker reached it through two inputs) returns `ALREADY_RESTORED`; a claim by another instance
   * is a `DuplicateUidError`.
   */
  claim(
    uid: string,
    stateVersion: number,
    operator: object,
    name: string,
  ): OperatorStateSnapshot | undefined | typeof ALREADY_RESTORED;
  /** The key groups this pipeline restores (all when undefined): keyed operators take only theirs. */
  readonly keyGroups?: KeyGroupRange | undefined;
  /** The restore code of the operators that leave it to checkpoints (`StateCodecs`); the checkpoint runtime's. */
  readonly codecs?: StateCodecs;
}

/**
 * The state of an operator that leaves its export and restore to the checkpoint runtime: what kind of
 * state it holds (the key of its codec in `StateCodecs`), and whatever its codec reads and writes.
 * Why: the code that writes, reads, migrates and validates state rows is most of a stateful
 * operator's weight; an operator that only declares its state lets a bundle without checkpoints
 * leave that code out (docs/architecture.md §4).
 */
export interface StateAccess {
  /** The key of the operator's codec in `StateCodecs` (e.g. 'window'). */
  readonly kind: string;
}

/** Exports and restores the state of the operators of one kind, through their `StateAccess`. */
export interface StateCodec<A extends StateAccess = StateAccess> {
  /** The operator's state for `checkpoint`, as a `snapshotCheckpoint` method would report it. */
  snapshot(access: A, checkpoint: PendingCheckpoint): OperatorStateSnapshot;
  /** Restores what `snapshot` reported (or an older format), as a `restoreCheckpoint` method would. */
  restore(access: A, snapshot: OperatorStateSnapshot, options?: RestoreCheckpointOptions): void;
}

/**
 * The state code a checkpoint runtime brings with its checkpoint and restore markers: how an
 * operator's state is reported and restored (src/checkpoint/operator-state.ts), and the codecs of
 * the operators that leave their state to it, by `StateAccess.kind`. The markers bring it, not the
 * operators, so that a pipeline without checkpoints leaves it out of its bundle.
 */
export interface StateCodecs {
  /** The codecs by `StateAccess.kind`. */
  readonly kinds: Readonly<Record<string, StateCodec<never>>>;
  /** Reports `operator`'s state to `checkpoint` (it has state: `hasState`). */
  snapshot(operator: StatefulOperator, checkpoint: PendingCheckpoint): void;
  /** Gives `operator` the state stored under its uid in `source` (it has state: `hasState`). */
  restore(operator: StatefulOperator, source: RestoreSource): void;
}

/**
 * An operator leaves its state to a codec, and the checkpoint or restore marker that reached it
 * came from a runtime without that codec (a hand-made `PendingCheckpoint` or `RestoreSource`).
 */
export class MissingStateCodecError extends StreamError {
  /** The kind of the operator's `stateAccess`; undefined for an operator with snapshot methods. */
  declare readonly kind: string | undefined;
  constructor(operator: string, kind: string | undefined) {
    super(
      'MISSING_STATE_CODEC',
      `The operator ${operator} has ${kind ?? 'its'} state, and this checkpoint or restore carries no codecs to report or restore it (startCheckpointing's, or STATE_CODECS of rxflink/engine)`,
    );
    this.kind = kind;
  }
}

/** What `RestoreSource.claim` returns to an operator that already took its state. */
export const ALREADY_RESTORED: unique symbol = Symbol('rxflink.alreadyRestored');

/** The `type` of the control element that carries a `RestoreSource` in its payload. */
export const RESTORE_CONTROL = 'restore';

/**
 * The `type` of the control element that a checkpointed source sends first on every subscription,
 * carrying a `PipelineLink`. Every operator it passes remembers the link, so that an error thrown in
 * an operator (a user function, bad input) reaches the coordinator with its real cause, even before
 * the first barrier and in a pipeline with no sink the coordinator could hear from. RxJS sends errors
 * only downstream: upstream, a source just sees an unsubscribe.
 */
export const PIPELINE_CONTROL = 'pipeline';

/**
 * What the pipeline control element carries: where operators report that the pipeline failed, and
 * the pipeline's metrics, if it has any (docs/monitoring.md), which each operator joins as the
 * element passes it.
 */
export interface PipelineLink {
  fail(error: unknown): void;
  readonly metrics?: MetricsCollector | undefined;
}

const pipelineLinks = new WeakMap<object, PipelineLink>();

/**
 * Remembers the pipeline `operator` runs in (called when the pipeline control `element` passes it),
 * and adds the operator to the pipeline's job graph when the pipeline has metrics.
 */
export function linkToPipeline(operator: object, link: PipelineLink, element: object): void {
  pipelineLinks.set(operator, link);
  link.metrics?.join(operator, element);
}

/**
 * Tells the pipeline's coordinator, if any, that `operator` failed with `error`: through the last
 * barrier's checkpoint when the caller kept one (it knows the checkpoint in progress), else through
 * the pipeline link. Adapters call it before they send the error downstream, so that the
 * coordinator hears the cause before the unsubscribe that follows.
 */
export function reportPipelineFailure(operator: object, error: unknown, lastCheckpoint?: PendingCheckpoint): void {
  const link = pipelineLinks.get(operator);
  link?.metrics?.exception(operator, error);
  if (lastCheckpoint?.fail !== undefined) lastCheckpoint.fail(error);
  else link?.fail(error);
}

/**
 * An adapter's error path: reports the failure of `operator()` to the pipeline, then sends the
 * error downstream. `operator` is read when the error comes, since adapters create the operator
 * after the callbacks that may fail.
 */
export function failThroughPipeline(
  operator: () => object,
  downstream: { error(error: unknown): void },
): (error: unknown) => void {
  return (error) => {
    reportPipelineFailure(operator(), error);
    downstream.error(error);
  };
}

/** An operator that has state to checkpoint has no uid to store it under. */
export class MissingUidError extends StreamError {
  readonly operator: string;
  constructor(operator: string) {
    super(
      'MISSING_UID',
      `The operator ${operator} has state but no uid, so a checkpoint cannot store it: give it a stable, unique uid option (e.g. { uid: 'counts-per-page' }), as you would with Flink's .uid(...)`,
    );
    this.operator = operator;
  }
}

/** Two operators of one pipeline use the same uid: their state would overwrite each other. */
export class DuplicateUidError extends StreamError {
  readonly uid: string;
  constructor(uid: string, reason: string) {
    super(
      'DUPLICATE_UID',
      `The uid ${JSON.stringify(uid)} ${reason}; every stateful operator of a pipeline needs its own uid`,
    );
    this.uid = uid;
  }
}

/** The name of an operator in errors: its uid, else its class. */
export function operatorName(operator: object): string {
  const uid = (operator as { uid?: unknown }).uid;
  const kind = operator.constructor?.name || 'operator';
  return typeof uid === 'string' ? `${kind} (uid ${JSON.stringify(uid)})` : kind;
}

/**
 * The members of a `StreamOperator` (./operator.ts) that checkpoints use. Declared here, not
 * imported, because the operator contract imports this file: the two would form a cycle.
 */
export interface StatefulOperator {
  readonly uid?: string | undefined;
  readonly currentWatermark?: number;
  readonly stateVersion?: number;
  /** The operator's state as plain data, stored with `stateVersion` (when it has no `snapshotCheckpoint`). */
  snapshotState?(): unknown;
  /** Restores what `snapshotState` returned. */
  restoreState?(state: unknown): void;
  /** The operator's state for `checkpoint` (key-grouped, possibly a delta when `incremental`). */
  snapshotCheckpoint?(checkpoint: PendingCheckpoint): OperatorStateSnapshot;
  /** Restores what `snapshotCheckpoint` reported, or an older format; with `options.keyGroups`, only those. */
  restoreCheckpoint?(snapshot: OperatorStateSnapshot, options?: RestoreCheckpointOptions): void;
  /** State exported by the checkpoint runtime's codec for its kind, when the operator has no snapshot methods. */
  readonly stateAccess?: StateAccess;
}

/** Whether the operator has state to put into checkpoints. */
export function hasState(operator: StatefulOperator): boolean {
  return (
    operator.snapshotCheckpoint !== undefined ||
    operator.snapshotState !== undefined ||
    operator.stateAccess !== undefined
  );
}

/**
 * The snapshot and restore code that the checkpoint or restore marker `carrier` brings to `operator`,
 * which has state (`hasState`); a `MissingStateCodecError` naming the operator when it brings none.
 */
export function codecsFor(
  operator: StatefulOperator,
  carrier: { readonly codecs?: StateCodecs | undefined },
): StateCodecs {
  if (carrier.codecs === undefined)
    throw new MissingStateCodecError(operatorName(operator), operator.stateAccess?.kind);
  return carrier.codecs;
}

/** Checks a `uid` option where the operator is built: undefined or a non-empty string. */
export function checkUid(uid: unknown): void {
  if (uid !== undefined && (typeof uid !== 'string' || uid === ''))
    throw new InvalidOptionError('uid', uid, 'must be a non-empty string');
}
