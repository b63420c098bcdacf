import { describe, expect, it } from 'vitest';
import { selectHosts } from '../../../src/cli/limit.js';
import { loadInventory } from '../../../src/load/index.js';

describe('--limit', async () => {
  const inv = await loadInventory(['inventory/crm.yml']);
  const sel = (p?: string) => [...selectHosts(inv, p)].sort();

  it('selects everything without a pattern', () => {
    expect(sel()).toEqual(['app1', 'app2', 'crm1', 'db1', 'proxy1']);
  });

  it('takes hosts, groups, globs, exclusions and intersections', () => {
    expect(sel('db1')).toEqual(['db1']);
    expect(sel('app')).toEqual(['app1', 'app2']);
    expect(sel('app*,db1')).toEqual(['app1', 'app2', 'db1']);
    expect(sel('all,!app')).toEqual(['crm1', 'db1', 'proxy1']);
    expect(sel('app,&app2')).toEqual(['app2']);
  });

  it('says what exists when nothing matches', () => {
    expect(() => sel('nosuch')).toThrow(/matches no host in the inventory/);
  });
});
