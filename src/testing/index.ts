/**
 * The testing kit: marble helpers for TestScheduler and a harness that drives engine operators
 * without RxJS. Import from `rxflink/testing`.
 */
export { batched, unbatched } from './marbles.js';
export { OperatorHarness, runOperator } from './harness.js';
