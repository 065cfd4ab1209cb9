/**
 * The window operator that `window(...)` builds leaves its checkpoint export and restore to the
 * checkpoint runtime's codec (src/window/window-codec.ts, src/checkpoint/state-codecs.ts): a
 * checkpoint that carries the codecs snapshots and restores it as the engine's WindowOperator does;
 * one that carries none fails with MissingStateCodecError naming the operator and the state kind.
 */
import { describe, expect, it } from 'vitest';
import { STATE_CODECS } from '../../src/checkpoint/state-codecs.js';
import { restoreOperator, snapshotOperator } from '../../src/checkpoint/operator-state.js';
import { MissingStateCodecError, type PendingCheckpoint, type RestoreSource } from '../../src/core/checkpointing.js';
import { processElement } from '../../src/core/operator.js';
import type { OperatorStateSnapshot } from '../../src/core/state-snapshot.js';
import { OperatorHarness } from '../../src/testing/harness.js';
import { count } from '../../src/window/aggregates.js';
import { tumblingEventTimeWindows } from '../../src/window/assigners.js';
import { WindowOperator as PlainWindowOperator } from '../../src/window/operator.js';
import { rec, wm } from './helpers.js';

const config = {
  keyed: true,
  assigner: tumblingEventTimeWindows(10),
  fn: { kind: 'aggregate' as const, aggregate: count() },
  uid: 'counts',
};
const plain = () => new OperatorHarness((runtime) => new PlainWindowOperator<number, string, number>(config, runtime));

/** A checkpoint that keeps what is reported, with or without the runtime's codecs. */
function pending(codecs: boolean): { checkpoint: PendingCheckpoint; reported: Map<string, OperatorStateSnapshot> } {
  const reported = new Map<string, OperatorStateSnapshot>();
  const checkpoint: PendingCheckpoint = {
    checkpointId: 1,
    incremental: false,
    ...(codecs ? { codecs: STATE_CODECS } : {}),
    report: (uid, state) => void reported.set(uid, state),
    hold: () => () => {},
    onComplete: () => {},
  };
  return { checkpoint, reported };
}

function source(stored: OperatorStateSnapshot, codecs: boolean): RestoreSource {
  return { checkpointId: 1, claim: () => stored, ...(codecs ? { codecs: STATE_CODECS } : {}) };
}

describe('the window state codec of the checkpoint runtime', () => {
  it('the plain operator has no snapshot methods: its state is exported by the codec the checkpoint carries', () => {
    const h = plain();
    expect('snapshotState' in h.operator).toBe(false);
    h.process(rec(1, 1, 'a'), rec(2, 2, 'a'), rec(3, 3, 'b'));
    const { checkpoint, reported } = pending(true);
    snapshotOperator(h.operator, checkpoint);
    const stored = structuredClone(reported.get('counts')!);

    const restored = plain();
    restoreOperator(restored.operator, source(stored, true));
    restored.process(rec(4, 4, 'a'), wm(10));
    expect(
      restored
        .recordsOut()
        .map(([r]) => [r.key, r.value])
        .sort(),
    ).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });

  it('a checkpoint without codecs fails with MissingStateCodecError naming the operator and the kind', () => {
    const h = plain();
    h.process(rec(1, 1, 'a'));
    const { checkpoint } = pending(false);
    expect(() => snapshotOperator(h.operator, checkpoint)).toThrow(MissingStateCodecError);
    expect(() => snapshotOperator(h.operator, checkpoint)).toThrow(/uid "counts".*window state/);
    const stored = { stateVersion: 0, state: null };
    expect(() => restoreOperator(plain().operator, source(stored, false))).toThrow(MissingStateCodecError);
  });

  it('a barrier or restore marker without codecs that reaches an operator with state fails with MissingStateCodecError; one without state passes', () => {
    // The markers bring the report and restore code (src/checkpoint/operator-state.ts): core links none of it.
    const h = plain();
    h.process(rec(1, 1, 'a'));
    const { checkpoint } = pending(false);
    const barrier = { kind: 'barrier' as const, checkpointId: 1, checkpoint };
    expect(() => processElement(h.operator, barrier, [])).toThrow(MissingStateCodecError);
    expect(() => processElement(h.operator, barrier, [])).toThrow(/uid "counts".*window state.*STATE_CODECS/);
    const marker = {
      kind: 'control' as const,
      type: 'restore',
      payload: source({ stateVersion: 0, state: null }, false),
    };
    expect(() => processElement(plain().operator, marker, [])).toThrow(MissingStateCodecError);
    const stateless = { processRecord: () => {} };
    const out: unknown[] = [];
    processElement(stateless as never, barrier, out as never);
    expect(out).toEqual([barrier]);
  });

  it('OperatorHarness snapshots and restores the plain operator (its checkpoints carry the codecs)', () => {
    const first = plain();
    first.process(rec(1, 1, 'a'), rec(2, 2, 'b'));
    const second = plain().initializeState(first.snapshot());
    second.process(rec(3, 3, 'a'), wm(10));
    expect(
      second
        .recordsOut()
        .map(([r]) => [r.key, r.value])
        .sort(),
    ).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});
