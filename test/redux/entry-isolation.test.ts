// docs/architecture.md §10: the core entries never import the integrations. Follows the relative
// imports from each entry point's source and checks that none reaches src/redux/, src/react/,
// Redux Toolkit or React (so `import 'rxflink'` works without the optional peers installed).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');

/** Every module reachable from `entry` through imports and re-exports, and the packages they name. */
function reach(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      if (spec!.startsWith('.')) visit(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
      else packages.add(spec!);
    }
  };
  visit(join(src, entry));
  return { files, packages };
}

describe('the core entries do not pull in rxflink/redux or rxflink/react', () => {
  for (const entry of ['index.ts', 'engine/index.ts', 'testing/index.ts', 'node/index.ts', 'idb/index.ts']) {
    it(`src/${entry}`, () => {
      const { files, packages } = reach(entry);
      const integrations = [...files]
        .map((f) => relative(src, f))
        .filter((f) => f.startsWith('redux/') || f.startsWith('react/'));
      expect(integrations).toEqual([]);
      expect(
        [...packages].filter((p) => p.startsWith('@reduxjs/') || p === 'react' || p.startsWith('react-dom')),
      ).toEqual([]);
    });
  }

  it('the check sees the integrations where they are (it can fail)', () => {
    const { files, packages } = reach('react/index.ts');
    expect([...files].some((f) => relative(src, f).startsWith('redux/'))).toBe(true);
    expect(packages).toContain('react');
    expect(packages).toContain('@reduxjs/toolkit');
  });
});
