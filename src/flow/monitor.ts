import { asyncScheduler, Observable, type SchedulerAction, type SchedulerLike } from 'rxjs';

/** What one source or bounded stage of a pipeline reports. Counts are totals since subscription. */
export interface StageMetrics {
  readonly name: string;
  readonly kind: 'source' | 'push-buffer' | 'async-map' | 'sink';
  /** Records received (for a source: records pulled from the underlying data). */
  readonly recordsIn: number;
  /** Records emitted downstream (for a sink: records written and acknowledged). */
  readonly recordsOut: number;
  /** Records held right now: waiting, in flight, or completed and not yet emitted. */
  readonly occupancy: number;
  /** The bound on `occupancy` (Infinity for a source without a buffer). */
  readonly capacity: number;
  /** The highest occupancy seen. */
  readonly peakOccupancy: number;
  /** Requests (async map) or writes (sink) in flight right now. */
  readonly inFlight: number;
  /** Records dropped by an overflow policy. */
  readonly dropped: number;
  /** Total processing time this source spent wanting to pull while downstream had no room. */
  readonly backPressuredTimeMs: number;
}

/** A sample of a pipeline's flow, emitted by `FlowMonitor.metrics()`. */
export interface FlowMetrics {
  /** Processing time of the sample, from the monitor's scheduler. */
  readonly time: number;
  /** Records pulled by the sources (push buffers count every value that arrived, dropped or not). */
  readonly recordsIn: number;
  /** Records acknowledged by sinks; when the pipeline has no async sink, records emitted by sources. */
  readonly recordsOut: number;
  /** Records held by all bounded buffers now. */
  readonly occupancy: number;
  /** Records dropped by overflow policies. */
  readonly dropped: number;
  /**
   * Milliseconds per second of processing time that the most backpressured source spent unable to
   * pull, over the last sampling interval (Flink's `backPressuredTimeMsPerSecond`); 0..1000.
   */
  readonly backPressuredTimeMsPerSecond: number;
  /** Per source and stage detail, in registration order. */
  readonly stages: readonly StageMetrics[];
}

/**
 * The mutable counters of one source or stage. Stages update the fields directly on the hot path
 * (a field write per batch); the monitor reads them when sampled.
 */
export class StageStats {
  recordsIn = 0;
  recordsOut = 0;
  occupancy = 0;
  peakOccupancy = 0;
  inFlight = 0;
  dropped = 0;
  backPressuredTimeMs = 0;
  /** Processing time at which the source became blocked; -1 while it is not. */
  blockedSince = -1;

  constructor(
    readonly name: string,
    readonly kind: StageMetrics['kind'],
    readonly capacity: number,
  ) {}

  /** Sets the occupancy and tracks its peak. */
  hold(occupancy: number): void {
    this.occupancy = occupancy;
    if (occupancy > this.peakOccupancy) this.peakOccupancy = occupancy;
  }

  /** Marks the start of a blocked period (the source has no credit). */
  block(now: number): void {
    if (this.blockedSince < 0) this.blockedSince = now;
  }

  /** Ends a blocked period, adding its length to `backPressuredTimeMs`. */
  unblock(now: number): void {
    if (this.blockedSince >= 0) {
      this.backPressuredTimeMs += Math.max(0, now - this.blockedSince);
      this.blockedSince = -1;
    }
  }

  /** A plain copy, with the current blocked period counted up to `now`. */
  read(now: number): StageMetrics {
    return {
      name: this.name,
      kind: this.kind,
      recordsIn: this.recordsIn,
      recordsOut: this.recordsOut,
      occupancy: this.occupancy,
      capacity: this.capacity,
      peakOccupancy: this.peakOccupancy,
      inFlight: this.inFlight,
      dropped: this.dropped,
      backPressuredTimeMs:
        this.backPressuredTimeMs + (this.blockedSince >= 0 ? Math.max(0, now - this.blockedSince) : 0),
    };
  }
}

/** Options of a `FlowMonitor`. */
export interface FlowMonitorOptions {
  /** Where sampling time comes from; defaults to `asyncScheduler`. Pass a TestScheduler in tests. */
  scheduler?: SchedulerLike;
}

/**
 * Collects the flow metrics of one pipeline: every pulled source owns one (`source.monitor`), and
 * every bounded stage that its batches reach registers with it on its own, so the user wires
 * nothing. Several sources may share one monitor (pass `monitor` to each).
 *
 * @example
 * ```ts
 * const rows$ = fromIterable(rows, { batchSize: 1000 });
 * // Each second: rows stored so far, and how many ms of that second the source waited for the sink.
 * rows$.monitor.metrics(1000).subscribe((m) => console.log(m.recordsOut, m.backPressuredTimeMsPerSecond));
 * rows$.pipe(asyncSinkValues((batch) => db.insertMany(batch), { concurrency: 4 })).subscribe();
 * ```
 */
export class FlowMonitor {
  readonly #scheduler: SchedulerLike;
  readonly #stages: StageStats[] = [];
  readonly #createdAt: number;

  constructor(options: FlowMonitorOptions = {}) {
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#createdAt = this.#scheduler.now();
  }

  #forward: FlowMonitor | undefined;

  /** Adds a source or stage to the report. Sources and stages call this; users rarely need to. */
  add(stats: StageStats): void {
    if (this.#forward) {
      this.#forward.add(stats);
      return;
    }
    if (!this.#stages.includes(stats)) this.#stages.push(stats);
  }

  /**
   * Moves everything reported here to `target`, and forwards later reports there. An async stage
   * reports to a monitor of its own until it learns which source feeds it; stages downstream of it
   * may have reported there already.
   */
  mergeInto(target: FlowMonitor): void {
    if (target === this) return;
    const stages = this.#stages.splice(0);
    this.#forward = target;
    for (const stats of stages) target.add(stats);
  }

  /** Current totals; `backPressuredTimeMsPerSecond` is averaged since the monitor was created. */
  snapshot(): FlowMetrics {
    return this.#sample({ time: this.#createdAt, blocked: new Map() });
  }

  /**
   * Samples the metrics every `intervalMs` of processing time (on the monitor's scheduler), with
   * `backPressuredTimeMsPerSecond` measured over each interval. Never completes: unsubscribe.
   */
  metrics(intervalMs = 1000): Observable<FlowMetrics> {
    return new Observable<FlowMetrics>((subscriber) => {
      let last = { time: this.#scheduler.now(), blocked: new Map<StageStats, number>() };
      for (const stage of this.#stages) last.blocked.set(stage, stage.read(last.time).backPressuredTimeMs);
      const sample = (): FlowMetrics => this.#sample(last, (next) => (last = next));
      return this.#scheduler.schedule(function tick(this: SchedulerAction<undefined>) {
        subscriber.next(sample());
        this.schedule(undefined, intervalMs);
      }, intervalMs);
    });
  }

  #sample(
    previous: { time: number; blocked: Map<StageStats, number> },
    keep?: (next: { time: number; blocked: Map<StageStats, number> }) => void,
  ): FlowMetrics {
    const now = this.#scheduler.now();
    const stages = this.#stages.map((s) => s.read(now));
    let recordsIn = 0;
    let sourceOut = 0;
    let sinkOut = 0;
    let sinks = 0;
    let occupancy = 0;
    let dropped = 0;
    let worst = 0;
    const blocked = new Map<StageStats, number>();
    for (let i = 0; i < stages.length; i++) {
      const m = stages[i]!;
      const stats = this.#stages[i]!;
      if (m.kind === 'source' || m.kind === 'push-buffer') {
        recordsIn += m.recordsIn;
        sourceOut += m.recordsOut;
        const before = previous.blocked.get(stats) ?? 0;
        blocked.set(stats, m.backPressuredTimeMs);
        worst = Math.max(worst, m.backPressuredTimeMs - before);
      }
      if (m.kind === 'sink') {
        sinks++;
        sinkOut += m.recordsOut;
      }
      if (m.kind !== 'source') occupancy += m.occupancy;
      dropped += m.dropped;
    }
    const elapsed = now - previous.time;
    keep?.({ time: now, blocked });
    return {
      time: now,
      recordsIn,
      recordsOut: sinks > 0 ? sinkOut : sourceOut,
      occupancy,
      dropped,
      backPressuredTimeMsPerSecond: elapsed > 0 ? Math.min(1000, (worst * 1000) / elapsed) : 0,
      stages,
    };
  }
}
