/**
 * "Old snapshots still restore" (issue 16): snapshots written by the window operator (pane table and
 * general path), keyedProcess and rollingReduce before windows moved onto the one keyed state and
 * timer layer, stored in test/fixtures/state/ as the checkpoint codec encodes them. Each is restored
 * into a fresh operator, which must continue exactly as the run that was never interrupted.
 *
 * The fixtures were written once, with the code of that time; never regenerate them to make this
 * test pass (that would drop the guarantee). `WRITE_STATE_FIXTURES=1` writes missing ones only.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../src/checkpoint/codec.js';
import {
  applyDeltas,
  SNAPSHOT_FORMAT_VERSION,
  type OperatorStateSnapshot,
  type Snapshot,
} from '../../src/checkpoint/snapshot.js';
import type { PendingCheckpoint } from '../../src/core/checkpointing.js';
import type { StreamElement } from '../../src/core/elements.js';
import type { StreamOperator } from '../../src/core/operator.js';
import { OperatorHarness } from '../../src/testing/harness.js';
import { END, scenarios, type Scenario, type Step } from './legacy-scenarios.js';

type Harness = OperatorHarness<number, string, unknown, string>;

/** A fixture file: the stored snapshot(s), the clock at the checkpoint, and the output after it. */
interface Fixture {
  readonly scenario: string;
  /** Processing time when the snapshot was taken; the restored harness starts there. */
  readonly now: number;
  /** `harness.snapshot()` (a full checkpoint as a backend stores it), through the codec. */
  readonly snapshot: Encoded;
  /** For operators with keyed tables: a full checkpoint halfway and an incremental one at the end. */
  readonly chain: readonly Encoded[] | null;
  /** The output after the checkpoint (records sorted between two watermarks, as Flink's tests compare). */
  readonly expected: readonly string[];
}
interface Encoded {
  readonly tagged: boolean;
  readonly value: unknown;
}

const encode = (value: unknown): Encoded => {
  const { json, tagged } = encodeValue(value);
  return { tagged, value: JSON.parse(json) as unknown };
};
const decode = (encoded: Encoded): unknown => decodeValue(JSON.stringify(encoded.value), encoded.tagged);

function feed(h: Harness, steps: readonly Step[]): void {
  for (const step of steps) {
    if ('advance' in step) h.advanceProcessingTime(step.advance);
    else h.process(step);
  }
}

/**
 * The outputs were stored before window results carried pane info (`pane`), so it is left out of
 * the comparison; test/testing/panes.test.ts checks panes, across restores too.
 */
const withoutPane = (key: string, value: unknown): unknown => (key === 'pane' ? undefined : value);

function render(out: readonly StreamElement<unknown, string>[]): string[] {
  const lines: string[] = [];
  let run: string[] = [];
  for (const e of out) {
    if (e.kind === 'record') {
      run.push(`${JSON.stringify(e.value, withoutPane)} @${e.timestamp} ${String(e.key)}`);
      continue;
    }
    lines.push(...run.sort(), e.kind === 'watermark' ? `W${e.timestamp}` : e.kind);
    run = [];
  }
  return [...lines, ...run.sort()];
}

function pending(checkpointId: number, incremental: boolean): PendingCheckpoint {
  return { checkpointId, incremental, report: () => {}, hold: () => () => {}, onComplete: () => {} };
}

function stored(
  operator: StreamOperator<number, string, unknown, string>,
  id: number,
  incremental: boolean,
  uid: string,
): Snapshot {
  const state = operator.snapshotCheckpoint!(pending(id, incremental));
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId: 'fixtures',
    checkpointId: id,
    kind: 'checkpoint',
    createdAt: 0,
    ...(incremental ? { parentCheckpointId: id - 1 } : {}),
    operators: { [uid]: state as OperatorStateSnapshot },
    sources: {},
    watermarks: {},
  };
}

/** Runs the scenario without a restore: the fixture it gives, with today's code. */
function record(s: Scenario): Fixture {
  const h: Harness = new OperatorHarness(s.create);
  const half = s.before.length >> 1;
  let chain: Encoded[] | null = null;
  feed(h, s.before.slice(0, half));
  const uid = h.operator.uid;
  if (h.operator.snapshotCheckpoint !== undefined && uid !== undefined) {
    // Taken on a twin so that the checkpoints do not change the harness's own export (change tracking).
    const twin: Harness = new OperatorHarness(s.create);
    feed(twin, s.before.slice(0, half));
    const full = stored(twin.operator, 1, false, uid);
    feed(twin, s.before.slice(half));
    chain = [encode(full), encode(stored(twin.operator, 2, true, uid))];
  }
  feed(h, s.before.slice(half));
  const snapshot = encode(h.snapshot());
  const now = h.now;
  h.takeOutput();
  feed(h, [...s.after, END]);
  return { scenario: s.name, now, snapshot, chain, expected: render(h.takeOutput()) };
}

function restored(s: Scenario, now: number, snapshot: Snapshot): string[] {
  const h: Harness = new OperatorHarness(s.create, { startTime: now });
  h.initializeState(snapshot);
  feed(h, [...s.after, END]);
  return render(h.takeOutput());
}

const url = (name: string): URL => new URL(`../fixtures/state/${name}.json`, import.meta.url);

describe('snapshots written before the one keyed state layer (test/fixtures/state) still restore', () => {
  for (const s of scenarios) {
    const file = url(s.name);
    if (process.env['WRITE_STATE_FIXTURES'] === '1' && !existsSync(file)) {
      writeFileSync(file, `${JSON.stringify(record(s), null, 1)}\n`);
    }
    describe(s.name, () => {
      const fixture = JSON.parse(readFileSync(file, 'utf8')) as Fixture;

      it('the stored output is what a run without a restore gives today', () => {
        expect(fixture.expected.filter((l) => !l.startsWith('W') && l !== 'end').length).toBeGreaterThan(0);
        expect(record(s).expected).toEqual(fixture.expected);
      });

      it('restoring the stored checkpoint continues exactly', () => {
        expect(restored(s, fixture.now, decode(fixture.snapshot) as Snapshot)).toEqual(fixture.expected);
      });

      if (fixture.chain !== null) {
        it('restoring the stored full + incremental checkpoints continues exactly', () => {
          const [full, ...deltas] = fixture.chain!.map((e) => decode(e) as Snapshot);
          expect(restored(s, fixture.now, applyDeltas(full!, deltas))).toEqual(fixture.expected);
        });
      }
    });
  }
});
