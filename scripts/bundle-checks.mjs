// The checks and the one source rewrite of scripts/bundle.mjs, apart so unit tests can run them
// (test/unit/scripts/bundle-checks.test.ts).

/**
 * schema.ts loads the precompiled playbook/inventory validators with a require made at run time,
 * which esbuild leaves alone: in the bundle that was a second file to look up, read and compile on
 * every start-up, outside the code cache. The bundle build turns that one call into a plain
 * `require`, so esbuild bundles the validators (still initialised only when first used).
 */
export const SCHEMA_VALIDATORS_REQUIRE = "createRequire(import.meta.url)('./schema-validators.cjs')";

/** The compiled schema.js with its one run-time require of the validators made static. */
export function inlineSchemaValidators(source, file = 'dist/load/schema.js') {
  const parts = source.split(SCHEMA_VALIDATORS_REQUIRE);
  if (parts.length !== 2) {
    throw new Error(
      `scripts/bundle.mjs: expected ${SCHEMA_VALIDATORS_REQUIRE} once in ${file}, found it ${parts.length - 1} times`,
    );
  }
  return parts.join("require('./schema-validators.cjs')");
}

/**
 * Why the bundle must not be written, or undefined. bin/runstate.js runs it with a V8 code cache, and
 * Node 20 drops a vm.Script's import() callback whenever that cache is accepted: an import() left in
 * the bundle fails on every run after the first (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). esbuild
 * inlines our own import()s; a builtin's or an external's stays one, so the sources load those with
 * require. And bin/runstate.js reads the bundle as latin1 (cheaper than UTF-8 decoding), which is
 * exact only for ASCII: esbuild escapes everything else by default (its `charset` option).
 */
export function bundleProblem(text) {
  const leftImport = /\bimport\(\s*["'`][^"'`]*["'`]\s*\)/.exec(text);
  if (leftImport) {
    return `the bundle still holds ${leftImport[0]}; load that module with createRequire in the source instead`;
  }
  const nonAscii = /[^\x00-\x7f]/.exec(text);
  if (nonAscii) {
    const at = nonAscii.index;
    return `the bundle holds a character beyond ASCII (U+${text.codePointAt(at).toString(16).toUpperCase().padStart(4, '0')} at offset ${at}); bin/runstate.js reads it as latin1: keep esbuild's charset ASCII`;
  }
  return undefined;
}
