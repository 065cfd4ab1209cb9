// What the TSDoc examples take for granted: the inputs they start from and the types of their
// values. Declared once here so that an example shows only the code it is about.
import type { Observable, SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { CheckpointBackend } from 'rxflink';
import type { Checkpointing, OperatorRuntime } from 'rxflink/engine';

declare global {
  interface Click {
    page: string;
    user: string;
    at: number;
    ms: number;
    cents: number;
  }
  interface Reading {
    sensor: string;
    at: number;
    celsius: number;
  }
  interface Order {
    shop: string;
    at: number;
    total: number;
  }
  interface Trade {
    symbol: string;
    at: number;
    price: number;
  }
  interface Ev {
    type: string;
    at: number;
    amount: number;
    timeout: number;
  }
  interface Req {
    route: string;
    at: number;
    latencyMs: number;
    ms: number;
  }
  interface Row {
    id: number;
    at: number;
  }

  const clicks$: Observable<Click>;
  const mobile$: Observable<Click>;
  const web$: Observable<Click>;
  const readings$: Observable<Reading>;
  const orders$: Observable<Order>;
  const events$: Observable<Ev>;
  const requests$: Observable<Req>;
  const ticks$: Observable<Trade>;
  const lines$: Observable<string>;
  const words$: Observable<string>;
  const rows: readonly Row[];
  /** Clicks stored in order (a replayable input: `fromIterable(clickLog)` resumes at an index). */
  const clickLog: readonly Click[];
  const userIds: readonly string[];
  const path: string;
  const directory: string;
  const testScheduler: TestScheduler;
  const checkpoints: Checkpointing;
  const backend: CheckpointBackend;
  const runtime: OperatorRuntime;
  const db: {
    insert(values: readonly unknown[]): Promise<void>;
    insertMany(values: readonly unknown[]): Promise<void>;
  };
  const store: { commit(checkpointId: number, results: readonly unknown[]): Promise<void> };
  function fetchPage(n: number): Promise<readonly Row[]>;
  function expect(actual: unknown): { toEqual(expected: unknown): void; toBe(expected: unknown): void };
  // rxflink/redux and rxflink/react: an app's store with the status slice and a window-results slice.
  const appStore: import('@reduxjs/toolkit').EnhancedStore<{
    pipelineStatus: import('rxflink/redux').PipelineStatus;
    clicksPerPage: import('rxflink/redux').WindowResultsState<string, number>;
  }>;
  type AppStore = typeof appStore;
  const clicksPerPage: import('rxflink/redux').WindowResultsSlice<string, number>;
  const live: import('rxflink/redux').QueryableState;
  // `{ scheduler }` in an example is an RxJS scheduler (the DOM's global `scheduler` is another thing).
  const rxScheduler: SchedulerLike;
}
