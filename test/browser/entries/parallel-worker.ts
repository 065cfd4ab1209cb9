// The Web Worker script of test/browser/parallel-workers.test.ts: serves one subtask of `totals`.
import { serveWebSubtask } from '../../../src/browser/web-subtask.js';
import * as segments from './parallel-segment.js';

serveWebSubtask([segments]);
