/**
 * Per-user sessions with keyed state and event-time timers.
 *
 *   npx tsx demo/sessions/main.ts
 *
 * A session of a user ends when no event of that user arrives for 30 minutes of event time; then a
 * summary is emitted. A user whose purchases in one session pass a threshold gets one alert, on a
 * side output, as soon as it happens. The click stream is generated here with a seeded random
 * generator, so every run prints the same thing.
 */
import { from } from 'rxjs';
import { punctuatedWatermarks, SideOutput, toValues, valueState, withEventTime } from '../../src/index.js';
import { keyBy, keyedProcess } from '../../src/keyed/index.js';

interface Click {
  readonly user: string;
  /** Event time, ms since the epoch. */
  readonly at: number;
  readonly action: 'view' | 'cart' | 'purchase';
  readonly amount: number;
}

interface Session {
  start: number;
  last: number;
  events: number;
  purchases: number;
  spent: number;
  alerted: boolean;
}

const MINUTE = 60_000;
const SESSION_GAP = 30 * MINUTE;
const ALERT_THRESHOLD = 300;
const MAX_OUT_OF_ORDER = 2 * MINUTE;

// ---- generated input: 6 users over an afternoon, with pauses, a slightly shuffled order ----------
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(42);
const startOfDay = Date.UTC(2026, 10, 23, 13, 0);
const clicks: Click[] = [];
for (const user of ['ada', 'grace', 'linus', 'margaret', 'ken', 'barbara']) {
  let at = startOfDay + Math.floor(random() * 20 * MINUTE);
  const end = startOfDay + 4 * 60 * MINUTE;
  while (at < end) {
    const r = random();
    const action = r < 0.7 ? 'view' : r < 0.9 ? 'cart' : 'purchase';
    const amount = action === 'purchase' ? Math.round(20 + random() * (user === 'grace' ? 400 : 120)) : 0;
    clicks.push({ user, at, action, amount });
    // Mostly a few minutes between clicks; sometimes a long pause that ends the session.
    at += random() < 0.08 ? Math.floor((35 + random() * 60) * MINUTE) : Math.floor(random() * 6 * MINUTE);
  }
}
clicks.sort((a, b) => a.at - b.at);
// Shuffle neighbours a little: events arrive out of order by up to MAX_OUT_OF_ORDER.
for (let i = 1; i < clicks.length; i++) {
  if (random() < 0.2 && clicks[i]!.at - clicks[i - 1]!.at < MAX_OUT_OF_ORDER)
    [clicks[i - 1], clicks[i]] = [clicks[i]!, clicks[i - 1]!];
}

// ---- the pipeline ------------------------------------------------------------------------------------
const session = valueState<Session>('session');
const alerts = new SideOutput<string>('alerts');
const time = (ms: number) => new Date(ms).toISOString().slice(11, 16);

alerts.subscribe((alert) => console.log(`  ALERT   ${alert}`));

from(clicks)
  .pipe(
    // Every click carries a watermark: nothing older than MAX_OUT_OF_ORDER will follow.
    withEventTime<Click>({
      timestamp: (c) => c.at,
      watermarks: punctuatedWatermarks((_c, ts) => ts - MAX_OUT_OF_ORDER),
    }),
    keyBy((c: Click) => c.user),
    keyedProcess<Click, string, string>(
      {
        processElement(click, ctx) {
          const state = ctx.getState(session);
          const s = state.value() ?? {
            start: click.at,
            last: click.at,
            events: 0,
            purchases: 0,
            spent: 0,
            alerted: false,
          };
          // The session's timeout moves with its last event: drop the old timer, register the new one.
          ctx.timerService.deleteEventTimeTimer(s.last + SESSION_GAP);
          s.start = Math.min(s.start, click.at);
          s.last = Math.max(s.last, click.at);
          s.events++;
          if (click.action === 'purchase') {
            s.purchases++;
            s.spent += click.amount;
          }
          if (!s.alerted && s.spent > ALERT_THRESHOLD) {
            s.alerted = true;
            ctx.sideOutput(
              alerts,
              `${ctx.key} spent ${s.spent} in the session started at ${time(s.start)} (threshold ${ALERT_THRESHOLD})`,
            );
          }
          state.update(s); // write back: keyed state is exported and TTL-refreshed on update
          ctx.timerService.registerEventTimeTimer(s.last + SESSION_GAP);
        },
        onTimer(timestamp, ctx) {
          const state = ctx.getState(session);
          const s = state.value();
          if (s === undefined || timestamp !== s.last + SESSION_GAP) return;
          ctx.output(
            `${ctx.key.padEnd(8)} ${time(s.start)}-${time(s.last)}  ${String(s.events).padStart(3)} events, ` +
              `${s.purchases} purchases, spent ${s.spent}`,
          );
          state.clear();
        },
      },
      { uid: 'sessions' },
    ),
    toValues(),
  )
  .subscribe({
    next: (summary) => console.log(`session  ${summary}`),
    complete: () => console.log(`done: ${clicks.length} clicks`),
  });
