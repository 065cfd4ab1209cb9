/**
 * How a keyed window fuses with the operators in front of it (docs/architecture.md §8). Synchronous
 * operators that follow one another in a plain `pipe` run as one loop, as Flink chains operators into
 * one task:
 *
 * 1. `keyBy → window`: the window operator reads keyBy's input and keys each record itself, so no
 *    keyed record is built per input record.
 * 2. `withEventTime(Batches) → keyBy → window`: the entry hands each value and its timestamp
 *    straight to the window operator (event-time-window-chain.ts), so no record object is built
 *    per input value, and watermarks are numbers until one has to travel further.
 * 3. `… → window → toValues`, on the chain of rule 2: the chain's stream offers `toValues` its
 *    plain values (a ValuesStage, src/rx/stages.ts), and the window operator hands its results to
 *    the subscriber as they are, with no record wrapping each. No watermark leaves such a chain, so
 *    a bounded strategy's per-event watermarks of a batch reach the window as one per run of values
 *    (EntryDownstream.run): the entry's timestamps and watermark and the window's fold in one loop
 *    (pane-run.ts). With `withEventTime`, each value goes the same way in one body
 *    (EntryDownstream.value, event-time-window-chain.ts), with no garbage per value.
 *
 * The operators in front only say what they are (`stageOf`, src/rx/stages.ts); the window asks, so
 * every arrow points down. Each rule applies only to the exact stream the previous operator returned,
 * so any operator in between (a map, a tap, a share) keeps the unfused path, with the same results.
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { StreamBatch } from '../core/elements.js';
import type { OperatorRuntime } from '../core/operator.js';
import type { KeyByStage } from '../keyed/keyBy.js';
import { fromStreamOperator } from '../rx/operator-function.js';
import { markStage, stageOf, type ValuesStage } from '../rx/stages.js';
import type { EntryStage } from '../time/withEventTime.js';
import { eventTimeWindowChain } from './event-time-window-chain.js';
import type { WindowOperator, WindowResult } from './operator.js';

/** How a fused window operator is built: with the keyBy it keys records as, for one subscription. */
export type CreateWindow<T, K, R> = (
  keyBy: KeyByStage | undefined,
  runtime: OperatorRuntime,
) => WindowOperator<T, K, R>;

/**
 * A keyed window operator applied to `source`: fused with the keyBy (rule 1) and the entry (rule 2)
 * in front of it where `source` is exactly theirs, the plain operator otherwise.
 */
export function fuseWindow<T, K, R>(
  source: Observable<StreamBatch<T, K>>,
  create: CreateWindow<T, K, R>,
  options: { scheduler?: SchedulerLike },
): Observable<StreamBatch<WindowResult<K, R>, K>> {
  const keyBy = stageOf<KeyByStage>(source, 'keyBy');
  if (keyBy === undefined) return fromStreamOperator((runtime) => create(undefined, runtime), options)(source);
  const entry = stageOf<EntryStage>(keyBy.input, 'entry');
  if (entry !== undefined) {
    const chain = (valuesOnly: boolean) =>
      eventTimeWindowChain<T, K, R>(entry, (runtime) => create(keyBy, runtime), options.scheduler, valuesOnly);
    const values: ValuesStage = { kind: 'values', values: () => chain(true) };
    return markStage(chain(false) as Observable<StreamBatch<WindowResult<K, R>, K>>, values);
  }
  // The fused operator reads keyBy's input, records not keyed yet, and keys them itself.
  return fromStreamOperator(
    (runtime) => create(keyBy, runtime),
    options,
  )(keyBy.input as unknown as Observable<StreamBatch<T, K>>);
}
