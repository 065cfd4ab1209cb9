/**
 * What each chainable operator leaves on the stream it returns, so that the operator after it can
 * recognise it and fuse (docs/architecture.md §8, as Flink chains operators into one task). The
 * streams stay plain Observables: the descriptions sit in a WeakMap beside them and go away with
 * them. Which stages fuse, and how, is decided in one place: rules.ts.
 */
import type { Observable } from 'rxjs';
import type { StreamBatch } from '../core/elements.js';
import type { Key } from '../core/keys.js';
import type { EventTimeOptions } from '../time/withEventTime.js';

/** `withEventTime` / `withEventTimeBatches`: the values it reads and how it times them. */
export interface EntryStage {
  readonly kind: 'entry';
  /** The plain values (or arrays of values, for `batches`) the entry reads. */
  readonly source: Observable<unknown>;
  readonly batches: boolean;
  readonly options: EventTimeOptions<unknown>;
}

/** `keyBy`: the stream it reads and how it keys records. */
export interface KeyByStage {
  readonly kind: 'keyBy';
  readonly input: Observable<StreamBatch<unknown, unknown>>;
  readonly selectKey: (value: unknown) => Key;
  readonly maxParallelism: number;
}

/** A window fused with its entry: the same chain, built to hand plain results to a fused `toValues`. */
export interface WindowStage {
  readonly kind: 'window';
  values(): Observable<unknown>;
}

export type Stage = EntryStage | KeyByStage | WindowStage;

const stages = new WeakMap<Observable<unknown>, Stage>();

/** Records what produced `stream`; returns `stream`. */
export function markStage<S extends Observable<unknown>>(stream: S, stage: Stage): S {
  stages.set(stream, stage);
  return stream;
}

/** The stage that produced `stream`, exactly; undefined for any other stream. */
export function stageOf(stream: Observable<unknown>): Stage | undefined {
  return stages.get(stream);
}
