// The segment of test/browser/parallel-workers.test.ts, imported by the page and by the worker bundle:
// a running total per key in keyed state, tagged with the subtask that computed it.
import { valueState } from '../../../src/index.js';
import { keyedProcess } from '../../../src/keyed/index.js';
import { defineSegment } from '../../../src/parallel/index.js';

export interface Hit {
  readonly key: string;
  readonly at: number;
}

const total = valueState<number>('total');

export const totals = defineSegment<Hit, string, string>(import.meta.url, 'totals', (input, info) =>
  input.pipe(
    keyedProcess<Hit, string, string>({
      processElement(_value, ctx) {
        const state = ctx.getState(total);
        const sum = (state.value() ?? 0) + 1;
        state.update(sum);
        ctx.output(`${info.subtask}|${ctx.key}#${sum}`);
      },
    }),
  ),
);
