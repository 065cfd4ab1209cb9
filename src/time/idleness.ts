import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';

/**
 * Flink's WatermarksWithIdleness and IdlenessTimer: idleness is decided at periodic emission. The
 * first emission without new records starts the inactivity clock; an emission more than `timeout`
 * after that start marks the input idle instead of emitting a watermark.
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  #activity = 0;
  #lastSeenActivity = 0;
  #inactiveSince: number | undefined;
  readonly #generator: WatermarkGenerator<T>;
  readonly #timeout: number;
  readonly #now: () => number;

  constructor(generator: WatermarkGenerator<T>, timeout: number, now: () => number) {
    this.#generator = generator;
    this.#timeout = timeout;
    this.#now = now;
  }

  onEvent(value: T, timestamp: number, output: WatermarkOutput): void {
    this.#generator.onEvent(value, timestamp, output);
    this.#activity++;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.#isIdle()) output.markIdle();
    else this.#generator.onPeriodicEmit(output);
  }

  // Idleness is not state: a restored input counts as active until its timeout passes again.
  get snapshotState(): (() => unknown) | undefined {
    return this.#generator.snapshotState?.bind(this.#generator);
  }

  get restoreState(): ((state: unknown) => void) | undefined {
    return this.#generator.restoreState?.bind(this.#generator);
  }

  #isIdle(): boolean {
    if (this.#activity !== this.#lastSeenActivity) {
      this.#lastSeenActivity = this.#activity;
      this.#inactiveSince = undefined;
      return false;
    }
    const now = this.#now();
    if (this.#inactiveSince === undefined) {
      this.#inactiveSince = now;
      return false;
    }
    return now - this.#inactiveSince > this.#timeout;
  }
}
