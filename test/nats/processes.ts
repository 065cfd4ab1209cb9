// Instances as child processes for the multi-process tests: launched with node and tsx's loader,
// their JSON event lines collected, their tasks read from the events and the stored assignment.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { readAssignment } from '../../src/nats/assignment-store.js';
import { openCoordinationBuckets } from '../../src/nats/buckets.js';

/** A line an instance process printed. */
export interface ProcessEvent {
  instanceId: string;
  event: string;
  task?: string;
  reason?: string;
  epoch?: number;
  error?: string;
  failure?: string;
  message?: string;
  /** The name of the error's cause, if any. */
  cause?: string;
}

/** The instance processes of one test, their events, and which are killed or paused. */
export class Processes {
  readonly events: ProcessEvent[] = [];
  readonly children = new Map<string, ChildProcess>();
  /** Instances killed with SIGKILL or paused with SIGSTOP: they print no stop (yet). */
  readonly silenced = new Set<string>();

  constructor(
    readonly fixture: string,
    readonly url: string,
    readonly application: string,
    readonly taskIds: readonly string[],
    readonly env: Record<string, string> = {},
  ) {}

  launch(instanceId: string): ChildProcess {
    const script = join(import.meta.dirname, 'fixtures', this.fixture);
    // node itself with tsx's loader, not the tsx CLI: its wrapper process would take the signals.
    const child = spawn(process.execPath, ['--import', 'tsx', script, this.url, this.application, instanceId], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...this.env },
    });
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) if (line.trim() !== '') this.events.push(JSON.parse(line) as ProcessEvent);
    });
    this.children.set(instanceId, child);
    return child;
  }

  /** Sends `signal`; SIGKILL and SIGSTOP silence the instance, SIGCONT does not undo it. */
  signal(instanceId: string, signal: NodeJS.Signals): void {
    this.children.get(instanceId)!.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGSTOP') this.silenced.add(instanceId);
  }

  /** Kills every child still running and waits for it to exit. */
  async killAll(): Promise<void> {
    await Promise.all(
      [...this.children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  /** Which live instance runs each task now, from the start and stop events. */
  runningByTask(): Map<string, Set<string>> {
    const running = new Map(this.taskIds.map((t) => [t, new Set<string>()]));
    for (const e of this.events) {
      if (this.silenced.has(e.instanceId) || e.task === undefined) continue;
      if (e.event === 'start') running.get(e.task)!.add(e.instanceId);
      if (e.event === 'stop') running.get(e.task)!.delete(e.instanceId);
    }
    return running;
  }

  /** The owners in the stored assignment. */
  async owners(nc: NatsConnection, leaseTtlMs: number): Promise<Record<string, string | null>> {
    const buckets = await openCoordinationBuckets(nc, { application: this.application, leaseTtlMs });
    return (await readAssignment(buckets.tasks)).assignment.owners;
  }

  /**
   * Whether `owners` gives every task to one of `ids`, evenly, and each task runs on its owner only
   * (as the events say).
   */
  settledOn(ids: readonly string[]): (owners: Record<string, string | null>) => boolean {
    return (owners) => {
      const counts: Record<string, number> = {};
      for (const owner of Object.values(owners)) if (owner !== null) counts[owner] = (counts[owner] ?? 0) + 1;
      const n = this.taskIds.length;
      return (
        this.taskIds.every((t) => ids.includes(owners[t] ?? '')) &&
        ids.every(
          (id) => (counts[id] ?? 0) >= Math.floor(n / ids.length) && (counts[id] ?? 0) <= Math.ceil(n / ids.length),
        ) &&
        this.taskIds.every((t) => [...this.runningByTask().get(t)!].join() === owners[t])
      );
    };
  }
}
