/**
 * The window operator's general path (src/window/general-path.ts: triggers, evictors, merging,
 * the keyed state backend, the timer service) is brought by the descriptors that need it, never by
 * the operator (src/window/window-path.ts): a bundle of tumbling event-time windows with the
 * default trigger leaves it out, whatever WindowedStream method finishes the window (issue 11).
 * Likewise the window state's checkpoint export and restore (key-grouped rows, pane tables, format
 * migration, validation) comes with checkpointing (src/checkpoint/state-codecs.ts), not with the
 * operator. Bundled from the sources with esbuild, as `npm run size` bundles dist/.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const GENERAL = ['src/window/general-path.ts', 'src/window/general-windows.ts', 'src/state/backend.ts'];

/** The source files a bundle of `code` (importing from src/index.ts) keeps. */
async function bundled(code: string): Promise<string[]> {
  return (await bundle(code)).files;
}

/** A bundle of `code`: its source files and its minified text. */
async function bundle(code: string): Promise<{ files: string[]; text: string }> {
  const result = await build({
    stdin: { contents: code, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external: ['rxjs', 'rxjs/*'],
    logLevel: 'silent',
    metafile: true,
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const files = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file);
  return { files, text: result.outputFiles[0]!.text };
}

const pipeline = (assigner: string, finish: string, extra = ''): string =>
  `import { keyBy, window, tumblingEventTimeWindows, slidingEventTimeWindows, countTrigger, count, toValues } from './src/index.ts';
   export default [keyBy((x) => x), window(${assigner}${extra}).${finish}, toValues()];`;

describe('the general path is left out of bundles that do not need it', () => {
  it('tumbling event-time windows, with aggregate, reduce, process and lateness: no general path', async () => {
    for (const finish of ['aggregate(count())', 'reduce((a, b) => a)', 'process((xs, c, o) => o.collect(xs.length))']) {
      const files = await bundled(pipeline('tumblingEventTimeWindows(10)', finish, ', { allowedLateness: 5 }'));
      expect(files).toContain('src/window/pane-path.ts');
      for (const file of GENERAL) expect(files).not.toContain(file);
    }
  });

  it('a sliding assigner or a count trigger brings it', async () => {
    expect(await bundled(pipeline('slidingEventTimeWindows(10, 5)', 'aggregate(count())'))).toContain(GENERAL[0]);
    const counted = pipeline('tumblingEventTimeWindows(10)', 'aggregate(count())', ', { trigger: countTrigger(3) }');
    expect(await bundled(counted)).toContain(GENERAL[0]);
  });
});

/** The modules of the window state's checkpoint export, restore, migration and validation. */
const EXPORT = [
  'src/window/window-codec.ts',
  'src/window/window-rows.ts',
  'src/window/restore-validation.ts',
  'src/state/keyed-export.ts',
  'src/state/restore-checks.ts',
  // The pane tables of checkpoints, and the pane path's incremental bookkeeping (pane-state.ts `paneRows`).
  'src/window/pane-rows.ts',
  // The event-time entry's state (its watermark, its generator's).
  'src/time/event-time-codec.ts',
];

describe('the window state export comes with checkpoints, not with the operator', () => {
  const counted = `import { withEventTime, boundedOutOfOrderness, keyBy, window, tumblingEventTimeWindows, count, toValues } from './src/index.ts';
    export default [withEventTime({ watermarks: boundedOutOfOrderness(0), timestamp: (x) => x }), keyBy((x) => x), window(tumblingEventTimeWindows(10)).aggregate(count()), toValues()];`;

  it('a windowed count without checkpoints: no export, restore or migration code', async () => {
    const files = await bundled(counted);
    expect(files).toContain('src/window/operator.ts');
    for (const file of EXPORT) expect(files).not.toContain(file);
  });

  it('startCheckpointing brings it', async () => {
    const files = await bundled(
      `${counted.replace('count, toValues', 'count, toValues, startCheckpointing')}\nexport const start = startCheckpointing;`,
    );
    for (const file of EXPORT) expect(files).toContain(file);
  });

  it("the window's v1 state is read as it is: none of the keyed state's format migrations comes along", async () => {
    const { files, text } = await bundle(
      `${counted.replace('count, toValues', 'count, toValues, startCheckpointing')}\nexport const start = startCheckpointing;`,
    );
    expect(files).not.toContain('src/state/format-migration.ts');
    // Messages of the format 1 and 2 migrations (segmentsToTables, tablesToKeyGroups).
    expect(text).not.toContain('segments must be an array');
    expect(text).not.toContain('expected a full table of keys and values of equal length');
  });
});

describe("the plain export that a window's queryable view reads comes with queryableWindows", () => {
  const PLAIN = ['src/window/state-export.ts'];
  const open = (queryable: string): string =>
    `import { keyBy, window, tumblingEventTimeWindows, count, toValues, queryableWindows } from './src/index.ts';
     const registry = { register: () => ({ changed() {}, close() {} }) };
     export default [keyBy((x) => x), window(tumblingEventTimeWindows(10)${queryable}).aggregate(count()), toValues()];`;

  it('a window without the option leaves it out', async () => {
    const files = await bundled(open(''));
    for (const file of PLAIN) expect(files).not.toContain(file);
  });

  it('queryableWindows(registry, name) brings it', async () => {
    const files = await bundled(open(", { queryable: queryableWindows(registry, 'open') }"));
    for (const file of PLAIN) expect(files).toContain(file);
  });
});
