/**
 * `rxflink/devtools`: a floating panel that shows a running pipeline as Flink's Web UI would
 * (docs/monitoring.md §8). Browser only; the core never imports it, and an app that does not
 * import it pays nothing.
 */
export { mountDevtools, type DevtoolsHandle, type DevtoolsOptions } from './mount.js';
export { DEVTOOLS_TAG, type DevtoolsMetrics, type StateOwner } from './element.js';
export { backpressureLevel, type BackpressureLevel } from './levels.js';
export { layoutGraph, type GraphLayout, type GraphPosition } from './layout.js';
