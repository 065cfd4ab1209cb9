// The Web Worker script of test/browser/devtools-parallel.test.ts: serves a subtask of `totals` or
// of `skewedTotals`.
import { serveWebSubtask } from '../../../src/browser/web-subtask.js';
import * as skewed from './parallel-devtools-segment.js';
import * as segments from './parallel-segment.js';

serveWebSubtask([segments, skewed]);
