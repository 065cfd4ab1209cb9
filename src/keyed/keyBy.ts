import type { Observable, OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamRecord } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import { checkKey, DEFAULT_MAX_PARALLELISM, keyGroupOf, type Key } from '../core/keys.js';
import type { Output, StreamOperator } from '../core/operator.js';
import { fromStreamOperator } from '../rx/operator-function.js';
import { markStage, type Stage } from '../rx/stages.js';

/** Options of `keyBy`. */
export interface KeyByOptions {
  /**
   * Upper bound on the number of key groups (Flink's max parallelism, default 128). Key groups are
   * the unit in which keyed state is split; changing this changes every record's key group.
   */
  maxParallelism?: number;
}

/**
 * What `keyBy` says it is (src/rx/stages.ts): the stream it reads and how it keys records, for a
 * keyed operator right after it that keys records itself (src/window/fused-window.ts).
 */
export interface KeyByStage extends Stage {
  readonly kind: 'keyBy';
  readonly input: Observable<StreamBatch<unknown, unknown>>;
  readonly selectKey: (value: unknown) => Key;
  readonly maxParallelism: number;
}

/** The engine side of `keyBy`: attaches key and key group to each record. */
export class KeyByOperator<T, K extends Key> implements StreamOperator<T, unknown, T, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'KeyBy';
  readonly #selectKey: (value: T) => K;
  readonly #maxParallelism: number;

  constructor(selectKey: (value: T) => K, options: KeyByOptions = {}) {
    const maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    if (!Number.isSafeInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw new InvalidOptionError('maxParallelism', maxParallelism, 'must be an integer from 1 to 32768');
    }
    this.#selectKey = selectKey;
    this.#maxParallelism = maxParallelism;
  }

  processRecord(input: StreamRecord<T, unknown>, out: Output<T, K>): void {
    const key = checkKey(this.#selectKey(input.value), input.value) as K;
    out.push({
      kind: 'record',
      value: input.value,
      timestamp: input.timestamp,
      key,
      keyGroup: keyGroupOf(key, this.#maxParallelism),
    });
  }
}

/**
 * Partitions a timed stream by key, like Flink's `keyBy`: each record gets the key `selectKey`
 * returns and its key group, so that keyed operators after it (windows, keyed state, process
 * functions) keep one state per key. Watermarks and control elements pass through.
 *
 * A key is a string, number, bigint, boolean, or a tuple (array) of those, and keys compare by value:
 * `"1"` and `1` are different keys, `["a", 1]` equals another `["a", 1]`, and `"__proto__"` or
 * `"constructor"` are ordinary keys. `null`, `undefined`, `NaN` and objects are refused with an
 * `InvalidKeyError` that names the element: objects compare by identity, which would split one
 * logical key in many.
 *
 * @example
 * ```ts
 * // Running revenue per shop: each order's total added to the shop's last one.
 * orders$.pipe(
 *   withEventTime({ timestamp: (o) => o.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((o) => o.shop),
 *   rollingReduce((a, b) => ({ ...b, total: a.total + b.total })),
 *   toValues(),
 * );
 * ```
 */
export function keyBy<T, K extends Key>(
  selectKey: (value: T) => K,
  options: KeyByOptions = {},
): OperatorFunction<StreamBatch<T, unknown>, StreamBatch<T, K>> {
  new KeyByOperator(selectKey, options); // validates options when the pipeline is built
  const operator = fromStreamOperator(() => new KeyByOperator<T, K>(selectKey, options));
  const maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
  // Marked so that a keyed operator right after it can fuse with it (src/window/fused-window.ts):
  // keyBy is stateless and forwards every non-record element in place, so an operator that reads
  // `input` and keys records as keyBy would sees the same elements.
  return (input) => {
    const stage: KeyByStage = { kind: 'keyBy', input, selectKey: selectKey as (value: unknown) => Key, maxParallelism };
    return markStage(operator(input), stage);
  };
}
