import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../src/load/index.js';
import { cleanup, INVENTORY, messagesOf, problemsOf, world } from './helpers.js';

afterAll(cleanup);

/** The formatted problems of one playbook `pb.yml` against the shared inventory. */
async function errorsOf(playbook: string): Promise<string[]> {
  const w = await world(INVENTORY, { 'pb.yml': playbook });
  return messagesOf(loadAll(w.inv, w.pbs), w.dir);
}

const svc = (body: string) => `version: 1
hosts:
  web:
    services:
${body}`;

describe('playbook: user units and masks', () => {
  it('user: names a systemd user unit of that login, kept apart from the system unit', async () => {
    const w = await world(INVENTORY, {
      'pb.yml': svc(
        '      syncthing:\n        state: running\n        user: alice\n      ssh:\n        state: running\n',
      ),
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    const web = desired.hosts.web1?.services ?? {};
    expect(web.syncthing).toMatchObject({ name: 'syncthing', user: 'alice', manager: 'auto' });
    expect(web.ssh?.user).toBeUndefined();
  });

  it('user: must be a login name, and goes with no manager but systemd', async () => {
    expect(await errorsOf(svc('      sync:\n        state: running\n        user: Alice Smith\n'))).toEqual([
      'pb.yml:7:15: error: user "Alice Smith" is not a login name; name the login whose systemd user unit this is, as useradd takes it: lower-case letters, digits, "_" and "-", starting with a letter or "_", at most 32 (e.g. alice)',
    ]);
    expect(await errorsOf(svc('      sync:\n        state: running\n        user: ../root\n'))).toHaveLength(
      1,
    );
    expect(
      await errorsOf(
        svc('      sync:\n        state: running\n        manager: sysv\n        user: alice\n'),
      ),
    ).toEqual([
      'pb.yml:8:9: error: user: "alice" asks for a user unit, but manager: sysv runs no per-user managers; for alice\'s own unit drop manager: (or set manager: systemd); for the sysv service drop user:',
    ]);
    const w = await world(INVENTORY, {
      'pb.yml': svc('      sync:\n        state: running\n        manager: systemd\n        user: alice\n'),
    });
    expect((await loadAll(w.inv, w.pbs)).desired.hosts.web2?.services.sync?.user).toBe('alice');
  });

  it('masked: true goes with state: stopped and without enabled: true', async () => {
    expect(await errorsOf(svc('      a:\n        state: running\n        masked: true\n'))).toEqual([
      'pb.yml:7:9: error: masked: true with state: running: a masked service cannot start; set state: stopped, or drop masked: true',
    ]);
    expect(
      await errorsOf(svc('      a:\n        state: stopped\n        enabled: true\n        masked: true\n')),
    ).toEqual([
      'pb.yml:8:9: error: masked: true with enabled: true: a masked service cannot start at boot; drop enabled: true (masked implies disabled)',
    ]);
  });
});

describe('playbook: YAML and schema', () => {
  it('malformed YAML', async () => {
    expect(await errorsOf('version: 1\nhosts:\n  web: {services: {a: {state: running}\n')).toEqual([
      'pb.yml:4:1: error: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }; check the indentation of this line',
    ]);
  });

  it('duplicate keys', async () => {
    expect(
      await errorsOf(svc('      nginx:\n        state: running\n      nginx:\n        state: stopped\n')),
    ).toEqual(['pb.yml:7:7: error: duplicate key "nginx"; first defined at pb.yml:5:7; keep one of them']);
  });

  it('an empty file, or a list instead of a mapping', async () => {
    expect(await errorsOf('# nothing yet\n')).toEqual([
      'pb.yml:1:1: error: the playbook is empty; start it with "version: 1" and "hosts:"',
    ]);
    expect(await errorsOf('- web\n')).toEqual([
      'pb.yml:1:1: error: the playbook must be a mapping (got a list); write it as a mapping ("key: value" lines), not a list',
    ]);
  });

  it('version other than 1, and missing keys', async () => {
    expect(await errorsOf('version: 2\nhosts: {}\n')).toEqual([
      'pb.yml:1:10: error: "version" must be 1 (got 2); this runstate reads version 1 files',
    ]);
    expect(await errorsOf('hosts: {}\n')).toEqual([
      'pb.yml:1:1: error: the playbook is missing "version"; add "version: 1"',
    ]);
  });

  it('unknown keys with did-you-mean, wrong types and enums: every problem of the file', async () => {
    expect(
      await errorsOf(
        svc(`      nginx:
        stat: running
        enabled: "yes"
        tier: databse
        manager: systemv
        requires: db:postgresql
      redis:
        state: runing
        health:
          tcp: "6379"
          timeout: 0
          extra: 1
  db:
    runlevels: 3
`),
      ),
    ).toEqual([
      'pb.yml:5:7: error: service "nginx" is missing "state"; add "state: running" or "state: stopped"',
      'pb.yml:6:9: error: unknown key "stat" in service "nginx"; did you mean "state"?',
      'pb.yml:7:18: error: "enabled" must be true or false (got a string); write true or false, without quotes',
      'pb.yml:8:15: error: "tier" must be database, app, network or main (got a string); did you mean "database"?',
      'pb.yml:9:18: error: "manager" must be auto, systemd, sysv, openrc, upstart, supervisord, docker or podman (got a string); did you mean "systemd"?',
      'pb.yml:10:19: error: "requires" must be a list (got a string)',
      'pb.yml:12:16: error: "state" must be running or stopped (got a string); did you mean "running"?',
      'pb.yml:14:16: error: "tcp" must be an integer from 1 to 65535 (got a string); write the number without quotes',
      'pb.yml:15:20: error: "timeout" must be a number greater than 0 and at most 86400 (got 0)',
      'pb.yml:16:11: error: unknown key "extra" in the health of service "redis"; expected "tcp", "host", "http", "command" or "timeout"',
      'pb.yml:18:5: error: unknown key "runlevels" in hosts entry "db"; did you mean "runlevel"?',
    ]);
  });

  it('health needs exactly one check, and host only with tcp', async () => {
    expect(
      await errorsOf(
        svc(`      a:
        state: running
        health: {timeout: 5}
      b:
        state: running
        health: {tcp: 80, http: "http://x/"}
      c:
        state: running
        health: {http: "ftp://x/", host: db}
      d:
        state: running
        health: {command: []}
`),
      ),
    ).toEqual([
      'pb.yml:7:17: error: health needs exactly one of tcp, http or command',
      'pb.yml:10:17: error: health needs exactly one of tcp, http or command',
      'pb.yml:13:24: error: http must be an http:// or https:// URL (got a string)',
      'pb.yml:13:36: error: "host" is only used together with "tcp"',
      'pb.yml:16:27: error: "command" must not be empty',
    ]);
  });

  it('a playbook that does not exist', async () => {
    const w = await world(INVENTORY, {});
    const problems = await problemsOf(loadAll(w.inv, [join(w.dir, 'nope.yml')]));
    expect(problems).toEqual([
      {
        where: { file: join(w.dir, 'nope.yml'), line: 0, col: 0 },
        message: 'no such file',
        hint: 'check the playbook path (relative paths start from the current directory)',
      },
    ]);
  });
});

describe('playbook: service names', () => {
  const names = [
    ['"pg sql"', 'service "pg sql" — names may contain only [A-Za-z0-9@._+-]; did you mean "pgsql"?'],
    ['"-x"', 'service "-x" — names must start with a letter or digit; did you mean "x"?'],
    [
      '"a;rm -rf /"',
      'service "a;rm -rf /" — names may contain only [A-Za-z0-9@._+-]; did you mean "arm-rf"?',
    ],
    ['"$(id)"', 'service "$(id)" — names may contain only [A-Za-z0-9@._+-]; did you mean "id"?'],
    ['"`id`"', 'service "`id`" — names may contain only [A-Za-z0-9@._+-]; did you mean "id"?'],
    ['"it\'s"', 'service "it\'s" — names may contain only [A-Za-z0-9@._+-]; did you mean "its"?'],
    ['"a\\nb"', 'service "a\\nb" — names may contain only [A-Za-z0-9@._+-]; did you mean "ab"?'],
    ['"!!!"', 'service "!!!" — names may contain only [A-Za-z0-9@._+-]; use letters, digits and @._+-'],
    [
      `${'a'.repeat(256)}`,
      `service "${'a'.repeat(256)}" — names are at most 255 characters; did you mean "${'a'.repeat(255)}"?`,
    ],
  ];
  for (const [name, message] of names) {
    it(`refuses ${name?.slice(0, 20)}`, async () => {
      expect(await errorsOf(svc(`      ${name}:\n        state: running\n`))).toEqual([
        `pb.yml:5:7: error: ${message}`,
      ]);
    });
  }

  it('accepts templated unit names like getty@tty1 and dotted names', async () => {
    const w = await world(INVENTORY, {
      'pb.yml': svc('      getty@tty1:\n        state: running\n      php8.2-fpm:\n        state: stopped\n'),
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    expect(Object.keys(desired.hosts.web1?.services ?? {})).toEqual(['getty@tty1', 'php8.2-fpm']);
  });
});

describe('playbook: health commands', () => {
  const shell = [
    ['pg_isready | grep ok', '|'],
    ['a; b', ';'],
    ['a && b', '&&'],
    ['a > /tmp/x', '>'],
    ['echo $(id)', '$(…)'],
    ['echo `id`', 'backticks'],
    ['echo $HOME', '$HOME'],
    ['ls *.pid', 'glob *.pid'],
  ];
  for (const [command, what] of shell) {
    it(`refuses ${command}`, async () => {
      const body = `      a:\n        state: running\n        health:\n          command: ${JSON.stringify(command)}\n`;
      expect(await errorsOf(svc(body))).toEqual([
        `pb.yml:8:20: error: health command ${JSON.stringify(command)} uses shell syntax (${what}); it is never run through a shell: write plain words (command: ["pg_isready", "-q"]) or put the shell code in a script on the host`,
      ]);
    });
  }
});

describe('playbook: runlevels', () => {
  const never = 'runstate never halts, reboots or suspends hosts; ';
  const refused = [
    ['0', `runlevel 0 halts the host; ${never}`],
    ['6', `runlevel 6 reboots the host; ${never}`],
    ['reboot.target', `runlevel "reboot.target" reboots the host; ${never}`],
    ['poweroff.target', `runlevel "poweroff.target" powers the host off; ${never}`],
    ['halt.target', `runlevel "halt.target" halts the host; ${never}`],
    // The list: an alias of reboot.target, the manager's exit, OpenRC's halt and boot stages.
    ['ctrl-alt-del.target', `runlevel "ctrl-alt-del.target" reboots the host; ${never}`],
    ['exit.target', `runlevel "exit.target" stops the service manager; ${never}`],
    ['shutdown', `runlevel "shutdown" is the OpenRC halt stage; ${never}`],
    ['sysinit', `runlevel "sysinit" is the OpenRC boot stage; ${never}`],
    ['suspend.target', `runlevel "suspend.target" suspends the host; ${never}`],
    ['7', 'runlevel 7 does not exist; '],
  ];
  const choices =
    'use 1-5, multi-user.target, graphical.target, rescue.target, emergency.target, an OpenRC runlevel (default, boot, nonetwork, single), or { target: NAME, custom: true } for a runlevel or target of your own';
  for (const [value, message] of refused) {
    it(`refuses ${value}`, async () => {
      expect(await errorsOf(`version: 1\nhosts:\n  web:\n    runlevel: ${value}\n`)).toEqual([
        `pb.yml:4:15: error: ${message}${choices}`,
      ]);
    });
  }

  it('a target outside the allowlist needs the explicit opt-in, which never admits the reboot family', async () => {
    expect(await errorsOf('version: 1\nhosts:\n  web:\n    runlevel: kiosk.target\n')).toEqual([
      `pb.yml:4:15: error: runlevel "kiosk.target" is not one runstate knows to keep the host running; if it is your own, write runlevel: { target: "kiosk.target", custom: true }; otherwise ${choices}`,
    ]);
    const w = await world(INVENTORY, {
      'pb.yml': 'version: 1\nhosts:\n  web:\n    runlevel: { target: kiosk.target, custom: true }\n',
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    expect(Object.values(desired.hosts)[0]?.runlevel).toEqual({
      kind: 'target',
      name: 'kiosk.target',
      custom: true,
    });
    expect(
      await errorsOf('version: 1\nhosts:\n  web:\n    runlevel: { target: reboot.target, custom: true }\n'),
    ).toEqual([`pb.yml:4:15: error: runlevel "reboot.target" reboots the host; ${never}${choices}`]);
    expect(
      await errorsOf(
        'version: 1\nhosts:\n  web:\n    runlevel: { target: kiosk.target, custom: yes-please }\n',
      ),
    ).toEqual([
      'pb.yml:4:15: error: a custom runlevel needs exactly target: NAME and custom: true; write runlevel: { target: NAME, custom: true } (NAME: a systemd target or an OpenRC runlevel)',
    ]);
  });

  it('suggests a close name', async () => {
    expect(await errorsOf('version: 1\nhosts:\n  web:\n    runlevel: multi-user\n')).toEqual([
      'pb.yml:4:15: error: unknown runlevel "multi-user"; did you mean "multi-user.target"?',
    ]);
    expect(await errorsOf('version: 1\nhosts:\n  web:\n    runlevel: defualt\n')).toEqual([
      'pb.yml:4:15: error: unknown runlevel "defualt"; did you mean "default"?',
    ]);
  });
});

describe('playbook: units that are not services', () => {
  for (const [name, what] of [
    ['reboot.target', 'a target'],
    ['-.mount', ''],
    ['home.mount', 'a mount point'],
    ['dev-sda1.device', 'a device'],
    ['system.slice', 'a slice'],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const errors = await errorsOf(
        `version: 1\nhosts:\n  web:\n    services:\n      ${JSON.stringify(name)}: { state: running }\n`,
      );
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        what ? new RegExp(`is ${what}.*, not a service`) : /must start with a letter or digit/,
      );
    });
  }
});
