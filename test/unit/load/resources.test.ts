import { afterAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../src/load/index.js';
import { parseCpuShare, parsePercent, parseSize } from '../../../src/load/resources.js';
import { cleanup, INVENTORY, messagesOf, world } from './helpers.js';

afterAll(cleanup);

async function errorsOf(playbook: string): Promise<string[]> {
  const w = await world(INVENTORY, { 'pb.yml': playbook });
  return messagesOf(loadAll(w.inv, w.pbs), w.dir);
}

describe('resources: and limits:', () => {
  it('reads thresholds on a group, a host overriding them, and limits on a service', async () => {
    const w = await world(INVENTORY, {
      'pb.yml': `version: 1
hosts:
  web:
    resources: { disk: { "/": 90%, "/var/": 80 }, memory: 85%, swap: 50%, load: 4 }
    services:
      nginx: { state: running, limits: { memory: 512M } }
  web2:
    resources: { load: 8 }
`,
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    expect(desired.hosts.web1?.resources).toEqual({
      disk: { '/': 90, '/var': 80 },
      memory: 85,
      swap: 50,
      load: 4,
    });
    expect(desired.hosts.web2?.resources).toEqual({ load: 8 });
    expect(desired.hosts.web1?.services.nginx?.limits).toEqual({ memory: 512 * 1024 * 1024 });
  });

  it('says where a value is wrong and how to write it', async () => {
    expect(
      await errorsOf(`version: 1
hosts:
  web:
    resources:
      disk: { "var": 90%, "/": 150% }
      memory: lots
    services:
      nginx: { state: running, limits: { memory: 12Q } }
`),
    ).toEqual([
      'pb.yml:5:15: error: disk mount "var" is not an absolute path; name the mount point, e.g. disk: { "/": 90%, "/var": 80% }',
      'pb.yml:5:32: error: "150%" is not a percentage between 0 and 100; write it like 90%',
      'pb.yml:6:15: error: "lots" is not a percentage between 0 and 100; write it like 90%',
      'pb.yml:8:50: error: "12Q" is not a memory size; write bytes, or a size like 512M or 2G (K, M, G, T are powers of 1024)',
    ]);
  });

  it('sizes are powers of 1024; percentages with or without %', () => {
    expect([parseSize('512M'), parseSize('2G'), parseSize('1.5GiB'), parseSize(4096)]).toEqual([
      536870912, 2147483648, 1610612736, 4096,
    ]);
    expect([parsePercent('90%'), parsePercent(85), parsePercent('0.5%')]).toEqual([90, 85, 0.5]);
    expect(typeof parsePercent('0%')).toBe('object');
  });

  it('cpu: a share of one core, above 100% for more than one core; a bad one says how to write it', async () => {
    expect([parseCpuShare('50%'), parseCpuShare(150), parseCpuShare('200%'), parseCpuShare('0.5')]).toEqual([
      50, 150, 200, 0.5,
    ]);
    expect(typeof parseCpuShare('0%')).toBe('object');
    expect(typeof parseCpuShare('1 core')).toBe('object');
    const w = await world(INVENTORY, {
      'pb.yml': `version: 1
hosts:
  web:
    services:
      nginx: { state: running, limits: { memory: 512M, cpu: 50% } }
`,
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    expect(desired.hosts.web1?.services.nginx?.limits).toEqual({ memory: 512 * 1024 * 1024, cpu: 50 });
    expect(
      await errorsOf(`version: 1
hosts:
  web:
    services:
      nginx: { state: running, limits: { cpu: half } }
`),
    ).toEqual([
      'pb.yml:5:47: error: "half" is not a CPU share; write a percentage of one core, like 50% (half a core) or 200% (two cores)',
    ]);
  });
});
