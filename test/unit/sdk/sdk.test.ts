import { describe, expect, it } from 'vitest';
import { EventQueue, loadFleet, plan, type RunstateEvent, UserError } from '../../../src/sdk/index.js';

const at = '2026-12-02T00:00:00.000Z';

describe('the SDK without hosts', () => {
  it('refuses a relative path without cwd instead of reading the process directory', async () => {
    await expect(loadFleet({ inventory: 'inventory/', playbooks: 'playbooks/site.yml' })).rejects.toThrow(
      UserError,
    );
    await expect(loadFleet({ inventory: 'inventory/', playbooks: 'playbooks/site.yml' })).rejects.toThrow(
      /inventory path "inventory\/" is relative and no cwd was given/,
    );
  });

  it('loads the example fleet and plans from a saved observation, purely', async () => {
    const fleet = await loadFleet({
      inventory: 'inventory/crm.yml',
      playbooks: 'playbooks/site.yml',
      cwd: new URL('../../..', import.meta.url).pathname,
    });
    expect(Object.keys(fleet.desired.hosts).length).toBeGreaterThan(1);
    const { readFile } = await import('node:fs/promises');
    const observed = JSON.parse(
      await readFile(new URL('../../../examples/observed/crm.json', import.meta.url), 'utf8'),
    );
    const planned = plan({ fleet, observed, at });
    expect(planned.refused).toBe(false);
    expect(planned.plan.version).toBe(1);
    expect(planned.plan.steps.length).toBeGreaterThan(0);
    expect(planned.inventory).toBe(fleet.inventory);
  });

  it('events: buffered until read, in order, and the iteration ends with the run', async () => {
    const q = new EventQueue();
    const record = (n: number): RunstateEvent => ({ type: 'record', at, source: 'test', record: { n } });
    q.push(record(1));
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const e of q) if (e.type === 'record') seen.push(e.record.n);
    })();
    q.push(record(2));
    q.end();
    q.push(record(3)); // after the end: dropped
    await reading;
    expect(seen).toEqual([1, 2]);
  });
});
