// Build step after tsc and build-validators: bundles the compiled CLI (dist/cli/main.js and the
// npm packages it uses, except ssh2 with its optional native parts) into dist/bundle/, one chunk
// per lazily imported command. Start-up was mostly module loading: the yaml package alone is
// ~40 files, and each file costs several file system calls before it runs. bin/runstate.js uses
// the bundle only while it is newer than dist/cli/main.js (a later plain `tsc` build wins).
import { copyFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const dist = new URL('../dist/', import.meta.url);
rmSync(new URL('bundle/', dist), { recursive: true, force: true });
await build({
  entryPoints: { main: new URL('cli/main.js', dist).pathname },
  outdir: new URL('bundle/', dist).pathname,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'ajv'],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __rsRequire } from 'node:module'; const require = __rsRequire(import.meta.url);" },
  logLevel: 'warning',
});
// schema.ts loads the precompiled validators next to itself (src/load/schema.ts).
copyFileSync(new URL('load/schema-validators.cjs', dist), new URL('bundle/schema-validators.cjs', dist));
copyFileSync(new URL('cli/json-validators.cjs', dist), new URL('bundle/json-validators.cjs', dist));
