// Build step after tsc and build-validators: bundles the compiled CLI (dist/cli/main.js and the
// npm packages it uses, except ssh2 with its optional native parts, and ajv's compiler; with the
// precompiled schema validators) into ONE CommonJS file, dist/bundle/main.cjs, already wrapped in
// the CommonJS module function. bin/runstate.js runs it through vm.Script with a V8 code cache
// beside it, and only while it is newer than dist/cli/main.js (a later plain `tsc` build wins).
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
import { bundleProblem, inlineSchemaValidators } from './bundle-checks.mjs';

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

/** schema.ts's precompiled validators go into the bundle, inside its code cache (bundle-checks.mjs). */
const bundledSchemaValidators = {
  name: 'bundled-schema-validators',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]load[\\/]schema\.js$/ }, (args) => ({
      contents: inlineSchemaValidators(readFileSync(args.path, 'utf8'), args.path),
      loader: 'js',
    }));
  },
};

/**
 * ajv's compiler stays outside the bundle (the precompiled validators make it rare: a schema file
 * edited after the build, json-input's fallback, history files); the small runtime helper the
 * precompiled validators require is bundled with them.
 */
const externalAjvCompiler = {
  name: 'external-ajv-compiler',
  setup(b) {
    b.onResolve({ filter: /^ajv($|\/dist\/2020\.js$)/ }, (args) => ({ path: args.path, external: true }));
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
  external: ['ssh2'],
  minify: true,
  // Functions and classes keep their names (stack traces, error names) though local names shrink.
  keepNames: true,
  // The sources find schemas/ and the precompiled validators relative to import.meta.url; in the
  // bundle that is the bundle's own URL (dist/bundle/ is two levels below the root, like dist/load/).
  define: { 'import.meta.url': '__rsImportMetaUrl' },
  // The file is the function CommonJS wraps a module in, ready for bin/runstate.js's vm.Script: no
  // copy of 700 KB of source to wrap it at every start-up (not loadable with plain `require`).
  banner: {
    js: "(function (exports, require, module, __filename, __dirname) {var __rsImportMetaUrl=require('node:url').pathToFileURL(__filename).href;",
  },
  footer: { js: '})' },
  plugins: [lazyChildProcessForCommander, bundledSchemaValidators, externalAjvCompiler],
  logLevel: 'warning',
});
const problem = bundleProblem(readFileSync(new URL('bundle/main.cjs', dist), 'utf8'));
if (problem) {
  console.error(`scripts/bundle.mjs: ${problem}`);
  process.exit(1);
}
// json-input.ts loads its precompiled validators next to itself (only `plan --observed` and
// `apply --plan` use them, so they stay out of main.cjs). Bundled with the few ajv runtime helpers
// they require (no node_modules look-ups) and minified; the schema texts they carry, compared with
// schemas/, are string values and stay as they were.
await build({
  entryPoints: [new URL('cli/json-validators.cjs', dist).pathname],
  outfile: new URL('bundle/json-validators.cjs', dist).pathname,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
});
