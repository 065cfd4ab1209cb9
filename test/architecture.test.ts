// docs/architecture.md §0, §3 and §6, checked on the source text: the engine is free of RxJS, the core of Node
// and the DOM, and processing time only comes from the injected scheduler. (DOM and Node globals
// cannot appear in the core at all: tsconfig.json compiles it with lib ES2022 and no @types/node.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', 'src');
const PLATFORM_FOLDERS = ['node', 'idb', 'browser', 'web-vitals', 'devtools', 'nats'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(root).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }));
const core = files.filter((f) => !PLATFORM_FOLDERS.includes(f.path.split('/')[0]!));
/** Code only: comments and string contents removed, so TSDoc examples do not count. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** The largest source file allowed, in bytes (docs/architecture.md §7). */
const MAX_FILE_BYTES = 15 * 1024;
const oversized = files.filter((f) => Buffer.byteLength(f.text) > MAX_FILE_BYTES).map((f) => f.path);
/** Files over the limit that another change is splitting now (the state layer of issue 16). */
const OVERSIZED_BEING_SPLIT: readonly string[] = [];

describe('architecture', () => {
  it('the core imports nothing from Node', () => {
    const offenders = core
      .filter((f) => /from ['"](node:|fs['"]|path['"]|os['"]|stream['"]|crypto['"])/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('no operator reads the wall clock or sets its own timers', () => {
    const clock = /\b(Date\.now|setTimeout|setInterval|setImmediate|performance\.now|new Date\(\))/;
    const offenders = core.filter((f) => clock.test(code(f.text))).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('no source file is over 15 KB (one concept per file, docs/architecture.md §7)', () => {
    const offenders = oversized.filter((path) => !OVERSIZED_BEING_SPLIT.includes(path));
    expect(offenders).toEqual([]);
    // The list of files being split only shrinks: one back under the limit must leave it.
    expect(OVERSIZED_BEING_SPLIT.filter((path) => !oversized.includes(path))).toEqual([]);
  });

  it('the engine (src/core) does not import RxJS', () => {
    const offenders = files
      .filter((f) => f.path.startsWith('core/') && /from ['"]rxjs/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});

// ---- Layers and cycles (docs/architecture.md §7) -------------------------------------------------
// A folder imports only from folders on lower layers (and from itself); no two folders and no two
// files import each other, directly or round a cycle. Read from the import statements.

/** The layers of src/, bottom first. The root files (index.ts) sit above every layer. */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['state', 'flow', 'rx'],
  ['time', 'keyed', 'stream'],
  ['window', 'sources', 'sinks'],
  ['checkpoint'],
  ['parallel'],
  ['node', 'idb', 'testing', 'engine', 'web-vitals', 'otel', 'devtools', 'nats'],
  ['browser', 'redux'],
  ['react'],
];

/**
 * Imports that break the rules today. Each is `from -> to`; the list may only shrink: an entry that
 * no longer occurs fails the test.
 */
const KNOWN_EXCEPTIONS: readonly string[] = [];

const layerOf = (path: string): number => {
  const folder = path.includes('/') ? path.split('/')[0]! : undefined;
  if (folder === undefined) return LAYERS.length; // src/index.ts and the other root files
  const layer = LAYERS.findIndex((names) => names.includes(folder));
  if (layer < 0) throw new Error(`src/${folder}/ has no layer: add it to LAYERS and to docs/architecture.md §7`);
  return layer;
};
const folderOf = (path: string): string => (path.includes('/') ? path.split('/')[0]! : '.');

/** Every relative import of every file, resolved to a path under src/ (`from -> to`). */
const edges = files.flatMap((f) => {
  const specs = [...code(f.text).matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  return [...new Set(specs)].map((spec) => ({
    from: f.path,
    to: relative(root, join(root, f.path, '..', spec)).replace(/\.js$/, '.ts'),
  }));
});
const edgeName = (e: { from: string; to: string }) => `${e.from} -> ${e.to}`;
const checked = edges.filter((e) => !KNOWN_EXCEPTIONS.includes(edgeName(e)));

/** The cycles of a graph: its strongly connected components of more than one node (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

function graphOf(pairs: readonly (readonly [string, string])[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of pairs) {
    if (from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

describe('layers', () => {
  it('every import resolves to a source file', () => {
    const known = new Set(files.map((f) => f.path));
    expect(edges.filter((e) => !known.has(e.to)).map(edgeName)).toEqual([]);
  });

  it('every folder of src/ has a layer', () => {
    for (const f of files) expect(() => layerOf(f.path)).not.toThrow();
  });

  it('a folder imports only from lower layers', () => {
    const upward = checked.filter((e) => folderOf(e.from) !== folderOf(e.to) && layerOf(e.to) >= layerOf(e.from));
    expect(upward.map(edgeName)).toEqual([]);
  });

  it('no two folders import each other, even round a cycle', () => {
    expect(cycles(graphOf(checked.map((e) => [folderOf(e.from), folderOf(e.to)] as const)))).toEqual([]);
  });

  it('no two files import each other, even round a cycle', () => {
    expect(cycles(graphOf(checked.map((e) => [e.from, e.to] as const)))).toEqual([]);
  });

  it('every known exception still occurs (the list only shrinks)', () => {
    const names = new Set(edges.map(edgeName));
    expect(KNOWN_EXCEPTIONS.filter((e) => !names.has(e))).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one', () => {
    expect(
      cycles(
        graphOf([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
          ['c', 'd'],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
    expect(layerOf('core/x.ts')).toBeLessThan(layerOf('checkpoint/y.ts'));
  });
});
