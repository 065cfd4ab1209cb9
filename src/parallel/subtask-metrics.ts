import { attachProbe, OperatorProbe } from '../core/metrics/probe.js';

/**
 * The metrics of a `parallel` stage (docs/monitoring.md): one node of the job graph, named
 * `parallel(<segment>)`, with a probe per subtask, named as Flink names a subtask, `<segment> (i/n)`
 * from 1. A subtask counts the records routed to it (in) and those it sent back (out), the watermark
 * it was sent and the one it sent back, and the time its channel waited for credits with records
 * queued (back-pressured). Counting costs a few field writes per batch; time is read only once a
 * pipeline's metrics adopted the stage's probe (its clock is set).
 *
 * @example
 * ```ts
 * // internal: const metrics = new SubtaskMetrics(stage, 'parallel(sums)', 'sums', 2); metrics.routed(0, 50);
 * ```
 */
export class SubtaskMetrics {
  readonly stage: OperatorProbe;
  readonly #subtasks: OperatorProbe[];
  /** When each channel started waiting for credits with records queued; undefined while it is not. */
  readonly #blockedSince: (number | undefined)[];

  constructor(owner: object, name: string, segment: string, parallelism: number) {
    this.stage = attachProbe(owner, new OperatorProbe(name, 'operator', null, null));
    this.#subtasks = Array.from(
      { length: parallelism },
      (_, i) => new OperatorProbe(`${segment} (${i + 1}/${parallelism})`, 'operator', null, null),
    );
    this.#blockedSince = new Array<number | undefined>(parallelism).fill(undefined);
    this.stage.subtasks = this.#subtasks;
    this.stage.refresh = (now) => {
      this.#blockedSince.forEach((since, i) => {
        if (since === undefined) return;
        this.#subtasks[i]!.backPressuredMs += now - since;
        this.#blockedSince[i] = now;
      });
    };
  }

  /** `records` records went to subtask `subtask`. */
  routed(subtask: number, records: number): void {
    this.#subtasks[subtask]!.recordsIn += records;
  }

  /** Subtask `subtask` sent `records` records back. */
  received(subtask: number, records: number): void {
    this.#subtasks[subtask]!.recordsOut += records;
  }

  /** A watermark went to every subtask. */
  sent(watermark: number): void {
    for (const probe of this.#subtasks) probe.inputWatermark = watermark;
  }

  /** Subtask `subtask` sent its watermark `watermark` back. */
  returned(subtask: number, watermark: number): void {
    this.#subtasks[subtask]!.outputWatermark = watermark;
  }

  /** Whether channel `subtask` now waits for credits with records queued. */
  waiting(subtask: number, blocked: boolean): void {
    const clock = this.stage.clock;
    if (clock === null) return;
    const since = this.#blockedSince[subtask];
    if (blocked && since === undefined) this.#blockedSince[subtask] = clock();
    else if (!blocked && since !== undefined) {
      this.#subtasks[subtask]!.backPressuredMs += clock() - since;
      this.#blockedSince[subtask] = undefined;
    }
  }
}
