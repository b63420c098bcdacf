import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  countSummary,
  explainService,
  loadAll,
  loadInventory,
  loadPlaybooks,
} from '../../../src/load/index.js';
import { UserError } from '../../../src/model/source.js';
import { cleanup, FIXTURES, INVENTORY, messagesOf, world } from './helpers.js';

afterAll(cleanup);

const OVERLAP = `all:
  hosts:
    h1:
  children:
    web:
      hosts: {web1: , web2: }
    front:
      hosts: {web1: , web2: }
`;

const SITE = `version: 1
hosts:
  all:
    runlevel: 3
    services:
      ssh: {state: running, enabled: true}
  web:
    services:
      nginx:
        state: running
        enabled: true
        tier: app
  web2:
    runlevel: multi-user.target
    services:
      nginx:
        state: stopped
`;

describe('playbook layering', () => {
  it('all < group < host, field by field, with origins', async () => {
    const w = await world(INVENTORY, { 'pb.yml': SITE });
    const { desired } = await loadAll(w.inv, w.pbs);
    const pb = join(w.dir, 'pb.yml');
    expect(Object.keys(desired.hosts)).toEqual(['db1', 'db2', 'h1', 'h2', 'web1', 'web2']);
    expect(desired.playbooks).toEqual([pb]);
    const nginx = desired.hosts.web2?.services.nginx;
    expect(nginx).toMatchObject({
      state: 'stopped',
      enabled: true,
      tier: 'app',
      manager: 'auto',
      requires: [],
    });
    expect(nginx?.origin.state).toEqual({
      layer: 'host:web2',
      where: { file: pb, line: 17, col: 9 },
      overrode: [{ layer: 'group:web', where: { file: pb, line: 10, col: 9 }, value: 'running' }],
    });
    expect(nginx?.origin.enabled).toEqual({ layer: 'group:web', where: { file: pb, line: 11, col: 9 } });
    expect(desired.hosts.web1?.services.nginx?.state).toBe('running');
    expect(desired.hosts.db1?.services).toHaveProperty('ssh');
    expect(desired.hosts.db1?.runlevel).toEqual({ kind: 'level', level: 3 });
    expect(desired.hosts.web2?.runlevel).toEqual({ kind: 'target', name: 'multi-user.target' });
    expect(countSummary(desired)).toEqual({ services: 8, hosts: 6 });
  });

  it('explains every field of a service: value, layer, place and what it overrode', async () => {
    const w = await world(INVENTORY, { 'pb.yml': SITE });
    const { desired } = await loadAll(w.inv, w.pbs);
    const lines = explainService(desired, 'web2', 'nginx').map((l) => l.split(`${w.dir}/`).join(''));
    expect(lines).toEqual([
      'nginx on web2:',
      '  state: stopped — host:web2, pb.yml:17:9; overrides running (group:web, pb.yml:10:9)',
      '  enabled: true — group:web, pb.yml:11:9',
      '  tier: app — group:web, pb.yml:12:9',
      '  manager: auto — default',
      '  runlevel of web2: multi-user.target — host:web2, pb.yml:14:5; overrides 3 (all, pb.yml:4:5)',
    ]);
    expect(() => explainService(desired, 'web2', 'ngnix')).toThrow(
      new UserError(
        'the playbooks declare no service "ngnix" for host "web2"',
        undefined,
        'did you mean "nginx"?',
      ),
    );
    expect(() => explainService(desired, 'nope', 'x')).toThrow(UserError);
  });

  it('reads the fixture with health checks and group:svc requires', async () => {
    const dir = join(FIXTURES, 'basic');
    const inventory = await loadInventory([join(dir, 'inventory.yml')]);
    const desired = await loadPlaybooks([join(dir, 'playbooks')], inventory);
    const nginx = desired.hosts.web1?.services.nginx;
    expect(nginx?.health).toEqual({ kind: 'http', url: 'http://127.0.0.1/health', timeoutSec: 30 });
    // A group stays one reference (its hosts that declare the service), not one pair per host.
    expect(nginx?.requires).toEqual([
      { raw: 'db:postgresql', group: 'db', service: 'postgresql', hosts: ['db1', 'db2'] },
    ]);
    expect(desired.hosts.db1?.services.postgresql?.health).toEqual({
      kind: 'tcp',
      port: 5432,
      host: '127.0.0.1',
      timeoutSec: 30,
    });
    const lines = explainService(desired, 'web1', 'nginx').map((l) => l.split(`${dir}/`).join(''));
    expect(lines).toContain(
      '  requires: [db:postgresql] → db1:postgresql, db2:postgresql — group:web, playbooks/site.yml:21:9',
    );
    expect(lines).toContain(
      '  health: http http://127.0.0.1/health, timeout 30s — group:web, playbooks/site.yml:22:9',
    );
  });

  it('merges one host key defined in two files', async () => {
    const w = await world(INVENTORY, {
      'a.yml': 'version: 1\nhosts:\n  web1:\n    services:\n      nginx: {state: running}\n',
      'b.yml': 'version: 1\nhosts:\n  web1:\n    services:\n      nginx: {state: running, enabled: false}\n',
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    expect(desired.hosts.web1?.services.nginx).toMatchObject({ state: 'running', enabled: false });
    expect(desired.playbooks.map((f) => f.slice(w.dir.length + 1))).toEqual(['a.yml', 'b.yml']);
  });

  it('health commands become argv; restart and masked are kept', async () => {
    const w = await world(INVENTORY, {
      'pb.yml': `version: 1
hosts:
  h1:
    services:
      a:
        state: running
        restart: {on_change: [/etc/a.conf]}
        health: {command: "pg_isready -h 'db one' -q", timeout: 5}
      b:
        state: running
        health: {command: [sh, -c, "exit 0"]}
      c:
        state: stopped
        masked: true
`,
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    expect(desired.hosts.h1?.services.c).toMatchObject({ state: 'stopped', masked: true });
    expect(desired.hosts.h1?.services.a).toMatchObject({
      restart: { onChange: ['/etc/a.conf'] },
      health: { kind: 'command', argv: ['pg_isready', '-h', 'db one', '-q'], timeoutSec: 5 },
    });
    expect(desired.hosts.h1?.services.b?.health).toEqual({
      kind: 'command',
      argv: ['sh', '-c', 'exit 0'],
      timeoutSec: 30,
    });
  });
});

describe('conflicting desires', () => {
  const twoGroups = (front: string) => `version: 1
hosts:
  web:
    services:
      nginx: {state: running}
  front:
    runlevel: 3
    services:
      nginx: {state: ${front}}
  web1:
    services:
      nginx: {state: running}
`;

  it('two groups disagreeing on a field; the host layer settles it for web1', async () => {
    const w = await world(OVERLAP, { 'pb.yml': `${twoGroups('stopped')}  web:\n    runlevel: 5\n` });
    expect(await messagesOf(loadAll(w.inv, w.pbs), w.dir)).toEqual([
      'pb.yml:13:3: error: duplicate key "web"; first defined at pb.yml:3:3; keep one of them',
      'pb.yml:14:5: error: conflicting desires for the runlevel on hosts "web1" and "web2": 3 (group:front at pb.yml:7:5) vs 5 (group:web at pb.yml:14:5); make the groups agree, or set it for the host itself under "hosts: web1:", which overrides groups',
    ]);
    const w2 = await world(OVERLAP, {
      'pb.yml': twoGroups('stopped'),
      'rl.yml': 'version: 1\nhosts:\n  web:\n    runlevel: 5\n',
    });
    expect(await messagesOf(loadAll(w2.inv, w2.pbs), w2.dir)).toEqual([
      'pb.yml:9:15: error: conflicting desires for "state" of service "nginx" on host "web2": running (group:web at pb.yml:5:15) vs stopped (group:front at pb.yml:9:15); make the groups agree, or set it for the host itself under "hosts: web2:", which overrides groups',
      'rl.yml:4:5: error: conflicting desires for the runlevel on hosts "web1" and "web2": 3 (group:front at pb.yml:7:5) vs 5 (group:web at rl.yml:4:5); make the groups agree, or set it for the host itself under "hosts: web1:", which overrides groups',
    ]);
  });

  it('equal values at the same layer are no conflict', async () => {
    const w = await world(OVERLAP, { 'pb.yml': twoGroups('running') });
    const { desired } = await loadAll(w.inv, w.pbs);
    expect(desired.hosts.web2?.services.nginx?.origin.state?.layer).toBe('group:web');
  });

  it('one host defined twice across files with different values', async () => {
    const w = await world(INVENTORY, {
      'a.yml': 'version: 1\nhosts:\n  web1:\n    services:\n      nginx: {state: running}\n',
      'b.yml': 'version: 1\nhosts:\n  web1:\n    services:\n      nginx: {state: stopped}\n',
    });
    expect(await messagesOf(loadAll(w.inv, w.pbs), w.dir)).toEqual([
      'b.yml:5:15: error: conflicting desires for "state" of service "nginx" on host "web1": running (host:web1 at a.yml:5:15) vs stopped (host:web1 at b.yml:5:15); keep one of the two values',
    ]);
  });
});

describe('problems from inventory and playbooks together', () => {
  it('reports both, and unknown hosts against a usable inventory', async () => {
    const w = await world('all:\n  hosts:\n    web1:\n  varz: {}\n', {
      'pb.yml': 'version: 1\nhosts:\n  web2:\n    services: {}\n  zzz: {}\n',
    });
    expect(await messagesOf(loadAll(w.inv, w.pbs), w.dir)).toEqual([
      'inv.yml:4:3: error: unknown key "varz" in group "all"; did you mean "vars"?',
      'pb.yml:3:3: error: unknown host or group "web2"; did you mean "web1"?',
      'pb.yml:5:3: error: unknown host or group "zzz"; the inventory (inv.yml) has no host or group of that name',
    ]);
  });

  it('an unreadable inventory does not turn every playbook key into an error', async () => {
    const w = await world('all: [\n', {
      'pb.yml': 'version: 1\nhosts:\n  web1: {services: {"a b": {state: running}}}\n',
    });
    expect(await messagesOf(loadAll(w.inv, w.pbs), w.dir)).toEqual([
      'inv.yml:2:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]; check the indentation of this line',
      'pb.yml:3:21: error: service "a b" — names may contain only [A-Za-z0-9@._+-]; did you mean "ab"?',
    ]);
  });
});
