import { afterAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../src/load/index.js';
import { cleanup, INVENTORY, messagesOf, world } from './helpers.js';

afterAll(cleanup);

async function load(playbook: string) {
  const w = await world(INVENTORY, { 'pb.yml': playbook });
  return { w, run: loadAll(w.inv, w.pbs) };
}

async function errorsOf(playbook: string): Promise<string[]> {
  const { w, run } = await load(playbook);
  return messagesOf(run, w.dir);
}

describe('requires', () => {
  it('resolves "svc", "host:svc" and "group:svc" (every host of the group that declares it)', async () => {
    const { run } = await load(`version: 1
hosts:
  db:
    services:
      postgresql: {state: running}
  db1:
    services:
      backup: {state: running}
  web:
    services:
      redis: {state: running}
      app:
        state: running
        requires: [redis, "db:postgresql", "db1:backup", "all:backup", "db:postgresql"]
`);
    const { desired } = await run;
    // A group is one reference shared by every service that names it, not a pair per host.
    const app = desired.hosts.web2?.services.app;
    expect(app?.requires).toEqual([
      { raw: 'redis', host: 'web2', service: 'redis' },
      { raw: 'db:postgresql', group: 'db', service: 'postgresql', hosts: ['db1', 'db2'] },
      { raw: 'db1:backup', host: 'db1', service: 'backup' },
      { raw: 'all:backup', group: 'all', service: 'backup', hosts: ['db1'] },
    ]);
    expect(app?.requires[1]).toBe(desired.hosts.web1?.services.app?.requires[1]);
  });

  it('keeps each target once in a long list too, and a cycle points at its first item', async () => {
    const { w, run } = await load(`version: 1
hosts:
  h1:
    services:
      a: {state: running}
      b: {state: running}
      c: {state: running}
      d: {state: running, requires: [a, b, "h1:a", "all:a", c, "h2:e", a, "all:a", b, "h2:e"]}
  h2:
    services:
      e: {state: running, requires: ["h1:d"]}
`);
    expect(await messagesOf(run, w.dir)).toEqual([
      'pb.yml:8:64: error: dependency cycle: h1:d → h2:e → h1:d; remove one of these requires',
    ]);
    const long = await load(`version: 1
hosts:
  h1:
    services:
      a: {state: running}
      b: {state: running}
      c: {state: running}
      d: {state: running, requires: [a, b, "h1:a", "all:a", c, "h2:e", a, "all:a", b, "h2:e"]}
  h2:
    services:
      e: {state: running}
`);
    const { desired } = await long.run;
    expect(desired.hosts.h1?.services.d?.requires.map((r) => r.raw)).toEqual([
      'a',
      'b',
      'all:a',
      'c',
      'h2:e',
    ]);
  });

  it('names what is missing, each at its item', async () => {
    expect(
      await errorsOf(`version: 1
hosts:
  db1:
    services:
      postgresql: {state: running}
  web:
    services:
      app:
        state: running
        requires:
          - "dbx:postgresql"
          - "db:mysql"
          - "db1:postgresq"
          - "db1:mysql"
          - redis
          - ":x"
          - "db:bad name"
`),
    ).toEqual([
      'pb.yml:11:13: error: requires "dbx:postgresql": no host or group "dbx" in the inventory; did you mean "db"?',
      'pb.yml:12:13: error: requires "db:mysql": no host of group "db" declares service "mysql"; declare it for the group (under "hosts: db:") or for one of its hosts',
      'pb.yml:13:13: error: requires "db1:postgresq": host "db1" declares no service "postgresq"; did you mean "postgresql"?',
      'pb.yml:14:13: error: requires "db1:mysql": host "db1" declares no service "mysql"; declare it in a playbook under "hosts: db1:" (or a group of db1)',
      'pb.yml:15:13: error: requires "redis": hosts "web1" and "web2" declare no service "redis"; declare it for the same host, or write "host:service" or "group:service" for one elsewhere',
      'pb.yml:16:13: error: requires ":x" has nothing before ":"; write "service", "host:service" or "group:service"',
      'pb.yml:17:13: error: service "bad name" — names may contain only [A-Za-z0-9@._+-]; did you mean "badname"?',
    ]);
  });

  it('a required service whose own declaration is broken is reported once, not twice', async () => {
    expect(
      await errorsOf(`version: 1
hosts:
  web1:
    services:
      db: {state: up}
      app: {state: running, requires: [db]}
`),
    ).toEqual(['pb.yml:5:19: error: "state" must be running or stopped (got a string)']);
  });
});

describe('dependency cycles', () => {
  it('prints the whole cycle across hosts, at the first requires of it', async () => {
    expect(
      await errorsOf(`version: 1
hosts:
  h2:
    services:
      app: {state: running, requires: ["h1:db"]}
  h1:
    services:
      db: {state: running, requires: ["h2:app"]}
`),
    ).toEqual(['pb.yml:8:39: error: dependency cycle: h1:db → h2:app → h1:db; remove one of these requires']);
  });

  it('self-requires, group expansion and independent cycles', async () => {
    expect(
      await errorsOf(`version: 1
hosts:
  db:
    services:
      pg: {state: running, requires: ["web:app"]}
  web:
    services:
      app: {state: running, requires: ["db:pg", app]}
  h1:
    services:
      a: {state: running, requires: [b]}
      b: {state: running, requires: [a]}
`),
    ).toEqual([
      'pb.yml:5:39: error: dependency cycle: db1:pg → web1:app → db1:pg; remove one of these requires',
      'pb.yml:8:49: error: dependency cycle: web1:app → web1:app; remove one of these requires',
      'pb.yml:11:38: error: dependency cycle: h1:a → h1:b → h1:a; remove one of these requires',
    ]);
  });
});
