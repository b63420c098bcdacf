import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hostDigest } from '../../../src/plan/digest.js';
import { ohost, osvc } from './helpers.js';

/*
 * hostDigest writes plain data itself instead of through the canonicalize library (issue 15);
 * the text, and so every digest of a saved plan, must stay the library's, errors included.
 */

/** What a call gives: its text, or the message it throws. */
function outcome(f: () => string | undefined): { text?: string | undefined; error?: string } {
  try {
    return { text: f() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const same = (v: unknown): void => {
  expect(outcome(() => canonicalJson(v))).toEqual(outcome(() => canonicalize(v)));
};

describe('canonicalJson', () => {
  it('is canonicalize on JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), same), { numRuns: 500 });
  });

  it('is canonicalize on anything, at any depth', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withDate: true,
          withNullPrototype: true,
          withSparseArray: true,
          withBigInt: true,
          withMap: true,
          withSet: true,
          withObjectString: true,
          withTypedArray: true,
          withUnicodeString: true,
        }),
        same,
      ),
      { numRuns: 500 },
    );
  });

  it('is canonicalize on strings of any UTF-16, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => same({ [s]: s, list: [s] })),
      { numRuns: 500 },
    );
    same('\ud800');
    same({ '\udc00': 1 });
    same('a\ud83d\ude00b"\\\u0000\u001f\u007f\u2028');
  });

  it('is canonicalize on what the library alone judges', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const deep: unknown[] = [];
    let at = deep;
    for (let i = 0; i < 100; i++) {
      const next: unknown[] = [];
      at.push(next);
      at = next;
    }
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
    const holes = [1, , 3];
    for (const v of [
      cycle,
      deep,
      holes,
      { x: Number.NaN },
      [Number.POSITIVE_INFINITY],
      { f: () => 1, u: undefined, s: Symbol('s') },
      [undefined, Symbol('s'), () => 1],
      { when: new Date(0) },
      { toJSON: () => ({ b: 2, a: 1 }) },
      Object.assign([1, 2], { toJSON: () => 'list' }),
      { n: -0, e: 1e21, small: 5e-7, 10: 'ten', 9: 'nine', b: true, z: null },
      undefined,
    ]) {
      same(v);
    }
  });

  it('gives the digest canonicalize gave', () => {
    const host = ohost('db1', [osvc('pg', 'active', 'enabled'), osvc('q"uote', 'failed', 'disabled')]);
    const text = canonicalize(host) as string;
    expect(hostDigest(host)).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
  });
});
