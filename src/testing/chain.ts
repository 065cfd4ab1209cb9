import type { StreamElement } from '../core/elements.js';
import { processElement, type OperatorRuntime, type Output, type StreamOperator } from '../core/operator.js';
import type { StreamRecord } from '../core/elements.js';

/** Builds an engine operator from the runtime the harness gives it. */
export type CreateOperator<I, KI, O, KO> = (runtime: OperatorRuntime) => StreamOperator<I, KI, O, KO>;

type AnyOperator = StreamOperator<unknown, unknown, unknown, unknown>;

/**
 * Several engine operators run as one, in order, as Flink chains operators into one task: each
 * element's output goes through the next operator before the following element is processed, and
 * what a processing-time timer of one operator emits goes through the operators after it. Built by
 * `chain`; the harness snapshots and restores each part under its own uid.
 */
export class OperatorChain<I, KI, O, KO> implements StreamOperator<I, KI, O, KO> {
  /** The chained operators, first to last. */
  readonly parts: readonly StreamOperator<unknown, unknown, unknown, unknown>[];

  constructor(creates: readonly CreateOperator<unknown, unknown, unknown, unknown>[], runtime: OperatorRuntime) {
    this.parts = creates.map((create, index) =>
      create({
        ...runtime,
        processingTime: {
          now: () => runtime.processingTime.now(),
          // A timer's output enters the chain after the operator that fired it.
          schedule: (time, onTimer) =>
            runtime.processingTime.schedule<unknown, unknown>(time, (out) => {
              const produced: StreamElement<unknown, unknown>[] = [];
              onTimer(produced as never);
              this.#pushThrough(index + 1, produced, out);
            }),
        },
      }),
    );
  }

  processRecord(record: StreamRecord<I, KI>, out: Output<O, KO>): void {
    this.#pushThrough(0, [record as StreamElement<unknown, unknown>], out as Output<unknown, unknown>);
  }

  processWatermark(element: StreamElement<I, KI> & { kind: 'watermark' }, out: Output<O, KO>): void {
    this.#pushThrough(0, [element], out as Output<unknown, unknown>);
  }

  processStatus(element: StreamElement<I, KI> & { kind: 'status' }, out: Output<O, KO>): void {
    this.#pushThrough(0, [element], out as Output<unknown, unknown>);
  }

  processBarrier(element: StreamElement<I, KI> & { kind: 'barrier' }, out: Output<O, KO>): void {
    this.#pushThrough(0, [element], out as Output<unknown, unknown>);
  }

  processControl(element: StreamElement<I, KI> & { kind: 'control' }, out: Output<O, KO>): void {
    this.#pushThrough(0, [element], out as Output<unknown, unknown>);
  }

  dispose(): void {
    for (const part of this.parts) part.dispose?.();
  }

  #pushThrough(
    from: number,
    elements: readonly StreamElement<unknown, unknown>[],
    out: Output<unknown, unknown>,
  ): void {
    if (from === this.parts.length) {
      out.push(...elements);
      return;
    }
    const part: AnyOperator = this.parts[from]!;
    for (const element of elements) {
      const produced: StreamElement<unknown, unknown>[] = [];
      processElement(part, element, produced);
      this.#pushThrough(from + 1, produced, out);
    }
  }
}

/**
 * Chains engine operators for one `OperatorHarness` (Flink's harness over an operator chain): the
 * output of each is the input of the next, timers included. `harness.snapshot()` takes the state of
 * every part, each under its uid.
 *
 * @example
 * ```ts
 * const harness = new OperatorHarness(chain(
 *   () => new KeyByOperator((word: string) => word),
 *   (runtime) => new WindowOperator<string, string, number>({ keyed: true, assigner: tumblingEventTimeWindows(1000), fn: { kind: 'aggregate', aggregate: count() }, uid: 'counts' }, runtime),
 * ));
 * ```
 */
export function chain<I, KI, M, KM, O, KO>(
  first: CreateOperator<I, KI, M, KM>,
  second: CreateOperator<M, KM, O, KO>,
): CreateOperator<I, KI, O, KO>;
export function chain<I, KI, M1, KM1, M2, KM2, O, KO>(
  first: CreateOperator<I, KI, M1, KM1>,
  second: CreateOperator<M1, KM1, M2, KM2>,
  third: CreateOperator<M2, KM2, O, KO>,
): CreateOperator<I, KI, O, KO>;
export function chain(
  ...creates: CreateOperator<never, never, unknown, unknown>[]
): CreateOperator<unknown, unknown, unknown, unknown> {
  return (runtime) =>
    new OperatorChain(creates as unknown as CreateOperator<unknown, unknown, unknown, unknown>[], runtime);
}
