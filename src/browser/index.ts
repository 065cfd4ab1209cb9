// Page lifecycle for pipelines in a tab: page exit (checkpoint, beacons under the keepalive limit,
// an IndexedDB outbox drained by the owning tab). Package subpath `rxflink/browser`: it sits above
// `rxflink/idb` (the outbox is an IndexedDB store, drained by the tab that holds the Web Lock) and
// is a separate entry so that an app checkpointing in IndexedDB without page-exit sends does not
// load it (docs/telemetry.md).
export {
  watchPageExit,
  type ExitCheckpoints,
  type ExitTransport,
  type PageExit,
  type PageExitOptions,
  type PageExitReport,
  type VisibilitySource,
} from './page-exit.js';
export { Outbox, outboxDatabaseName, type OutboxSend } from './outbox.js';
export { exitBodies, type ExitBody } from './exit-bodies.js';
export { earlyPanes, type EarlyPanesOptions } from './early-panes.js';
export { FIRE_EARLY, FIRE_EARLY_ELEMENT, fireEarlyBatch } from '../window/fire-early.js';
export { webWorkers, type WebWorkersOptions } from './web-workers.js';
export { serveWebSubtask } from './web-subtask.js';
