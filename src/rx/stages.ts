/**
 * How a chainable operator says what it is, so that the operator after it in a plain `pipe` can fuse
 * with it (docs/architecture.md §8, as Flink chains operators into one task). Declared here, below
 * every operator, so that fusing points down: an operator marks the stream it returns with its stage
 * (`keyBy` a KeyByStage, the entry an EntryStage, each declared beside its operator), and the
 * operator after it asks its source for the stage of the kind it can fuse with. The streams stay
 * plain Observables: the stages sit in a WeakMap beside them and go away with them.
 */
import type { Observable } from 'rxjs';

/** What an operator left on the stream it returned. `kind` names the operator. */
export interface Stage {
  readonly kind: string;
}

/**
 * A stream that can deliver plain values itself (a fused window chain): `toValues` asks for it and,
 * where the stream offers it, subscribes to `values()` instead of unwrapping each record.
 */
export interface ValuesStage extends Stage {
  readonly kind: 'values';
  /** The same stream's record values, as `toValues` would emit them, and nothing else. */
  values(): Observable<unknown>;
}

const stages = new WeakMap<Observable<unknown>, Stage>();

/** Records what produced `stream`; returns `stream`. */
export function markStage<S extends Observable<unknown>>(stream: S, stage: Stage): S {
  stages.set(stream, stage);
  return stream;
}

/**
 * The stage of kind `kind` that produced `stream`, exactly; undefined for any other stream (an
 * operator in between, even one that changes nothing, keeps the unfused path).
 */
export function stageOf<S extends Stage>(stream: Observable<unknown>, kind: S['kind']): S | undefined {
  const stage = stages.get(stream);
  return stage?.kind === kind ? (stage as S) : undefined;
}
