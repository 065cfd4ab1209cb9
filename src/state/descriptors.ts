/**
 * State descriptors, after Flink's StateDescriptor family: a state is declared by name, kind and
 * what it needs (a default value, a reduce or aggregate function, a time-to-live). The same
 * descriptor gives the state of whichever key is current when it is used.
 */
import { InvalidOptionError } from '../core/errors.js';
import type { KeyPart } from '../core/keys.js';
import { resolveTtl, type ResolvedTtl, type StateTtlConfig } from './ttl.js';

/** The kinds of keyed state, as Flink names them. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** What every state descriptor has. */
export interface StateDescriptorBase<Kind extends StateKind = StateKind> {
  readonly kind: Kind;
  readonly name: string;
  /** The TTL configuration as given, or undefined for state that never expires. */
  readonly ttl: StateTtlConfig | undefined;
  /** @internal validated TTL */
  readonly resolvedTtl: ResolvedTtl | undefined;
}

/** Declares a value state: one value per key (Flink's ValueStateDescriptor). */
export interface ValueStateDescriptor<T> extends StateDescriptorBase<'value'> {
  readonly defaultValue: T | undefined;
  /** How values are exported and restored (Flink's TypeSerializer); undefined: as they are (plain data). */
  readonly serializer?: StateSerializer<T> | undefined;
  /** Type marker; never set. */
  readonly __type?: (value: T) => T;
}

/** Declares a list state: a list of values per key (Flink's ListStateDescriptor). TTL is per element. */
export interface ListStateDescriptor<T> extends StateDescriptorBase<'list'> {
  /** Type marker; never set. */
  readonly __type?: (value: T) => T;
}

/**
 * Declares a map state: a map per key (Flink's MapStateDescriptor). Map keys are primitives that
 * compare by value. TTL is per map entry.
 */
export interface MapStateDescriptor<UK extends KeyPart, UV> extends StateDescriptorBase<'map'> {
  /** Type marker; never set. */
  readonly __type?: (key: UK, value: UV) => void;
}

/** Declares a reducing state: values added are folded into one with `reduce` (Flink's ReducingStateDescriptor). */
export interface ReducingStateDescriptor<T> extends StateDescriptorBase<'reducing'> {
  /**
   * Folds a value added into the key's accumulated value and returns the new one; called by each
   * `add` after the first (Flink's ReduceFunction).
   */
  readonly reduce: (accumulated: T, value: T) => T;
}

/** Flink's AggregateFunction: an accumulator built from inputs, read through `getResult`. */
export interface AggregateFunction<IN, ACC, OUT> {
  /** A new, empty accumulator; called when a value is added to a key that has none. */
  createAccumulator(): ACC;
  /**
   * Adds `value` to `accumulator` and returns the accumulator to store (the same object, changed,
   * or a new one). The stored accumulator is checkpointed, so it must be plain data.
   */
  add(value: IN, accumulator: ACC): ACC;
  /** The result of an accumulator; called on every read of the state, so it should not change it. */
  getResult(accumulator: ACC): OUT;
}

/** Declares an aggregating state (Flink's AggregatingStateDescriptor). The accumulator is what is stored. */
export interface AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptorBase<'aggregating'> {
  readonly aggregate: AggregateFunction<IN, ACC, OUT>;
}

/** A descriptor of any kind of keyed state. */
export type AnyStateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<KeyPart, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

/**
 * How a value state's values become plain data in an export and back (Flink's TypeSerializer of a
 * state descriptor): a copy of a value mutated in place, or a value that is not plain data.
 */
export interface StateSerializer<T> {
  /** The value as plain data, for an export: a copy, never the live value. */
  toPlain(value: T): unknown;
  /** The value back from what `toPlain` gave, on restore. */
  fromPlain(data: unknown): T;
}

/** Options every descriptor accepts. */
export interface StateOptions {
  /** Time-to-live of the state's entries; by default they never expire. */
  ttl?: StateTtlConfig;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidOptionError('state name', name, 'must be a non-empty string');
  return name;
}

/**
 * Declares a value state.
 *
 * @example
 * ```ts
 * const lastSeen = valueState<number>('last-seen', { ttl: { ttl: 3_600_000 } });
 * // in processElement: ctx.getState(lastSeen).update(ctx.timestamp);
 * ```
 */
export function valueState<T>(
  name: string,
  options: StateOptions & { defaultValue?: T; serializer?: StateSerializer<T> } = {},
): ValueStateDescriptor<T> {
  return Object.freeze({
    kind: 'value' as const,
    name: checkName(name),
    defaultValue: options.defaultValue,
    serializer: options.serializer,
    ttl: options.ttl,
    resolvedTtl: resolveTtl(options.ttl, name),
  });
}

/**
 * Declares a list state.
 *
 * @example
 * ```ts
 * const buffer = listState<Click>('buffer');
 * // in processElement: ctx.getListState(buffer).add(click);
 * ```
 */
export function listState<T>(name: string, options: StateOptions = {}): ListStateDescriptor<T> {
  return Object.freeze({
    kind: 'list' as const,
    name: checkName(name),
    ttl: options.ttl,
    resolvedTtl: resolveTtl(options.ttl, name),
  });
}

/**
 * Declares a map state.
 *
 * @example
 * ```ts
 * const perPage = mapState<string, number>('clicks-per-page');
 * // in processElement: const m = ctx.getMapState(perPage); m.put(page, (m.get(page) ?? 0) + 1);
 * ```
 */
export function mapState<UK extends KeyPart, UV>(name: string, options: StateOptions = {}): MapStateDescriptor<UK, UV> {
  return Object.freeze({
    kind: 'map' as const,
    name: checkName(name),
    ttl: options.ttl,
    resolvedTtl: resolveTtl(options.ttl, name),
  });
}

/**
 * Declares a reducing state.
 *
 * @example
 * ```ts
 * const total = reducingState<number>('total', (a, b) => a + b);
 * // in processElement: ctx.getReducingState(total).add(order.total);
 * ```
 */
export function reducingState<T>(
  name: string,
  reduce: (accumulated: T, value: T) => T,
  options: StateOptions = {},
): ReducingStateDescriptor<T> {
  if (typeof reduce !== 'function')
    throw new InvalidOptionError(`reduce of state ${JSON.stringify(name)}`, reduce, 'must be a function');
  return Object.freeze({
    kind: 'reducing' as const,
    name: checkName(name),
    reduce,
    ttl: options.ttl,
    resolvedTtl: resolveTtl(options.ttl, name),
  });
}

/**
 * Declares an aggregating state.
 *
 * @example
 * ```ts
 * const avg = aggregatingState('avg', {
 *   createAccumulator: () => ({ sum: 0, n: 0 }),
 *   add: (v: number, acc) => ({ sum: acc.sum + v, n: acc.n + 1 }),
 *   getResult: (acc) => acc.sum / acc.n,
 * });
 * ```
 */
export function aggregatingState<IN, ACC, OUT>(
  name: string,
  aggregate: AggregateFunction<IN, ACC, OUT>,
  options: StateOptions = {},
): AggregatingStateDescriptor<IN, ACC, OUT> {
  if (
    typeof aggregate !== 'object' ||
    aggregate === null ||
    typeof aggregate.createAccumulator !== 'function' ||
    typeof aggregate.add !== 'function' ||
    typeof aggregate.getResult !== 'function'
  ) {
    throw new InvalidOptionError(
      `aggregate of state ${JSON.stringify(name)}`,
      aggregate,
      'must have createAccumulator, add and getResult functions',
    );
  }
  return Object.freeze({
    kind: 'aggregating' as const,
    name: checkName(name),
    aggregate,
    ttl: options.ttl,
    resolvedTtl: resolveTtl(options.ttl, name),
  });
}
