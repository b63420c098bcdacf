#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci` through the "prepare" script). `npm run build`
// also bundles it into dist/bundle/main.cjs (faster start-up: one file instead of ~150, see
// scripts/bundle.mjs); that bundle is used only while it is newer than the plain build, so a later
// `tsc` build is never shadowed.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundleUrl = new URL('../dist/bundle/main.cjs', import.meta.url);

function freshBundle() {
  try {
    const bundle = statSync(bundleUrl);
    return bundle.mtimeMs >= statSync(new URL('../dist/cli/main.js', import.meta.url)).mtimeMs
      ? bundle
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the bundle as `require` would, but compiled with V8's code cache from an earlier run (Node 20
 * has no module.enableCompileCache). V8 checks a cache only against the source's length and its own
 * version and flags, so the cache file is named by the bundle's size and mtime: a rebuilt bundle
 * never meets an old cache. A missing or rejected cache is written after the command has run (then
 * it holds every function the command compiled); a read-only install simply runs without one.
 */
function loadBundle(stat) {
  const path = fileURLToPath(bundleUrl); // not .pathname: a directory with a space is %20 there
  const require = createRequire(bundleUrl);
  const cachePath = `${path}.${stat.size}-${Math.trunc(stat.mtimeMs)}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(path, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: path,
    // No importModuleDynamically: Node 20 loses it once cachedData is accepted, so the bundle holds
    // no import() at all (scripts/bundle.mjs refuses to write one that does).
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(
    module.exports,
    require,
    module,
    path,
    fileURLToPath(new URL('.', bundleUrl)).replace(/\/$/, ''),
  );
  const saveCache = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      const tmp = `${cachePath}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cachePath); // whole or not at all, whatever other runs do at the same time
    } catch {
      // not writable here: the next run compiles the bundle again, as without a cache
    }
  };
  return { main: module.exports.main, saveCache };
}

const stat = freshBundle();
const { main, saveCache } = stat
  ? loadBundle(stat)
  : { ...(await import('../dist/cli/main.js')), saveCache: () => {} };
main(process.argv).then((code) => {
  process.exitCode = code;
  saveCache();
});
