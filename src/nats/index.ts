/**
 * `rxflink/nats`: partitioned pipelines on NATS JetStream (docs/nats.md). Partitions are key
 * groups: a producer publishes records to the subject of their key group, a source reads a task's
 * key groups with bounded fetches and checkpointed positions, and an exactly-once sink publishes a
 * checkpoint's output with deterministic message ids and a commit marker in KV. Needs the optional
 * peers `@nats-io/jetstream` and `@nats-io/kv` (and a transport, `@nats-io/transport-node`). Node only.
 */
export { natsProducer, type NatsProducer, type NatsProducerOptions } from './producer.js';
export { natsSource, NatsSource, type NatsSourceOptions, type NatsSourcePosition } from './source.js';
export type { PartitionPosition } from './partition-reader.js';
export { natsExactlyOnceSink, commitMarkerKey, type NatsSinkOptions } from './sink.js';
export { CommitMarkerStore, type CommitMarker } from './commit-marker.js';
export type { PackingOptions } from './packing.js';
export type { RetrySettings } from './retry.js';
export { partitionSubject, partitionMapping } from './subjects.js';
export { CommitConflictError, DuplicateWindowError, FencedError } from './errors.js';
export { NatsPublishError } from './publish-errors.js';
// Instances and tasks (docs/nats-deployment.md): leases, assignment, fencing, task checkpoints.
export {
  openCoordinationBuckets,
  DEFAULT_LEASE_TTL_MS,
  type CoordinationBucketOptions,
  type CoordinationBuckets,
} from './buckets.js';
export { TaskInstance, type StopReason, type TaskHandlers, type TaskInstanceOptions } from './instance.js';
export { taskSpecs, type AssignedTask, type TaskSpec } from './tasks.js';
export {
  checkpointedTasks,
  type CheckpointedTasksOptions,
  type TaskPipeline,
  type TaskSinkFencing,
} from './task-runtime.js';
export { partitionWatermarks, type PartitionWatermarkOptions } from './partition-watermarks.js';
export {
  natsCheckpointBackend,
  ObjectStoreBlobStore,
  type NatsCheckpointBackendOptions,
} from './object-store-backend.js';
export { assertEpoch, readTaskHolder, TaskFence, type TaskHolder } from './task-fence.js';
export { TaskFencedError } from './task-fenced-error.js';
export { systemClock, type CoordinationClock } from './clock.js';
export { liveMembers, Membership } from './membership.js';
export { currentLeader, LeaderLease } from './leader.js';
export type { LeaseOptions } from './lease-clock.js';
export { stickyTarget, type Assignment } from './assignment.js';
