import { describe, expect, it } from 'vitest';
import { firstValueFrom, map, of, toArray } from 'rxjs';
import { markStage, stageOf, type ValuesStage } from '../../src/rx/stages.js';
import { toValues } from '../../src/stream/toValues.js';
import { record } from '../../src/core/elements.js';

// docs/architecture.md §8: an operator marks the stream it returns; the operator after it asks its
// source for the one kind of stage it can fuse with.
describe('stage marks', () => {
  it('answer only for the exact stream and the kind asked for', () => {
    const stream = markStage(of(1), { kind: 'keyBy' });
    expect(stageOf(stream, 'keyBy')?.kind).toBe('keyBy');
    expect(stageOf(stream, 'values')).toBeUndefined();
    expect(stageOf(stream.pipe(map((x) => x)), 'keyBy')).toBeUndefined();
  });

  it('toValues subscribes to the values a ValuesStage offers instead of unwrapping records', async () => {
    const records = () => of([record('unwrapped', 1)]);
    const offering: ValuesStage = { kind: 'values', values: () => of('offered') };
    expect(await firstValueFrom(markStage(records(), offering).pipe(toValues(), toArray()))).toEqual(['offered']);
    expect(await firstValueFrom(records().pipe(toValues(), toArray()))).toEqual(['unwrapped']);
    // A stage of another kind is not asked.
    expect(
      await firstValueFrom(markStage(of([record('r', 1)]), { kind: 'keyBy' }).pipe(toValues(), toArray())),
    ).toEqual(['r']);
  });
});
