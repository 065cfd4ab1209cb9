/**
 * The OpenTelemetry instruments rxflink exports (docs/monitoring.md), by name, with what each
 * observes in a `MetricsSnapshot`. Names are `rxflink.operator.*` and `rxflink.checkpoint.*`;
 * durations are in seconds and sizes in bytes, as OpenTelemetry's semantic conventions ask.
 */
import type { CheckpointMetrics, MetricsSnapshot, OperatorMetrics } from '../core/metrics/types.js';

/** How an instrument is created: a monotonic counter or a gauge. */
export type InstrumentType = 'counter' | 'gauge';

/** One instrument of an operator: a value per operator, with its attributes. */
export interface OperatorInstrument {
  readonly name: string;
  readonly type: InstrumentType;
  readonly unit: string;
  readonly description: string;
  /** The value for one operator, or null when it has none (no watermark yet, no state). */
  readonly value: (operator: OperatorMetrics) => number | null;
}

/** One instrument of the job's checkpoints. */
export interface CheckpointInstrument {
  readonly name: string;
  readonly type: InstrumentType;
  readonly unit: string;
  readonly description: string;
  /** The value from the checkpoint totals and the last completed checkpoint, or null when there is none yet. */
  readonly value: (checkpoints: MetricsSnapshot['checkpoints'], last: CheckpointMetrics | undefined) => number | null;
}

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
const ratio = (msPerSecond: number): number => msPerSecond / 1000;

/** The instruments of every operator, with the attributes `job.name`, `operator.id`, `operator.name`, `operator.kind`. */
export const OPERATOR_INSTRUMENTS: readonly OperatorInstrument[] = [
  {
    name: 'rxflink.operator.records.in',
    type: 'counter',
    unit: '{record}',
    description: "Records received (Flink's numRecordsIn)",
    value: (o) => o.numRecordsIn,
  },
  {
    name: 'rxflink.operator.records.out',
    type: 'counter',
    unit: '{record}',
    description: "Records emitted (Flink's numRecordsOut)",
    value: (o) => o.numRecordsOut,
  },
  {
    name: 'rxflink.operator.records.late_dropped',
    type: 'counter',
    unit: '{record}',
    description: "Late records dropped (Flink's numLateRecordsDropped)",
    value: (o) => o.numLateRecordsDropped,
  },
  {
    name: 'rxflink.operator.records.late_side_output',
    type: 'counter',
    unit: '{record}',
    description: 'Late records sent to the late side output',
    value: (o) => o.numLateRecordsToSideOutput,
  },
  {
    name: 'rxflink.operator.watermark.input',
    type: 'gauge',
    unit: 's',
    description: "The input watermark, event time in seconds (Flink's currentInputWatermark)",
    value: (o) => seconds(o.currentInputWatermark),
  },
  {
    name: 'rxflink.operator.watermark.output',
    type: 'gauge',
    unit: 's',
    description: "The output watermark, event time in seconds (Flink's currentOutputWatermark)",
    value: (o) => seconds(o.currentOutputWatermark),
  },
  {
    name: 'rxflink.operator.watermark.lag',
    type: 'gauge',
    unit: 's',
    description: 'Processing time minus the input watermark',
    value: (o) => seconds(o.watermarkLagMs),
  },
  {
    name: 'rxflink.operator.busy',
    type: 'gauge',
    unit: '1',
    description: "Share of time inside the operator's processing (Flink's busyTimeMsPerSecond / 1000)",
    value: (o) => ratio(o.busyTimeMsPerSecond),
  },
  {
    name: 'rxflink.operator.backpressured',
    type: 'gauge',
    unit: '1',
    description: "Share of time waiting for demand from downstream (Flink's backPressuredTimeMsPerSecond / 1000)",
    value: (o) => ratio(o.backPressuredTimeMsPerSecond),
  },
  {
    name: 'rxflink.operator.idle',
    type: 'gauge',
    unit: '1',
    description: "Share of time waiting for input (Flink's idleTimeMsPerSecond / 1000)",
    value: (o) => ratio(o.idleTimeMsPerSecond),
  },
  {
    name: 'rxflink.operator.state.keys',
    type: 'gauge',
    unit: '{key}',
    description: 'Keys in the operator state',
    value: (o) => o.state?.keys ?? null,
  },
  {
    name: 'rxflink.operator.state.windows',
    type: 'gauge',
    unit: '{window}',
    description: 'Open windows',
    value: (o) => o.state?.windows ?? null,
  },
  {
    name: 'rxflink.operator.state.timers',
    type: 'gauge',
    unit: '{timer}',
    description: 'Registered timers',
    value: (o) => o.state?.timers ?? null,
  },
  {
    name: 'rxflink.operator.state.size',
    type: 'gauge',
    unit: 'By',
    description: 'Approximate size of the operator state',
    value: (o) => o.state?.approximateBytes ?? null,
  },
];

/** The instruments of the job's checkpoints, with the attribute `job.name`; durations and size are the last completed checkpoint's. */
export const CHECKPOINT_INSTRUMENTS: readonly CheckpointInstrument[] = [
  {
    name: 'rxflink.checkpoint.completed',
    type: 'counter',
    unit: '{checkpoint}',
    description: "Completed checkpoints (Flink's numberOfCompletedCheckpoints)",
    value: (c) => c.completed,
  },
  {
    name: 'rxflink.checkpoint.failed',
    type: 'counter',
    unit: '{checkpoint}',
    description: "Failed checkpoints (Flink's numberOfFailedCheckpoints)",
    value: (c) => c.failed,
  },
  {
    name: 'rxflink.checkpoint.duration',
    type: 'gauge',
    unit: 's',
    description: "Duration of the last completed checkpoint (Flink's lastCheckpointDuration)",
    value: (_, last) => seconds(last?.durationMs ?? null),
  },
  {
    name: 'rxflink.checkpoint.alignment.duration',
    type: 'gauge',
    unit: 's',
    description: 'How long merges and async stages held the last completed checkpoint',
    value: (_, last) => seconds(last?.alignmentMs ?? null),
  },
  {
    name: 'rxflink.checkpoint.backend_write.duration',
    type: 'gauge',
    unit: 's',
    description: 'How long the backend took to store the last completed checkpoint',
    value: (_, last) => seconds(last?.backendWriteMs ?? null),
  },
  {
    name: 'rxflink.checkpoint.size',
    type: 'gauge',
    unit: 'By',
    description: "Bytes stored by the last completed checkpoint (Flink's lastCheckpointSize)",
    value: (_, last) => last?.bytes ?? null,
  },
];
