import { describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../../src/drivers/driver.js';
import { ALL_DRIVERS } from '../../../src/drivers/index.js';
import { fixture } from './fixture.js';

/**
 * Golden tables, in the style of pyinfra's tests/operations/*: per driver, one line per case of
 * change (+ what observe found) → the exact argv it runs, or why the manager cannot make it.
 * test/fixtures/drivers/golden/<kind>.json is meant to be read by a reviewer on one screen.
 */
interface Row {
  why?: string;
  change: ChangeRequest;
  argv?: string[][];
  unsupported?: string;
}

describe.each(ALL_DRIVERS.map((d) => [d.kind, d] as const))('golden table: %s', (kind, driver) => {
  const rows = JSON.parse(fixture(`golden/${kind}.json`)) as Row[];

  it('each row has either the argv or the reason it cannot be done', () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row.argv === undefined, JSON.stringify(row)).toBe(row.unsupported !== undefined);
  });

  it.each(
    rows.map((r) => [`${r.change.kind} ${r.change.service ?? r.change.target ?? ''}`.trim(), r] as const),
  )('%s', (_label, row) => {
    expect(driver.unsupported?.(row.change)).toBe(row.unsupported);
    expect(driver.commands(row.change)).toEqual(row.argv ?? []);
  });
});
