import { Observable, Subject } from 'rxjs';

/**
 * A second output of an operator, like Flink's OutputTag: late records, invalid records, or anything
 * an operator routes away from its main output. Subscribe to it like any Observable; values are
 * delivered synchronously, while the operator processes the element that produced them.
 *
 * A side output never completes on its own, because several pipelines may share it; `count` says how
 * many values it has received.
 *
 * @example
 * ```ts
 * const late = new SideOutput<StreamRecord<Click>>('late clicks');
 * late.subscribe((r) => console.warn('late', r.value));
 * clicks$.pipe(withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1000) }),
 *   keyBy((c) => c.user), tumblingEventTimeWindows(60_000, { lateOutput: late }), ...);
 * ```
 */
export class SideOutput<T> extends Observable<T> {
  readonly name: string;
  readonly #subject: Subject<T>;
  #count = 0;

  constructor(name = 'side output') {
    const subject = new Subject<T>();
    super((subscriber) => subject.subscribe(subscriber));
    this.#subject = subject;
    this.name = name;
  }

  /** How many values this side output has received. */
  get count(): number {
    return this.#count;
  }

  /** Sends a value to the side output's subscribers. Operators call this; users rarely need to. */
  emit(value: T): void {
    this.#count++;
    this.#subject.next(value);
  }
}
