import { describe, expect, it } from 'vitest';

/** scripts/bundle-checks.mjs is plain JavaScript (a build script): typed here by hand. */
interface BundleChecks {
  SCHEMA_VALIDATORS_REQUIRE: string;
  inlineSchemaValidators: (source: string, file?: string) => string;
  bundleProblem: (text: string) => string | undefined;
}
const checksPath: string = '../../../scripts/bundle-checks.mjs';
const checks = (await import(checksPath)) as BundleChecks;

describe('bundle build: the schema validators inside the bundle', () => {
  it('turns the one run-time require of the validators into a static one', () => {
    const source = `const a = 1;\nconst mod = ${checks.SCHEMA_VALIDATORS_REQUIRE};\n`;
    expect(checks.inlineSchemaValidators(source)).toBe(
      "const a = 1;\nconst mod = require('./schema-validators.cjs');\n",
    );
  });

  it('refuses a schema.js where the require is missing or there twice (the source changed)', () => {
    expect(() =>
      checks.inlineSchemaValidators('const mod = require("./x.cjs");', 'dist/load/schema.js'),
    ).toThrow(/once in dist\/load\/schema\.js, found it 0 times/);
    const twice = `${checks.SCHEMA_VALIDATORS_REQUIRE};${checks.SCHEMA_VALIDATORS_REQUIRE}`;
    expect(() => checks.inlineSchemaValidators(twice)).toThrow(/found it 2 times/);
  });

  it('matches what src/load/schema.ts compiles to', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../../src/load/schema.ts', import.meta.url), 'utf8');
    expect(source.split(checks.SCHEMA_VALIDATORS_REQUIRE)).toHaveLength(2);
  });
});

describe('bundle build: what the bundle may not hold', () => {
  it('accepts plain ASCII code with require and escaped strings', () => {
    expect(checks.bundleProblem('var a=require("node:fs"),b="\\u00e9";function c(){return a.import}')).toBe(
      undefined,
    );
  });

  it('refuses an import() of a module (lost with the code cache on Node 20)', () => {
    expect(checks.bundleProblem('x=await import("node:readline")')).toMatch(
      /still holds import\("node:readline"\); load that module with createRequire/,
    );
    expect(checks.bundleProblem("x=import( 'ssh2' )")).toMatch(/import\( 'ssh2' \)/);
  });

  it('refuses a character beyond ASCII (bin/runstate.js reads the bundle as latin1), saying where', () => {
    expect(checks.bundleProblem('var a="caf\u00e9"')).toMatch(/U\+00E9 at offset 10/);
    expect(checks.bundleProblem('var a="\u{1F600}"')).toMatch(/U\+1F600 at offset 7/);
  });
});
