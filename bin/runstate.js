#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci` through the "prepare" script). `npm run build`
// also bundles it into dist/bundle/ (faster start-up: one file instead of ~150); that bundle is
// used only while it is newer than the plain build, so a later `tsc` build is never shadowed.
import { statSync } from 'node:fs';

function bundleIsFresh() {
  try {
    const bundle = statSync(new URL('../dist/bundle/main.mjs', import.meta.url)).mtimeMs;
    return bundle >= statSync(new URL('../dist/cli/main.js', import.meta.url)).mtimeMs;
  } catch {
    return false;
  }
}

const { main } = await import(bundleIsFresh() ? '../dist/bundle/main.mjs' : '../dist/cli/main.js');
main(process.argv).then((code) => {
  process.exitCode = code;
});
