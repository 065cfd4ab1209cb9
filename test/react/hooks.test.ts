// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act, createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { configureStore } from '@reduxjs/toolkit';
import { TestScheduler } from 'rxjs/testing';
import {
  createQueryableState,
  createWindowResultsSlice,
  PIPELINE_STATUS,
  pipelineStatusActions,
  pipelineStatusReducer,
} from '../../src/redux/index.js';
import { usePipelineStatus, useQueryableState, useWindowResults } from '../../src/react/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
let container: HTMLElement;
function render(node: ReactNode): HTMLElement {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  act(() => root!.render(node));
  return container;
}
afterEach(() => {
  act(() => root?.unmount());
  container?.remove();
  root = undefined;
});

const perArea = createWindowResultsSlice<string, number>({ name: 'perArea', retention: 1_000 });
// The pipeline's actions are tagged for autoBatchEnhancer (on by default in configureStore): it tells
// subscribers later, here at the end of the microtask queue, which an async act() waits for.
const newStore = () =>
  configureStore({
    reducer: { [PIPELINE_STATUS]: pipelineStatusReducer, perArea: perArea.reducer },
    enhancers: (d) => d({ autoBatch: { type: 'tick' } }),
  });
type Store = ReturnType<typeof newStore>;
const result = (key: string, start: number, value: number) => ({ key, window: { start, end: start + 10 }, value });

describe('rxflink/react hooks, rendered with react-dom in happy-dom', () => {
  it('usePipelineStatus re-renders as the status changes', async () => {
    const store = newStore();
    let renders = 0;
    function Status({ store: s }: { store: Store }) {
      renders++;
      const status = usePipelineStatus(s);
      return createElement('p', null, `${status.phase}:${status.recordsIn}:${status.error?.message ?? ''}`);
    }
    const el = render(createElement(Status, { store }));
    expect(el.textContent).toBe('starting:0:');
    await act(async () => {
      store.dispatch(pipelineStatusActions.started({ restoredFrom: null }));
    });
    await act(async () => {
      store.dispatch(
        pipelineStatusActions.flowSampled({
          recordsIn: 42,
          recordsOut: 40,
          dropped: 0,
          backPressuredTimeMsPerSecond: 0,
        }),
      );
    });
    expect(el.textContent).toBe('running:42:');
    const before = renders;
    await act(async () => {
      perAreaDispatch(store, [result('home', 0, 1)]);
    });
    expect(renders).toBe(before); // another slice changed: no re-render
    await act(async () => {
      store.dispatch(pipelineStatusActions.failed(new Error('disk full')));
    });
    expect(el.textContent).toBe('failed:42:disk full');
  });

  it('useWindowResults renders one key, the latest per key, and the top N as results arrive', async () => {
    const store = newStore();
    function Results({ store: s }: { store: Store }) {
      const home = useWindowResults(s, perArea.selectors, { key: 'home' });
      const latest = useWindowResults(s, perArea.selectors, { latestPerKey: true });
      const top = useWindowResults(s, perArea.selectors, { top: 1 });
      return createElement(
        'ul',
        null,
        createElement('li', { id: 'home' }, home.map((r) => `${r.start}=${r.value}`).join(',')),
        createElement('li', { id: 'latest' }, latest.map((r) => `${r.key}@${r.start}`).join(',')),
        createElement('li', { id: 'top' }, top.map((r) => r.key).join(',')),
      );
    }
    const el = render(createElement(Results, { store }));
    const text = (id: string) => el.querySelector(`#${id}`)!.textContent;
    expect(text('home')).toBe('');
    await act(async () => {
      perAreaDispatch(store, [result('home', 0, 3), result('cart', 0, 5)]);
    });
    expect([text('home'), text('latest'), text('top')]).toEqual(['0=3', 'cart@0,home@0', 'cart']);
    await act(async () => {
      perAreaDispatch(store, [result('home', 10, 9), result('home', 0, 4)]);
    }); // a late firing of [0, 10)
    expect([text('home'), text('latest'), text('top')]).toEqual(['0=4,10=9', 'cart@0,home@10', 'home']);
  });

  it('useQueryableState renders the live state of an operator, once per tick of changes', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    const live = createQueryableState({ scheduler: ts });
    let state: { key: string; value: number }[] = [];
    const handle = live.register('totals', () => state);
    function Totals() {
      const snapshot = useQueryableState(live.view<string, number>('totals'));
      return createElement('p', null, snapshot.entries.map((e) => `${e.key}=${e.value}`).join(','));
    }
    const el = render(createElement(Totals));
    expect(el.textContent).toBe('');
    state = [{ key: 'ann', value: 1 }];
    handle.changed();
    state = [
      { key: 'ann', value: 2 },
      { key: 'bob', value: 1 },
    ];
    handle.changed();
    expect(el.textContent).toBe('');
    act(() => ts.flush());
    expect(el.textContent).toBe('ann=2,bob=1');
    act(() => {
      handle.close();
      ts.flush();
    });
    expect(el.textContent).toBe('');
  });
});

function perAreaDispatch(store: Store, results: ReturnType<typeof result>[]): void {
  store.dispatch(perArea.actions.resultsReceived(results));
}
