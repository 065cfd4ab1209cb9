// Issue 13: the checkpoint history keeps the last 10 checkpoints, as Flink's web.checkpoints.history
// does, with each one's times, bytes and status.
import { expect, it } from 'vitest';
import { CheckpointHistory, CHECKPOINT_HISTORY } from '../../../src/core/metrics/checkpoint-history.js';

it('a completed checkpoint: duration from trigger to stored, alignment from the last barrier sent to the save, the backend write', () => {
  const history = new CheckpointHistory();
  history.triggered(7, 'checkpoint', true, 1000);
  expect(history.read().history[0]).toMatchObject({ id: 7, status: 'in_progress', durationMs: null, bytes: null });
  expect(history.read().inProgress).toBe(1);
  history.barriersSent(7, 1010);
  history.saving(7, 1040);
  history.stored(7, 2048, true, 1100);
  expect(history.read()).toEqual({
    completed: 1,
    failed: 0,
    inProgress: 0,
    history: [
      {
        id: 7,
        kind: 'checkpoint',
        status: 'completed',
        triggerTime: 1000,
        durationMs: 100,
        alignmentMs: 30,
        backendWriteMs: 60,
        bytes: 2048,
        incremental: true,
        failure: null,
      },
    ],
  });
});

it('a failed checkpoint keeps why; it is counted once, however many times it is reported', () => {
  const history = new CheckpointHistory();
  history.triggered(1, 'savepoint', false, 0);
  history.failedWith(1, new Error('backend full'));
  history.failedWith(1, new Error('again'));
  expect(history.read()).toMatchObject({
    failed: 1,
    history: [{ id: 1, kind: 'savepoint', status: 'failed', failure: 'backend full' }],
  });
});

it(`keeps the last ${CHECKPOINT_HISTORY}, oldest first`, () => {
  const history = new CheckpointHistory();
  for (let id = 1; id <= 15; id++) {
    history.triggered(id, 'checkpoint', false, id);
    history.stored(id, 10, false, id + 1);
  }
  const read = history.read();
  expect(read.completed).toBe(15);
  expect(read.history.map((c) => c.id)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
});
