// The end-to-end scenarios with source and sink across processes: instances of a windowed
// application (natsSource → per-partition watermarks → keyBy → tumbling window count → exactly-once
// sink, checkpointed per task in the object store) run as child processes over a partitioned input
// produced with natsProducer. An instance is SIGKILLed mid-stream, a fourth joins, one is paused past
// its lease and resumed: the output stream holds every window result exactly once, as computed from
// the input. A duplicate window shorter than the recovery time fails every task's sink at open. A
// server restart mid-stream is ridden out by the instances (restart.test.ts: one process).
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { asyncScheduler } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { keyGroupOf } from '../../src/core/keys.js';
import { CommitMarkerStore, commitMarkerKey, natsProducer, natsSource, taskSpecs } from '../../src/nats/index.js';
import { E2E, type E2eRecord, type E2eResult, describeResult, e2eKeys, e2eReference } from './fixtures/e2e-config.js';
import { pollUntil } from './helpers.js';
import { addStream, collect } from './io-fixtures.js';
import { type NatsTestServer, startNatsServer } from './nats-server.js';
import { type ProcessEvent, Processes } from './processes.js';

const TASK_IDS = taskSpecs(E2E.tasks, E2E.maxParallelism).map((t) => t.id);
const KEYS = e2eKeys(40);
const PHASE = 2_000;

let server: NatsTestServer;
let nc: NatsConnection;
let js: JetStreamClient;
let processes: Processes | undefined;
beforeEach(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  js = jetstream(nc);
});
afterEach(async () => {
  await processes?.killAll();
  processes = undefined;
  await nc.close();
  await server.stop();
});

/** Records `from..from+n-1` of the input, one per time unit, keys in turn. */
function records(from: number, n: number): E2eRecord[] {
  return Array.from({ length: n }, (_, j) => ({ k: KEYS[(from + j) % KEYS.length]!, t: from + j }));
}

/** The last record of every key group, at `E2E.end`: each partition's watermark passes every window. */
function endOfInput(): E2eRecord[] {
  const byGroup = new Map<number, string>();
  for (const k of KEYS)
    if (!byGroup.has(keyGroupOf(k, E2E.maxParallelism))) byGroup.set(keyGroupOf(k, E2E.maxParallelism), k);
  return [...byGroup.values()].map((k) => ({ k, t: E2E.end }));
}

async function publish(input: E2eRecord[]): Promise<void> {
  const producer = natsProducer<E2eRecord>(js, {
    prefix: 'in',
    key: (r) => r.k,
    maxParallelism: E2E.maxParallelism,
    maxRecordsPerMessage: 20,
  });
  await producer.publish(input);
}

/** Every window result in the OUT stream, in stream order. */
async function output(): Promise<string[]> {
  const read = await collect(
    natsSource<E2eResult>(js, { stream: 'OUT', prefix: 'out', maxParallelism: 1, until: 'end' }),
  );
  return read.flat().map(describeResult);
}

/** The checkpoint id each task's marker records as published (0: nothing yet). */
async function committed(application: string): Promise<number[]> {
  const kv = await new Kvm(js).create(`${application}-commits`);
  const retry = { scheduler: asyncScheduler, retryFor: 1, backoff: 1 };
  return Promise.all(
    TASK_IDS.map(
      async (t) => (await new CommitMarkerStore(kv, commitMarkerKey(application, t), retry).read())?.checkpointId ?? 0,
    ),
  );
}

/** A refusal by the fence: a checkpoint save (not-owner), a sink's fence check or its marker write. */
const isFencing = (e: ProcessEvent): boolean =>
  e.failure === 'not-owner' || [e.error, e.cause].some((name) => name === 'TaskFencedError' || name === 'FencedError');

async function streams(duplicateWindowMs: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await addStream(jsm, 'IN', 'in');
  await addStream(jsm, 'OUT', 'out', duplicateWindowMs);
}

// The waits are generous because they only bound a poll: under the full suite on a 2-core machine a
// child process takes seconds to compile and start, and a restart waits for leases to lapse (the
// restart test once needed over 40 s there and 9 s alone). A quick run still ends early.
it('failover, rebalance and a zombie: three instances, one SIGKILLed mid-stream, a fourth joins, one paused past its lease; every window result once in the output', async () => {
  const application = 'e2e';
  await streams(120_000);
  const p = new Processes('pipeline-process.ts', server.url, application, TASK_IDS);
  processes = p;
  const owners = () => p.owners(nc, E2E.leaseTtlMs);
  const input: E2eRecord[] = [];
  const phase = async (n: number) => {
    const next = records(input.length, n);
    input.push(...next);
    await publish(next);
  };

  await phase(PHASE);
  p.launch('a');
  p.launch('b');
  p.launch('c');
  await pollUntil(owners, p.settledOn(['a', 'b', 'c']), 60_000).catch((e) => {
    console.log(JSON.stringify(p.events));
    throw e;
  });
  // Mid-stream: every task has committed window results, and more input is on its way.
  await pollUntil(
    () => committed(application),
    (ids) => ids.every((id) => id > 0),
    45_000,
  );

  // Failover: a is killed; its tasks restore on b and c from their checkpoints while input flows.
  const before = await owners();
  p.signal('a', 'SIGKILL');
  await phase(PHASE);
  const afterKill = await pollUntil(owners, p.settledOn(['b', 'c']), 45_000);
  for (const t of TASK_IDS) if (before[t] !== 'a') expect(afterKill[t]).toBe(before[t]);
  const moved = TASK_IDS.filter((t) => before[t] === 'a');
  for (const t of moved)
    expect(p.events.some((e) => e.event === 'start' && e.task === t && e.instanceId !== 'a')).toBe(true);

  // Rebalance: d joins and takes its share while input flows.
  p.launch('d');
  await phase(PHASE);
  const afterJoin = await pollUntil(owners, p.settledOn(['b', 'c', 'd']), 45_000);

  // Zombie: b is paused past its lease; c and d take its tasks; resumed, b's last checkpoints are refused.
  const paused = TASK_IDS.filter((t) => afterJoin[t] === 'b');
  p.signal('b', 'SIGSTOP');
  try {
    await pollUntil(owners, p.settledOn(['c', 'd']), 45_000);
  } finally {
    p.children.get('b')!.kill('SIGCONT');
  }
  const refusals = () => p.events.filter((e) => e.instanceId === 'b' && paused.includes(e.task ?? '') && isFencing(e));
  await pollUntil(
    async () => refusals().length,
    (n) => n > 0,
    10_000,
  );

  // The rest of the input, and the record at the end of each partition that fires the last windows.
  await phase(PHASE);
  await publish(endOfInput());
  const expected = e2eReference(input);
  const out = await pollUntil(output, (o) => o.length >= expected.length, 90_000).catch(async () => {
    const o = await output();
    const missing = expected.filter((x) => !o.includes(x));
    console.log('OUT', o.length, 'EXPECTED', expected.length, 'MISSING', missing.length, missing.slice(0, 20));
    console.log(JSON.stringify(p.events.filter((x) => x.event !== 'joined')));
    throw new Error(`output ${o.length} of ${expected.length}`);
  });
  expect(out.sort()).toEqual(expected);
  // No task failed other than by being fenced: on this loaded machine any instance may miss a lease
  // renewal now and then, and its tasks move; anything else is a defect.
  const failures = p.events.filter((e) => e.event === 'error' && !isFencing(e));
  if (failures.length > 0) console.log(JSON.stringify(failures));
  expect(failures).toEqual([]);
}, 360_000);

it('a recovery time longer than the duplicate window: every task fails to open its sink with DuplicateWindowError, nothing is published', async () => {
  const application = 'e2e-window';
  await streams(1_000);
  const p = new Processes('pipeline-process.ts', server.url, application, TASK_IDS, { E2E_RECOVERY_TIME: '5000' });
  processes = p;
  await publish(records(0, PHASE));
  p.launch('a');
  const refused = await pollUntil(
    async () => new Set(p.events.filter((e) => e.error === 'DuplicateWindowError').map((e) => e.message)),
    (s) => s.size > 0,
    30_000,
  );
  expect([...refused][0]).toMatch(/"OUT".*1000 ms.*5000 ms/);
  expect(p.events.filter((e) => e.event === 'start')).toEqual([]);
  expect(await output()).toEqual([]);
}, 60_000);

it('a server restart mid-stream across processes: two instances ride it out, every window result once in the output', async () => {
  const application = 'e2e-restart';
  await streams(120_000);
  const p = new Processes('pipeline-process.ts', server.url, application, TASK_IDS);
  processes = p;
  const input = records(0, PHASE);
  await publish(input);
  p.launch('a');
  p.launch('b');
  await pollUntil(() => p.owners(nc, E2E.leaseTtlMs), p.settledOn(['a', 'b']), 60_000);
  await pollUntil(
    () => committed(application),
    (ids) => ids.every((id) => id > 0),
    45_000,
  );

  // More input, and the restart while the instances read it, checkpoint and commit.
  const rest = records(PHASE, PHASE);
  input.push(...rest);
  await publish(rest);
  await server.restart();
  // The records at the end of the partitions, once JetStream is back: a retried publish may store
  // one twice, harmless (its window never fires).
  await pollUntil(
    () =>
      publish(endOfInput()).then(
        () => true,
        () => false,
      ),
    (done) => done,
    45_000,
  );
  const expected = e2eReference(input);
  const out = await pollUntil(output, (o) => o.length >= expected.length, 90_000).catch(async () => {
    const o = await output();
    console.log(
      'OUT',
      o.length,
      'EXPECTED',
      expected.length,
      'MISSING',
      expected.filter((x) => !o.includes(x)).slice(0, 20),
    );
    console.log(JSON.stringify(p.events.filter((x) => x.event !== 'joined')));
    throw new Error(`output ${o.length} of ${expected.length}`);
  });
  expect(out.sort()).toEqual(expected);
}, 300_000);
