#!/usr/bin/env node
// TSDoc examples must compile. Extracts every ```ts block under an `@example` tag in src/ into
// .tmp/examples/ (one file each), imports the library names it uses from the package (as a user
// would, through dist/ and package.json's exports), and typechecks them (.ci/examples/tsconfig.json)
// against prelude.d.ts, which declares the inputs examples take for granted (`clicks$`, `Click`, …).
// Examples listed in known-failures.txt failed when this check was added: they are reported, and
// fail the check once they compile (so that the list only shrinks); any other failure fails it.
// Run after `npm run build`.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, '.tmp/examples');

/** Every file under dir ending in .ts. */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The names each entry point exports, read from its built declarations. */
function exportsOf(entries) {
  const files = Object.values(entries).map((e) => join(root, e));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  return Object.fromEntries(
    Object.entries(entries).map(([spec, file]) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(join(root, file)));
      return [spec, checker.getExportsOfModule(symbol).map((s) => s.name)];
    }),
  );
}

const entries = exportsOf({
  rxflink: 'dist/index.d.ts',
  'rxflink/testing': 'dist/testing.d.ts',
  'rxflink/engine': 'dist/engine.d.ts',
  'rxflink/node': 'dist/node.d.ts',
  'rxflink/idb': 'dist/idb.d.ts',
  'rxflink/otel': 'dist/otel.d.ts',
  'rxflink/web-vitals': 'dist/web-vitals.d.ts',
  'rxflink/browser': 'dist/browser.d.ts',
  'rxflink/redux': 'dist/redux.d.ts',
  'rxflink/react': 'dist/react.d.ts',
  'rxflink/devtools': 'dist/devtools.d.ts',
  'rxflink/nats': 'dist/nats.d.ts',
});
// Names of the integrations' peers that examples use without importing them.
const peers = {
  '@reduxjs/toolkit': ['configureStore', 'UnknownAction'],
  react: ['createElement'],
  '@nats-io/transport-node': ['connect'],
  '@nats-io/jetstream': ['jetstream'],
  '@nats-io/kv': ['Kvm'],
};
const rxjs = [
  'Observable',
  'Subject',
  'from',
  'of',
  'map',
  'filter',
  'interval',
  'fromEvent',
  'merge',
  'bufferTime',
  'lastValueFrom',
  'firstValueFrom',
  'toArray',
  'take',
  'asyncScheduler',
];

/** The ```ts blocks of the @example tags in a source file's doc comments. */
function examplesIn(text) {
  const found = [];
  for (const comment of text.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
    const lines = comment.split('\n').map((l) => l.replace(/^\s*\/?\*+\/?\s?/, ''));
    let inExample = false;
    let block = null;
    for (const line of lines) {
      if (/^@example/.test(line)) inExample = true;
      else if (/^@\w/.test(line)) inExample = false;
      if (!inExample) continue;
      if (block === null && /^```(ts|typescript)\s*$/.test(line)) block = [];
      else if (block !== null && /^```\s*$/.test(line)) {
        found.push(block.join('\n'));
        block = null;
      } else if (block !== null) block.push(line);
    }
  }
  return found;
}

/** An import line per entry point for the names `code` uses and does not import itself. */
function importsFor(code) {
  const own = new Set(
    [...code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) =>
      m[1].split(',').map((n) =>
        n
          .replace(/^\s*type\s+/, '')
          .split(' as ')
          .pop()
          .trim(),
      ),
    ),
  );
  const used = (name) =>
    !own.has(name) &&
    new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(code.replace(/\/\/.*$/gm, ''));
  const lines = [];
  const taken = new Set(own);
  for (const [spec, names] of [['rxjs', rxjs], ...Object.entries(peers), ...Object.entries(entries)]) {
    const pick = names.filter((n) => !taken.has(n) && used(n));
    for (const n of pick) taken.add(n);
    if (pick.length > 0) lines.push(`import { ${pick.join(', ')} } from '${spec}';`);
  }
  return lines.join('\n');
}

/** Whether `code` parses: an example with a `...` placeholder for "the rest" does not. */
function parses(code) {
  return ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022).parseDiagnostics.length === 0;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let n = 0;
const fragments = [];
for (const file of sources(join(root, 'src'))) {
  const rel = relative(join(root, 'src'), file).replace(/\.ts$/, '');
  examplesIn(readFileSync(file, 'utf8')).forEach((code, i) => {
    if (!parses(code)) {
      fragments.push(`src/${rel}.ts example ${i + 1}`);
      return;
    }
    // Imports first, then the example inside a block scope, so examples may reuse names.
    const body = code.replace(/^import .*$/gm, '');
    const own = code.match(/^import .*$/gm)?.join('\n') ?? '';
    // `scheduler` would be the DOM's global: examples mean an RxJS scheduler.
    const scheduler =
      /\bscheduler\b/.test(body) && !/(const|let) scheduler\b/.test(body) ? 'const scheduler = rxScheduler;\n' : '';
    const text = `// src/${rel}.ts, example ${i + 1}\n${own}\n${importsFor(code)}\nexport {};\n${scheduler}${body}\n`;
    writeFileSync(join(out, `${rel.replace(/\//g, '__')}__${i + 1}.ts`), text);
    n++;
  });
}
console.log(`${n} examples extracted to ${relative(root, out)}/`);

const config = ts.getParsedCommandLineOfConfigFile(
  join(root, '.ci/examples/tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(String(d.messageText));
    },
  },
);
const program = ts.createProgram(config.fileNames, config.options);
const failing = new Map();
for (const d of ts.getPreEmitDiagnostics(program)) {
  const name = d.file ? relative(out, d.file.fileName) : '(config)';
  const text = `${d.file ? `${name}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : name} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  failing.set(name, [...(failing.get(name) ?? []), text]);
}
const known = new Set(
  readFileSync(join(root, '.ci/examples/known-failures.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')),
);
const fresh = [...failing.keys()].filter((f) => !known.has(f));
const fixed = [...known].filter((f) => !failing.has(f));
for (const f of fresh) console.error(failing.get(f).join('\n'));
if (known.size > 0) console.log(`${known.size - fixed.length} known failures left (.ci/examples/known-failures.txt)`);
if (fixed.length > 0)
  console.error(
    `These examples compile now: remove them from .ci/examples/known-failures.txt\n  ${fixed.join('\n  ')}`,
  );
if (fresh.length > 0 || fixed.length > 0) process.exit(1);
console.log(`${n - failing.size} examples compile`);
// Fragments are listed, not failed: they elide code on purpose. Make one whole to have it checked.
if (fragments.length > 0)
  console.log(`${fragments.length} fragments (with \`...\` placeholders) not checked:\n  ${fragments.join('\n  ')}`);
