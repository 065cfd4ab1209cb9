/**
 * The metrics of one pipeline (docs/monitoring.md): the job graph, discovered in-band, the probes of
 * its operators, its checkpoints and its exceptions; read as a plain-data `MetricsSnapshot`.
 *
 * How the graph is found: nothing registers operators globally (docs/architecture.md §4). Every
 * subscription of a source sends a `pipeline` control element first; it carries this collector, and
 * every operator forwards that same element object downstream. As it passes an operator, the
 * operator joins (`join`): its upstream is the operator the same element passed just before, so a
 * merge, reached by one element per input, gets one edge per input.
 *
 * When a subscription ends (complete, error or unsubscribe), its source tells the collector
 * (`leave`): its operators are finished, and stay in the graph, with their final counts, until the
 * same source (a source of the same name) subscribes again, which drops them (as Flink's Web UI
 * keeps a finished job's graph until it runs again). Operators that a live subscription passed too
 * (after a merge) stay. A page that resubscribes a pipeline many times keeps one graph, not one per run.
 */
import { CheckpointHistory } from './checkpoint-history.js';
import { lateCountsOf, stateSizeOf, watermarkOf } from './operator-reading.js';
import { takeAdoption } from './counting.js';
import { OperatorProbe, probeFor, probeOf } from './probe.js';
import { type StageCounters, stageProbe } from './stage-probe.js';
import type { ExceptionRecord, JobEdge, MetricsSnapshot, OperatorMetrics } from './types.js';

/** How many exceptions a snapshot keeps, the latest. */
const EXCEPTION_HISTORY = 10;

/** What a sampler remembers of its previous sample, to turn totals into rates. */
interface Totals {
  readonly in: number;
  readonly out: number;
  readonly busy: number;
  readonly blocked: number;
}

/**
 * The metrics of one pipeline, without a scheduler: `PipelineMetrics` (rx/pipeline-metrics.ts) is
 * the one users create; operators and the coordinator see it as this.
 */
export class MetricsCollector {
  /** The job's name, an attribute of everything it exports. */
  readonly job: string;
  /** Processing time, from the injected scheduler. */
  readonly now: () => number;
  readonly #probes: OperatorProbe[] = [];
  readonly #ids = new Map<OperatorProbe, string>();
  readonly #edges: JobEdge[] = [];
  /** The operator each pipeline control element passed last. */
  readonly #lastPassed = new WeakMap<object, OperatorProbe>();
  /** The probes each pipeline control element (one per source subscription) passed. */
  readonly #members = new Map<object, Set<OperatorProbe>>();
  /** The elements of the subscriptions that ended, with their source's name: their probes leave when it subscribes again. */
  readonly #ended = new Map<object, string>();
  readonly #exceptions: ExceptionRecord[] = [];
  readonly #reported = new WeakSet<object>();
  readonly #default: Sampler;
  /**
   * The checkpoints, as the coordinator reports them.
   * @internal
   */
  readonly checkpoints = new CheckpointHistory();

  constructor(job: string, now: () => number) {
    this.job = job;
    this.now = now;
    this.#default = this.sampler();
  }

  /**
   * The operator the pipeline control element `element` reached joins the graph, downstream of the
   * operator the element passed before. An operator without a probe (no adapter counts it) is
   * transparent: its neighbours are linked to each other.
   */
  join(operator: object, element: object): void {
    const probe = probeOf(operator) ?? adopt(operator);
    if (probe !== undefined) this.joinProbe(probe, element);
  }

  /**
   * As `join`, for a checkpointed source named `id` that heads the subscription of `element`: its
   * probe is made here, over the counters it keeps (`stats`), so that sources make none for a
   * pipeline without metrics.
   * @internal
   */
  joinSource(id: string, stats: StageCounters | undefined, element: object): void {
    this.joinProbe(
      stats === undefined ? new OperatorProbe(id, 'source', null, null) : stageProbe(stats, 'source'),
      element,
    );
  }

  /** As `join`, for a probe that no engine operator carries (a source, a stage). */
  joinProbe(probe: OperatorProbe, element: object): void {
    let members = this.#members.get(element);
    if (members === undefined) {
      this.#dropEnded(probe.name); // (a new subscription, headed by its source)
      members = new Set();
      this.#members.set(element, members);
    }
    members.add(probe);
    if (!this.#ids.has(probe)) {
      this.#ids.set(probe, this.#uniqueId(probe));
      this.#probes.push(probe);
      probe.clock = this.now;
    }
    const upstream = this.#lastPassed.get(element);
    if (upstream !== undefined && upstream !== probe) {
      const from = this.#ids.get(upstream)!;
      const to = this.#ids.get(probe)!;
      if (!this.#edges.some((e) => e.from === from && e.to === to)) this.#edges.push({ from, to });
    }
    this.#lastPassed.set(element, probe);
  }

  /**
   * The subscription whose pipeline control element is `element` ended: its operators are finished,
   * and leave the graph when its source subscribes again (unless a live subscription passed them too).
   */
  leave(element: object): void {
    const head = this.#members.get(element)?.values().next().value;
    if (head !== undefined) this.#ended.set(element, head.name);
  }

  /**
   * The operators that some live subscription passed; the others are finished.
   * @internal
   */
  runningOperators(): ReadonlySet<OperatorProbe> {
    const running = new Set<OperatorProbe>();
    for (const [element, members] of this.#members)
      if (!this.#ended.has(element)) for (const probe of members) running.add(probe);
    return running;
  }

  /**
   * Drops the operators that only ended subscriptions of the source `source` passed, and their edges
   * (in place: samplers read these arrays).
   */
  #dropEnded(source: string): void {
    let dropped = false;
    for (const [element, name] of this.#ended) {
      if (name !== source) continue;
      this.#ended.delete(element);
      this.#members.delete(element);
      dropped = true;
    }
    if (!dropped) return;
    const live = new Set<OperatorProbe>();
    for (const members of this.#members.values()) for (const probe of members) live.add(probe);
    const probes = this.#probes;
    for (let i = probes.length - 1; i >= 0; i--) {
      if (live.has(probes[i]!)) continue;
      this.#ids.delete(probes[i]!);
      probes.splice(i, 1);
    }
    const ids = new Set(this.#ids.values());
    const edges = this.#edges;
    for (let i = edges.length - 1; i >= 0; i--)
      if (!ids.has(edges[i]!.from) || !ids.has(edges[i]!.to)) edges.splice(i, 1);
  }

  /** Records an error that ended the pipeline, with the operator it came from (once per error). */
  exception(operator: object | null, error: unknown): void {
    if (typeof error === 'object' && error !== null) {
      if (this.#reported.has(error)) return;
      this.#reported.add(error);
    }
    const probe =
      operator === null ? undefined : (probeOf(operator) ?? (operator instanceof OperatorProbe ? operator : undefined));
    const id = probe === undefined ? null : (this.#ids.get(probe) ?? null);
    this.#exceptions.push({
      time: this.now(),
      operator: id,
      name: error instanceof Error ? error.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
    });
    if (this.#exceptions.length > EXCEPTION_HISTORY) this.#exceptions.shift();
  }

  /** The metrics now, with rates since the previous `snapshot()` call (or since the collector was created). */
  snapshot(): MetricsSnapshot {
    return this.#default.take();
  }

  /** A sampler of its own: its rates are measured between its own samples (one per Observable subscriber). */
  sampler(): Sampler {
    return new Sampler(this, this.#probes, this.#ids, this.#edges, this.#exceptions);
  }

  #uniqueId(probe: OperatorProbe): string {
    const base = probe.uid ?? probe.name;
    const taken = new Set(this.#ids.values());
    if (probe.uid !== null && !taken.has(base)) return base;
    let n = 1;
    while (taken.has(`${base}#${n}`)) n++;
    return `${base}#${n}`;
  }
}

/**
 * The probe of an operator whose adapter counts once adopted (counting.ts), made and handed to the
 * adapter now; undefined for an operator no adapter counts.
 */
function adopt(operator: object): OperatorProbe | undefined {
  const adoption = takeAdoption(operator);
  if (adoption === undefined) return undefined;
  const probe = probeFor(operator, adoption.kind, adoption.name);
  adoption.adopt(probe);
  return probe;
}

/** Samples a collector, measuring rates over the time since its previous sample. */
export class Sampler {
  readonly #collector: MetricsCollector;
  readonly #probes: readonly OperatorProbe[];
  readonly #ids: ReadonlyMap<OperatorProbe, string>;
  readonly #edges: readonly JobEdge[];
  readonly #exceptions: readonly ExceptionRecord[];
  #time: number;
  #previous = new Map<OperatorProbe, Totals>();

  constructor(
    collector: MetricsCollector,
    probes: readonly OperatorProbe[],
    ids: ReadonlyMap<OperatorProbe, string>,
    edges: readonly JobEdge[],
    exceptions: readonly ExceptionRecord[],
  ) {
    this.#collector = collector;
    this.#probes = probes;
    this.#ids = ids;
    this.#edges = edges;
    this.#exceptions = exceptions;
    this.#time = collector.now();
    // The first sample's rates are since now: without these totals, a probe's whole count so far
    // would be divided by the first interval (a chart's line then fell from a huge first rate).
    for (const p of probes) this.#previous.set(p, totalsOf(p, this.#time));
  }

  /** A snapshot now; the next one measures its rates from here. */
  take(): MetricsSnapshot {
    const now = this.#collector.now();
    const elapsed = now - this.#time;
    const next = new Map<OperatorProbe, Totals>();
    const running = this.#collector.runningOperators();
    // A parallel stage's subtasks run or finish with it.
    const read = (p: OperatorProbe, id: string, isRunning: boolean): OperatorMetrics => {
      const totals = totalsOf(p, now);
      next.set(p, totals);
      const metrics = this.#operator(p, id, isRunning, totals, this.#previous.get(p), now, elapsed);
      if (p.subtasks === null) return metrics;
      return { ...metrics, subtasks: p.subtasks.map((s, i) => read(s, `${id}[${i}]`, isRunning)) };
    };
    const operators = this.#probes.map((p) => read(p, this.#ids.get(p)!, running.has(p)));
    this.#previous = next;
    this.#time = now;
    return {
      job: this.#collector.job,
      time: now,
      operators,
      edges: this.#edges.map((e) => ({ ...e })),
      checkpoints: this.#collector.checkpoints.read(),
      exceptions: this.#exceptions.map((e) => ({ ...e })),
    };
  }

  #operator(
    p: OperatorProbe,
    id: string,
    running: boolean,
    t: Totals,
    before: Totals | undefined,
    now: number,
    elapsed: number,
  ): OperatorMetrics {
    const perSecond = (total: number, previous: number): number =>
      elapsed > 0 ? ((total - previous) * 1000) / elapsed : 0;
    const busy = clampMs(perSecond(t.busy, before?.busy ?? 0));
    const blocked = clampMs(perSecond(t.blocked, before?.blocked ?? 0));
    const input = p.inputWatermark > -Infinity ? p.inputWatermark : (watermarkOf(p.operator) ?? -Infinity);
    const output = p.outputWatermark > -Infinity ? p.outputWatermark : input;
    const late = lateCountsOf(p.operator);
    return {
      id,
      name: p.name,
      kind: p.kind,
      uid: p.uid,
      status: running ? 'running' : 'finished',
      numRecordsIn: t.in,
      numRecordsOut: t.out,
      numRecordsInPerSecond: perSecond(t.in, before?.in ?? 0),
      numRecordsOutPerSecond: perSecond(t.out, before?.out ?? 0),
      currentInputWatermark: finiteOrNull(input),
      currentOutputWatermark: finiteOrNull(output),
      // A finished operator waits for nothing: a lag that keeps growing with the clock would mislead.
      watermarkLagMs: running && Number.isFinite(input) ? now - input : null,
      numLateRecordsDropped: late.dropped,
      numLateRecordsToSideOutput: late.toSideOutput,
      busyTimeMsPerSecond: busy,
      backPressuredTimeMsPerSecond: blocked,
      idleTimeMsPerSecond: Math.max(0, 1000 - busy - blocked),
      state: stateSizeOf(p.operator),
    };
  }
}

/** A probe's totals at processing time `now`. */
function totalsOf(p: OperatorProbe, now: number): Totals {
  p.refresh?.(now);
  return { in: p.recordsIn, out: p.recordsOut, busy: p.busyMs, blocked: p.backPressuredMs };
}

function clampMs(value: number): number {
  return Math.min(1000, Math.max(0, value));
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
