#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci` through the "prepare" script). `npm run build`
// also bundles it into dist/bundle/main.cjs (faster start-up: one file instead of ~150, see
// scripts/bundle.mjs); that bundle is used only while it is newer than the plain build, so a later
// `tsc` build is never shadowed.
//
// CommonJS (bin/package.json says so): an ES module entry brings up Node's ES module loader and,
// with it, streams, fs/promises and readline's internals before a line of runstate runs
// (docs/performance.md, "Session 6 — start-up"). The plain build is still ES modules: import().
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const bundlePath = join(dist, 'bundle', 'main.cjs');

function freshBundle() {
  try {
    const bundle = statSync(bundlePath);
    return bundle.mtimeMs >= statSync(join(dist, 'cli', 'main.js')).mtimeMs ? bundle : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The code cache's file: named by the bundle's size and mtime, and by the Node flags of the run when
 * there are any, because V8 rejects a cache made under other flags: runs with and without, say,
 * NODE_OPTIONS=--max-old-space-size would otherwise each reject and rewrite the other's.
 */
function cacheFileName(bundle, stat, execArgv = [], nodeOptions = '') {
  const flags = [...execArgv, nodeOptions.trim()].filter(Boolean).join(' ');
  let hash = 0x811c9dc5; // FNV-1a, 32 bits: no node:crypto at start-up
  for (let i = 0; i < flags.length; i++) hash = Math.imul(hash ^ flags.charCodeAt(i), 0x01000193) >>> 0;
  const tag = flags ? `-${hash.toString(16).padStart(8, '0')}` : '';
  return `${bundle}.${stat.size}-${Math.trunc(stat.mtimeMs)}${tag}.cache`;
}

/**
 * Runs the bundle as `require` would, but compiled with V8's code cache from an earlier run (Node 20
 * has no module.enableCompileCache). V8 checks a cache only against the source's length and its own
 * version and flags, so the cache file is named by the bundle's size and mtime: a rebuilt bundle
 * never meets an old cache. A missing or rejected cache is written after the command has run (then
 * it holds every function the command compiled); a read-only install simply runs without one.
 */
function loadBundle(stat) {
  const cachePath = cacheFileName(bundlePath, stat, process.execArgv, process.env.NODE_OPTIONS);
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  // The bundle is ASCII (scripts/bundle.mjs checks), so latin1 reads it exactly and cheaper than
  // UTF-8; and it is already the function CommonJS would wrap it in (nothing to copy).
  const script = new Script(readFileSync(bundlePath, 'latin1'), {
    filename: bundlePath,
    // No importModuleDynamically: Node 20 loses it once cachedData is accepted, so the bundle holds
    // no import() at all (scripts/bundle.mjs refuses to write one that does).
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(
    module.exports,
    require('node:module').createRequire(bundlePath),
    module,
    bundlePath,
    join(dist, 'bundle'),
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

function run() {
  const stat = freshBundle();
  const loaded = stat
    ? Promise.resolve(loadBundle(stat))
    : import('../dist/cli/main.js').then((m) => ({ main: m.main, saveCache: () => {} }));
  loaded
    .then(({ main, saveCache }) =>
      main(process.argv).then((code) => {
        process.exitCode = code;
        saveCache();
      }),
    )
    .catch((err) => {
      // as an uncaught error in the ES module entry did: the stack on stderr, exit 1
      console.error(err);
      process.exitCode = 1;
    });
}

// Required (by a unit test) rather than run: only the naming.
if (require.main === module) run();
else module.exports = { cacheFileName };
