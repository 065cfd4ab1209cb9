// docs/architecture.md §0, §3 and §6, checked on the source text: the engine is free of RxJS, the core of Node
// and the DOM, and processing time only comes from the injected scheduler. (DOM and Node globals
// cannot appear in the core at all: tsconfig.json compiles it with lib ES2022 and no @types/node.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', 'src');
const PLATFORM_FOLDERS = ['node', 'idb', 'browser'];

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

describe('architecture', () => {
  it('the core imports nothing from Node', () => {
    const offenders = core.filter((f) => /from ['"](node:|fs['"]|path['"]|os['"]|stream['"]|crypto['"])/.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('no operator reads the wall clock or sets its own timers', () => {
    const clock = /\b(Date\.now|setTimeout|setInterval|setImmediate|performance\.now|new Date\(\))/;
    const offenders = core.filter((f) => clock.test(code(f.text))).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('the engine (src/core) does not import RxJS', () => {
    const offenders = files.filter((f) => f.path.startsWith('core/') && /from ['"]rxjs/.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
