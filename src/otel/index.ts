/**
 * `rxflink/otel`: a pipeline's metrics as OpenTelemetry instruments (docs/monitoring.md). Needs
 * `@opentelemetry/api` (an optional peer dependency) and an SDK set up by the application.
 */
export { exportMetrics, type MetricsExport } from './exportMetrics.js';
export {
  CHECKPOINT_INSTRUMENTS,
  OPERATOR_INSTRUMENTS,
  type CheckpointInstrument,
  type InstrumentType,
  type OperatorInstrument,
} from './instruments.js';
