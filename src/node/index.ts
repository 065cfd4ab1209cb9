/**
 * rxflink/node: the Node-only parts (docs/architecture.md §6): file checkpoint backend, Node stream and text
 * file sources. The core entry point never imports these.
 */
export * from './checkpoint/index.js';
export * from './sources/index.js';
export * from './parallel/index.js';
