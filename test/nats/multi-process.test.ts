// The multi-process scenario: instances as child processes on one real server. Three share
// six tasks; one is SIGKILLed and its tasks move; a fourth joins and takes its share; one is paused
// with SIGSTOP past its lease and, resumed, is fenced: none of its commits is accepted any more.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readAssignment } from '../../src/nats/assignment-store.js';
import { openCoordinationBuckets } from '../../src/nats/buckets.js';
import { readTaskHolder } from '../../src/nats/task-fence.js';
import { pollUntil, sleep } from './helpers.js';
import { type NatsTestServer, startNatsServer } from './nats-server.js';

let server: NatsTestServer;
let nc: NatsConnection;
beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await nc.close();
  await server.stop();
});

interface Event {
  instanceId: string;
  event: 'joined' | 'start' | 'stop' | 'fenced';
  task?: string;
  reason?: string;
  epoch?: number;
}
const events: Event[] = [];
const APPLICATION = 'procs';
/**
 * Long enough that a child starved of CPU for a second (the full suite on a loaded 2-core machine)
 * keeps its lease: a lapsed lease moves tasks legitimately, which the stickiness check would flag.
 */
const LEASE_TTL_MS = 3000;
const TASK_IDS = Array.from({ length: 6 }, (_, i) => `task-${i}`);

function launch(instanceId: string): ChildProcess {
  const script = join(import.meta.dirname, 'fixtures', 'instance-process.ts');
  // node itself with tsx's loader, not the tsx CLI: its wrapper process would take the signals.
  const child = spawn(process.execPath, ['--import', 'tsx', script, server.url, APPLICATION, instanceId], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LEASE_TTL_MS: String(LEASE_TTL_MS) },
  });
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as Event);
  });
  children.push(child);
  return child;
}

/** Instances killed with SIGKILL or paused with SIGSTOP: they print no stop (yet). */
const killed = new Set<string>();

/** Which live instance runs each task now, from the start and stop events. */
function runningByTask(): Map<string, Set<string>> {
  const running = new Map(TASK_IDS.map((t) => [t, new Set<string>()]));
  for (const e of events) {
    if (killed.has(e.instanceId)) continue;
    if (e.event === 'start') running.get(e.task!)!.add(e.instanceId);
    if (e.event === 'stop') running.get(e.task!)!.delete(e.instanceId);
  }
  return running;
}

/** The owners in the stored assignment, once every task has one. */
async function owners(): Promise<Record<string, string | null>> {
  const buckets = await openCoordinationBuckets(nc, { application: APPLICATION, leaseTtlMs: LEASE_TTL_MS });
  return (await readAssignment(buckets.tasks)).assignment.owners;
}

const countBy = (o: Record<string, string | null>) => {
  const counts: Record<string, number> = {};
  for (const owner of Object.values(o)) if (owner !== null) counts[owner] = (counts[owner] ?? 0) + 1;
  return counts;
};
const settledOn = (ids: string[]) => (o: Record<string, string | null>) =>
  TASK_IDS.every((t) => ids.includes(o[t] ?? '')) &&
  ids.every((id) => {
    const n = countBy(o)[id] ?? 0;
    return n >= Math.floor(6 / ids.length) && n <= Math.ceil(6 / ids.length);
  }) &&
  TASK_IDS.every((t) => [...runningByTask().get(t)!].join() === o[t]);

it('three processes share the tasks; a SIGKILLed one loses its tasks to the others; a fourth joins; a SIGSTOPped one is fenced', async () => {
  const a = launch('a');
  launch('b');
  launch('c');
  await pollUntil(owners, settledOn(['a', 'b', 'c']), 30_000);

  // SIGKILL: a's tasks move to b and c once its lease expires; b and c keep theirs.
  const before = await owners();
  a.kill('SIGKILL');
  killed.add('a');
  const afterKill = await pollUntil(owners, settledOn(['b', 'c']), 30_000);
  for (const t of TASK_IDS) if (before[t] !== 'a') expect(afterKill[t]).toBe(before[t]);

  // A fourth joins: it takes its share, and only from the others' surplus (sticky).
  launch('d');
  const afterJoin = await pollUntil(owners, settledOn(['b', 'c', 'd']), 30_000);
  expect(TASK_IDS.filter((t) => afterJoin[t] !== afterKill[t]).every((t) => afterJoin[t] === 'd')).toBe(true);

  // SIGSTOP b past its lease: c and d take its tasks; resumed, b's commits are refused.
  const b = children[1]!;
  const paused = TASK_IDS.filter((t) => afterJoin[t] === 'b');
  /** b's epoch of each paused task, taken now: the last start it printed for it before the pause. */
  const epochAtPause = new Map(
    paused.map((t) => [
      t,
      Math.max(
        ...events.filter((e) => e.instanceId === 'b' && e.task === t && e.event === 'start').map((e) => e.epoch!),
      ),
    ]),
  );
  b.kill('SIGSTOP');
  killed.add('b');
  await pollUntil(owners, settledOn(['c', 'd']), 30_000).catch(async (error: unknown) => {
    b.kill('SIGCONT');
    throw error;
  });
  b.kill('SIGCONT');
  await sleep(LEASE_TTL_MS);
  const buckets = await openCoordinationBuckets(nc, { application: APPLICATION, leaseTtlMs: LEASE_TTL_MS });
  for (const t of paused) {
    const holder = await readTaskHolder(buckets.tasks, t);
    // Resumed, b rejoins and may be given a task again, but only under a new epoch, never its old one.
    if (holder!.owner === 'b') expect(holder!.epoch!).toBeGreaterThan(epochAtPause.get(t)!);
    // The marker is the new owner's: nothing b tried to commit after the takeover was accepted (when
    // b holds the task again under its new epoch, its first commit may still be on its way).
    if (holder!.owner !== 'b') expect((holder!.marker as { by: string }).by).toBe(holder!.owner);
    const stopped = events.some((e) => e.instanceId === 'b' && e.task === t && e.event === 'stop');
    const fenced = events.some((e) => e.instanceId === 'b' && e.task === t && e.event === 'fenced');
    expect(stopped || fenced).toBe(true);
  }
  // Its overdue commit timers fire on SIGCONT before its next round notices the lapse: refused.
  expect(events.filter((e) => e.instanceId === 'b' && e.event === 'fenced').length).toBeGreaterThan(0);
}, 120_000);
