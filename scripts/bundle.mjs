// Build step after tsc and build-validators: bundles the compiled CLI (dist/cli/main.js and the
// npm packages it uses, except ssh2 with its optional native parts, and ajv) into ONE CommonJS file,
// dist/bundle/main.cjs. bin/runstate.js runs it through vm.Script with a V8 code cache beside it,
// and only while it is newer than dist/cli/main.js (a later plain `tsc` build wins).
//
// Why this shape (docs/performance.md, "Session 5 — start-up and observe"): start-up was module
// loading. One file instead of ~150 (the yaml package alone is ~40 files, each several slow file
// system calls here); CommonJS because only a classic script can take V8's code cache on Node 20
// (no module.enableCompileCache before Node 22.1, and ES modules take no cachedData); minified
// because on this kind of machine reading and decoding the file costs about as much as compiling it. Commands
// stay lazy: esbuild turns each `await import('./validate.js')` into a module initialised when the
// command runs, so `validate` still runs none of ssh2's, the drivers' or the executor's top level.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const dist = new URL('../dist/', import.meta.url);

/**
 * commander requires `child_process` at its top level (for executable subcommands, which runstate
 * has none of); loading it pulls Node's `net`, `dgram` and streams into every start-up. commander
 * gets a stand-in that loads the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'rs-lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'rs-lazy' }, () => ({
      contents:
        "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

rmSync(new URL('bundle/', dist), { recursive: true, force: true }); // old code caches go with it
await build({
  entryPoints: { main: new URL('cli/main.js', dist).pathname },
  outdir: new URL('bundle/', dist).pathname,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'ajv'],
  minify: true,
  // Functions and classes keep their names (stack traces, error names) though local names shrink.
  keepNames: true,
  // The sources find schemas/ and the precompiled validators relative to import.meta.url; in the
  // bundle that is the bundle's own URL (dist/bundle/ is two levels below the root, like dist/load/).
  define: { 'import.meta.url': '__rsImportMetaUrl' },
  banner: { js: "var __rsImportMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcessForCommander],
  logLevel: 'warning',
});
// bin/runstate.js runs the bundle with a V8 code cache, and Node 20 drops a vm.Script's import()
// callback whenever that cache is accepted: an import() left in the bundle fails on every run after
// the first (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). esbuild inlines our own import()s; a builtin's
// or an external's stays one, so the sources load those with require.
const bundled = readFileSync(new URL('bundle/main.cjs', dist), 'utf8');
const leftImport = /\bimport\(\s*["'`][^"'`]*["'`]\s*\)/.exec(bundled);
if (leftImport) {
  console.error(`scripts/bundle.mjs: the bundle still holds ${leftImport[0]}; load that module with createRequire in the source instead`);
  process.exit(1);
}
// schema.ts and json-input.ts load the precompiled validators next to themselves. Each is bundled
// with the few ajv runtime helpers it requires (no node_modules look-ups at start-up) and minified;
// the schema texts they carry, compared with schemas/, are string values and stay as they were.
for (const [from, to] of [
  ['load/schema-validators.cjs', 'schema-validators.cjs'],
  ['cli/json-validators.cjs', 'json-validators.cjs'],
]) {
  await build({
    entryPoints: [new URL(from, dist).pathname],
    outfile: new URL(`bundle/${to}`, dist).pathname,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    logLevel: 'warning',
  });
}
