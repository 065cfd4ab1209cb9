// Instances and tasks on a real nats-server, driven round by round (`tick`): assignment generations,
// sticky joins, revoke-then-assign, a dying instance, a fenced zombie, and a server restart.
import { describe, expect, it } from 'vitest';
import { readAssignment } from '../../src/nats/assignment-store.js';
import { type CoordinationBuckets, openCoordinationBuckets } from '../../src/nats/buckets.js';
import type { CoordinationClock } from '../../src/nats/clock.js';
import { TaskFencedError } from '../../src/nats/task-fenced-error.js';
import { TaskInstance } from '../../src/nats/instance.js';
import { RestartsExhaustedError } from '../../src/parallel/errors.js';
import { exponentialDelayRestart, fixedDelayRestart } from '../../src/parallel/restart-strategies.js';
import { liveMembers } from '../../src/nats/membership.js';
import { readTaskHolder } from '../../src/nats/task-fence.js';
import { type AssignedTask, taskSpecs } from '../../src/nats/tasks.js';
import { pollUntil, natsServerPerFile } from './helpers.js';

const nats = natsServerPerFile({ reconnectTimeWait: 100, maxReconnectAttempts: -1 });

const TTL = 1000;
const TASKS = taskSpecs(6, 128);

/** The order of starts and stops across instances, as `<instance> start|stop <task>`. */
type Log = string[];

function instance(id: string, buckets: CoordinationBuckets, log: Log, started = new Map<string, AssignedTask>()) {
  return new TaskInstance({
    instanceId: id,
    buckets,
    tasks: TASKS,
    handlers: {
      start(task) {
        log.push(`${id} start ${task.id}`);
        started.set(task.id, task);
      },
      stop(task, reason) {
        log.push(`${id} stop ${task.id} ${reason}`);
      },
    },
  });
}

/**
 * Rounds of every instance until a whole round changes nothing (the assignment's generation stays)
 * and every task runs on exactly one instance.
 */
async function settle(instances: TaskInstance[]): Promise<void> {
  const kv = instances[0]!.buckets.tasks;
  let quiet = 0;
  for (let round = 0; round < 20; round++) {
    const generation = (await readAssignment(kv)).assignment.generation;
    for (const i of instances) await i.tick();
    const running = instances.flatMap((i) => i.running);
    const unchanged = (await readAssignment(kv)).assignment.generation === generation;
    // Two quiet rounds: in the first, an instance that just joined may not have been seen by the leader.
    quiet = unchanged && running.length === TASKS.length && new Set(running).size === TASKS.length ? quiet + 1 : 0;
    if (quiet === 2) return;
  }
  throw new Error(`not settled: ${instances.map((i) => `${i.instanceId}=${i.running}`).join(' ')}`);
}

describe('TaskInstance', () => {
  it('assigns every task once, balanced, each with its key groups; generations only grow', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'assign', leaseTtlMs: TTL });
    const started = new Map<string, AssignedTask>();
    const a = instance('a', buckets, [], started);
    const b = instance('b', buckets, [], started);
    await settle([a, b]);
    expect(a.running).toHaveLength(3);
    expect(b.running).toHaveLength(3);
    expect(started.get('task-5')!.keyGroups).toEqual({ start: 107, end: 127 });
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const { assignment } = await readAssignment(buckets.tasks);
    expect(assignment.generation).toBeGreaterThan(0);
    for (const task of TASKS)
      expect((await readTaskHolder(buckets.tasks, task.id))!.owner).toBe(assignment.owners[task.id]);
  }, 20_000);

  it('a join moves the fewest tasks, each revoked and stopped on its old owner before the new one starts it', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'join', leaseTtlMs: TTL });
    const log: Log = [];
    const a = instance('a', buckets, log);
    const b = instance('b', buckets, log);
    await settle([a, b]);
    const before = { a: a.running, b: b.running };
    const generation = (await readAssignment(buckets.tasks)).assignment.generation;
    log.length = 0;
    const c = instance('c', buckets, log);
    await settle([a, b, c]);
    expect(c.running).toHaveLength(2);
    expect(a.running.every((t) => before.a.includes(t))).toBe(true);
    expect(b.running.every((t) => before.b.includes(t))).toBe(true);
    for (const task of c.running) {
      const stop = log.findIndex((e) => e.endsWith(` stop ${task} revoked`));
      const start = log.indexOf(`c start ${task}`);
      expect(stop).toBeGreaterThanOrEqual(0);
      expect(stop).toBeLessThan(start);
    }
    // Only the moved tasks were stopped or started.
    expect(log).toHaveLength(4);
    expect((await readAssignment(buckets.tasks)).assignment.generation).toBeGreaterThan(generation);
  }, 20_000);

  it('a dying instance: its tasks move to the others at a higher epoch once its lease lapses; the other tasks keep running', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'dying', leaseTtlMs: TTL });
    const log: Log = [];
    const started = new Map<string, AssignedTask>();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => instance(id, buckets, log, started)) as [
      TaskInstance,
      TaskInstance,
      TaskInstance,
    ];
    await settle([a, b, c]);
    const orphaned = c.running;
    const epochs = new Map(orphaned.map((t) => [t, started.get(t)!.epoch]));
    log.length = 0;
    // c stops ticking (a crash): a and b go on until its lease expires on the server.
    await pollUntil(
      async () => {
        await a.tick();
        await b.tick();
        return [...a.running, ...b.running].length;
      },
      (n) => n === TASKS.length,
      10_000,
    );
    expect(log.filter((e) => e.includes(' stop '))).toEqual([]);
    for (const task of orphaned) expect(started.get(task)!.epoch).toBeGreaterThan(epochs.get(task)!);
    expect(a.running).toHaveLength(3);
    expect(b.running).toHaveLength(3);
  }, 20_000);

  it('fences a zombie: an owner paused past its lease is refused when it commits with its old epoch', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'zombie', leaseTtlMs: TTL });
    const startedA = new Map<string, AssignedTask>();
    const a = instance('a', buckets, [], startedA);
    const b = instance('b', buckets, []);
    await settle([a, b]);
    const [held] = a.running;
    const zombie = startedA.get(held!)!;
    await zombie.fence.commit({ checkpointId: 1 });
    // a pauses (no rounds, as under SIGSTOP or a long GC); b takes its tasks after the lease lapses.
    await pollUntil(
      async () => {
        await b.tick();
        return b.running.length;
      },
      (n) => n === TASKS.length,
      10_000,
    );
    const error = await zombie.fence.commit({ checkpointId: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFencedError);
    expect(error).toMatchObject({ task: held, epoch: zombie.epoch, owner: 'b' });
    expect((error as TaskFencedError).currentEpoch).toBeGreaterThan(zombie.epoch);
    await expect(zombie.fence.assertEpoch()).rejects.toBeInstanceOf(TaskFencedError);
    // The new owner saw the zombie's last good commit, and its own commits go through.
    const holder = await readTaskHolder(buckets.tasks, held!);
    expect(holder!.marker).toEqual({ checkpointId: 1 });
    // Resumed, the zombie learns in its next round that its lease lapsed, and stops its tasks.
    await a.tick();
    expect(a.running).toEqual([]);
  }, 20_000);

  it('survives a server restart: leases are re-established and no task is ever owned twice', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'restart', leaseTtlMs: 5000 });
    const a = instance('a', buckets, []);
    const b = instance('b', buckets, []);
    await settle([a, b]);
    await nats.server.restart();
    const overlaps: string[] = [];
    await pollUntil(
      async () => {
        await a.tick();
        await b.tick();
        overlaps.push(...a.running.filter((t) => b.running.includes(t)));
        return [...a.running, ...b.running].length;
      },
      (n) => n === TASKS.length,
      20_000,
    );
    await settle([a, b]);
    expect(overlaps).toEqual([]);
    expect(await liveMembers(buckets.leases)).toEqual(['a', 'b']);
    expect([a.running.length, b.running.length]).toEqual([3, 3]);
    const { assignment } = await readAssignment(buckets.tasks);
    for (const task of TASKS) {
      const owner = assignment.owners[task.id]!;
      expect((await readTaskHolder(buckets.tasks, task.id))!.owner).toBe(owner);
      expect([a, b].filter((i) => i.running.includes(task.id)).map((i) => i.instanceId)).toEqual([owner]);
    }
  }, 40_000);

  it('stop releases its tasks and leaves, so the others take them over without waiting for the TTL', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'shutdown', leaseTtlMs: 60_000 });
    const log: Log = [];
    const a = instance('a', buckets, log);
    const b = instance('b', buckets, log);
    await settle([a, b]);
    log.length = 0;
    await a.stop();
    await settle([b]);
    expect(b.running).toHaveLength(TASKS.length);
    expect(log.filter((e) => e.startsWith('a stop')).every((e) => e.endsWith('shutdown'))).toBe(true);
  }, 20_000);

  it('a failed task is stopped and restarted at a higher epoch after its delay, 1.5× longer per failure in a row (Flink exponential-delay); a start that throws counts', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'failed', leaseTtlMs: 60_000 });
    let time = 0;
    const clock: CoordinationClock = { now: () => time, schedule: () => () => undefined };
    const log: Log = [];
    const started = new Map<string, AssignedTask>();
    const errors: unknown[] = [];
    let refuseStart = false;
    const a = new TaskInstance({
      instanceId: 'a',
      buckets,
      tasks: TASKS,
      clock,
      restartStrategy: exponentialDelayRestart({
        initialBackoff: 1000,
        maxBackoff: 2000,
        jitterFactor: 0,
        resetBackoffThreshold: 2000,
      }),
      onError: (error) => errors.push(error),
      handlers: {
        start(task) {
          log.push(`start ${task.id}`);
          if (refuseStart && task.id === 'task-2') throw new Error('unreachable');
          started.set(task.id, task);
        },
        stop: (task, reason) => void log.push(`stop ${task.id} ${reason}`),
      },
    });
    const runsAfter = async (ms: number) => {
      time += ms;
      await a.tick();
      return a.running.includes('task-2');
    };
    await a.tick();
    expect(a.running).toHaveLength(TASKS.length);
    const first = started.get('task-2')!;
    const boom = new Error('boom');
    first.fail(boom);
    first.fail(new Error('again'));
    expect(errors).toEqual([boom]);
    log.length = 0;
    expect(await runsAfter(0)).toBe(false);
    expect(log).toEqual(['stop task-2 failed']);
    expect((await readTaskHolder(buckets.tasks, 'task-2'))!.owner).toBeNull();
    expect(await runsAfter(999)).toBe(false);
    expect(await runsAfter(1)).toBe(true);
    expect(started.get('task-2')!.epoch).toBeGreaterThan(first.epoch);
    // The first incarnation's late report does not touch the second.
    first.fail(new Error('late'));
    expect(await runsAfter(0)).toBe(true);
    // The delay counts from the round that stops the task. Second failure in a row: 1500 ms; third:
    // 2250 ms, capped at 2000 ms.
    started.get('task-2')!.fail(new Error('2'));
    expect(await runsAfter(0)).toBe(false);
    expect(await runsAfter(1499)).toBe(false);
    expect(await runsAfter(1)).toBe(true);
    started.get('task-2')!.fail(new Error('3'));
    expect(await runsAfter(0)).toBe(false);
    expect(await runsAfter(1999)).toBe(false);
    expect(await runsAfter(1)).toBe(true);
    // After running resetBackoffThreshold without failing, the next failure waits the first delay again;
    // a start that throws is a failure in a row (1500 ms).
    time += 2000;
    refuseStart = true;
    started.get('task-2')!.fail(new Error('4'));
    log.length = 0;
    expect(await runsAfter(0)).toBe(false);
    expect(await runsAfter(999)).toBe(false);
    expect(await runsAfter(1)).toBe(false);
    expect(log).toEqual(['stop task-2 failed', 'start task-2', 'stop task-2 failed']);
    refuseStart = false;
    expect(await runsAfter(1499)).toBe(false);
    expect(await runsAfter(1)).toBe(true);
    // The other tasks never stopped.
    expect(a.running).toEqual(TASKS.map((t) => t.id));
    expect(log.filter((e) => e.startsWith('stop') && !e.includes('task-2'))).toEqual([]);
  });

  it('a task whose restart strategy gives up stays stopped, and onError gets a RestartsExhaustedError naming it', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'given-up', leaseTtlMs: 60_000 });
    const started = new Map<string, AssignedTask>();
    const errors: unknown[] = [];
    const a = new TaskInstance({
      instanceId: 'a',
      buckets,
      tasks: TASKS,
      restartStrategy: fixedDelayRestart({ attempts: 1, delay: 0 }),
      onError: (error) => errors.push(error),
      handlers: { start: (task) => void started.set(task.id, task), stop: () => undefined },
    });
    await a.tick();
    started.get('task-1')!.fail(new Error('first'));
    await a.tick();
    await a.tick();
    expect(a.running).toContain('task-1');
    started.get('task-1')!.fail(new Error('second'));
    await a.tick();
    await a.tick();
    expect(a.running).not.toContain('task-1');
    expect(a.running).toHaveLength(TASKS.length - 1);
    const exhausted = errors.at(-1) as RestartsExhaustedError;
    expect(exhausted).toBeInstanceOf(RestartsExhaustedError);
    expect(exhausted.message).toMatch(
      /fixed-delay \(attempts 1, delay 0 ms\) of task "task-1" gave up after 1 restart\(s\).*Error: second/,
    );
  });

  it('start() runs a round at once, then one per interval of the injected clock; stop() cancels the next', async () => {
    const buckets = await openCoordinationBuckets(nats.nc, { application: 'loop', leaseTtlMs: TTL });
    const scheduled: { delayMs: number; run: () => void; cancelled: boolean }[] = [];
    const clock: CoordinationClock = {
      now: () => 0,
      schedule(run, delayMs) {
        const timer = { delayMs, run, cancelled: false };
        scheduled.push(timer);
        return () => {
          timer.cancelled = true;
        };
      },
    };
    const log: Log = [];
    const a = new TaskInstance({
      instanceId: 'a',
      buckets,
      tasks: TASKS,
      intervalMs: 250,
      clock,
      handlers: {
        start: (task) => void log.push(`start ${task.id}`),
        stop: (task) => void log.push(`stop ${task.id}`),
      },
    });
    await a.start();
    expect(a.running).toHaveLength(TASKS.length);
    expect(scheduled.map((t) => t.delayMs)).toEqual([250]);
    // The clock fires: one more round, which schedules the next.
    scheduled[0]!.run();
    await pollUntil(
      async () => scheduled.length,
      (n) => n === 2,
    );
    expect(log.filter((e) => e.startsWith('start'))).toHaveLength(TASKS.length);
    await a.stop();
    expect(scheduled[1]!.cancelled).toBe(true);
    expect(log.filter((e) => e.startsWith('stop'))).toHaveLength(TASKS.length);
    expect(await liveMembers(buckets.leases)).toEqual([]);
  });
});
