// A skewed segment for test/browser/devtools-parallel.test.ts: the totals of parallel-segment.ts, but
// subtask 0 spends 4 ms of CPU per record (a hot key range), so its channel runs out of credits and it
// alone is backpressured.
import { valueState } from '../../../src/index.js';
import { keyedProcess } from '../../../src/keyed/index.js';
import { defineSegment } from '../../../src/parallel/index.js';
import type { Hit } from './parallel-segment.js';

const total = valueState<number>('total');

export const skewedTotals = defineSegment<Hit, string, string>(import.meta.url, 'skewedTotals', (input, info) =>
  input.pipe(
    keyedProcess<Hit, string, string>({
      processElement(_value, ctx) {
        if (info.subtask === 0) for (const until = performance.now() + 4; performance.now() < until; );
        const state = ctx.getState(total);
        const sum = (state.value() ?? 0) + 1;
        state.update(sum);
        ctx.output(`${info.subtask}|${ctx.key}#${sum}`);
      },
    }),
  ),
);
