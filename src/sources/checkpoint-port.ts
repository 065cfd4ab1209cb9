import type { SourceCheckpointLink, SourcePort } from '../core/source-link.js';
import { markerBatch, type StreamElement } from '../core/elements.js';
import type { StageCounters } from '../core/metrics/stage-probe.js';

/** What a source subscription tells its `SourceMarkers`. */
export interface SourceHooks {
  /** Emits a batch (a marker batch here) downstream. */
  emit(batch: readonly never[]): void;
  /** The position after the last value emitted. */
  position(): unknown;
  /** Whether the source is between two batches and may deliver markers now (no read in flight...). */
  idle(): boolean;
  /** Schedules the source's loop again (after `resume`). */
  wake(): void;
  fail(error: unknown): void;
  /** Completes the subscription (the source had called `finishing`). */
  complete(): void;
  /** What the source counts, for the job graph of a pipeline with metrics. */
  readonly stats?: StageCounters;
}

/**
 * The checkpoint side of one source subscription, shared by the pulled and push sources: marker
 * batches (barriers, restore, end of input) wait here for a point between two batches, and a paused
 * source emits no values while a checkpoint starts at the other sources.
 */
export class SourceMarkers {
  readonly #queue: {
    elements: readonly StreamElement<never, never>[];
    delivered: ((position: unknown) => void) | undefined;
  }[] = [];
  readonly #hooks: SourceHooks;
  #delivering = false;
  #started = false;
  #paused = false;
  #finishing = false;
  #disconnect: (() => void) | undefined;
  #link: SourceCheckpointLink | undefined;

  constructor(hooks: SourceHooks) {
    this.#hooks = hooks;
  }

  /** Connects to the coordinator's link (if any); markers are held until `start()`. */
  connect(link: SourceCheckpointLink | undefined): void {
    if (link === undefined) return;
    const port: SourcePort = {
      stats: this.#hooks.stats,
      inject: (elements, delivered) => {
        this.#queue.push({ elements, delivered });
        if (this.#started && this.#hooks.idle()) this.deliver();
      },
      pause: () => {
        this.#paused = true;
      },
      resume: () => {
        this.#paused = false;
        this.#hooks.wake();
      },
      fail: (error) => this.#hooks.fail(error),
      complete: () => {
        this.deliver();
        this.#hooks.complete();
      },
    };
    this.#disconnect = link.connect(port);
    this.#link = link;
  }

  /** Whether values may be emitted now: not paused for a checkpoint, not finished. */
  get mayEmit(): boolean {
    return !this.#paused && !this.#finishing;
  }

  /** The source's loop runs: from now on markers are delivered as soon as the source is idle. */
  start(): void {
    this.#started = true;
  }

  /** Delivers the markers waiting, unless a batch is being delivered right now. */
  deliver(): void {
    while (this.#queue.length > 0 && !this.#delivering) {
      const { elements, delivered } = this.#queue.shift()!;
      this.emitting(() => this.#hooks.emit(markerBatch<never>(elements)));
      delivered?.(this.#hooks.position());
    }
  }

  /** Runs `emit` (a delivery downstream) with markers held back until it returns. */
  emitting(emit: () => void): void {
    this.#delivering = true;
    try {
      emit();
    } finally {
      this.#delivering = false;
    }
  }

  /**
   * The source has emitted its last value. A checkpointed source then waits for its coordinator to
   * complete it (returns true); an unlinked one completes at once (returns false).
   */
  finish(): boolean {
    if (this.#link === undefined) return false;
    this.#finishing = true;
    this.#link.finishing(this.#hooks.position());
    return true;
  }

  disconnect(): void {
    this.#disconnect?.();
    this.#disconnect = undefined;
  }
}
