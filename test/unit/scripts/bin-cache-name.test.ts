import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/** bin/runstate.js, required rather than run, gives its cache naming only. */
const { cacheFileName } = createRequire(import.meta.url)('../../../bin/runstate.js') as {
  cacheFileName: (
    bundle: string,
    stat: { size: number; mtimeMs: number },
    execArgv?: string[],
    nodeOptions?: string,
  ) => string;
};

const stat = { size: 687085, mtimeMs: 1796226194729.6 };
const bundle = '/opt/run state/dist/bundle/main.cjs';

describe('bin/runstate.js: the code cache file name', () => {
  it('is the bundle, its size and mtime when Node runs without flags', () => {
    expect(cacheFileName(bundle, stat, [], undefined)).toBe(`${bundle}.687085-1796226194729.cache`);
    expect(cacheFileName(bundle, stat, [], '  ')).toBe(`${bundle}.687085-1796226194729.cache`);
  });

  it('changes with the bundle', () => {
    expect(cacheFileName(bundle, { ...stat, size: 687086 })).not.toBe(cacheFileName(bundle, stat));
    expect(cacheFileName(bundle, { ...stat, mtimeMs: 1 })).not.toBe(cacheFileName(bundle, stat));
  });

  it('has a tag per set of Node flags (V8 rejects a cache made under other flags)', () => {
    const plain = cacheFileName(bundle, stat);
    const big = cacheFileName(bundle, stat, [], '--max-old-space-size=4096');
    expect(big).toMatch(/\.687085-1796226194729-[0-9a-f]{8}\.cache$/);
    expect(big).not.toBe(plain);
    expect(cacheFileName(bundle, stat, ['--max-old-space-size=4096'])).toBe(big);
    expect(cacheFileName(bundle, stat, [], '--max-old-space-size=2048')).not.toBe(big);
    expect(cacheFileName(bundle, stat, ['--single-threaded-gc'], '--max-old-space-size=4096')).not.toBe(big);
  });
});
