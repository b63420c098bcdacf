import { describe, expect, it } from 'vitest';
import { systemdDriver } from '../../../src/drivers/systemd.js';
import { fixture } from './fixture.js';
import { availableShells, runScript } from './shells.js';

/**
 * The users of test/fixtures/drivers/systemd/fragment-bed-user-units.txt, captured on the bed's
 * systemd host (see the fixtures README): rsfix lingering with its manager up, rsnolinger with
 * neither, rssession logged in over SSH without lingering, and a login that does not exist.
 */
const USERS = {
  'fx-run': 'rsfix',
  'fx-stopped': 'rsfix',
  'fx-enabled': 'rsfix',
  'fx-fails': 'rsfix',
  'fx-nosuch': 'rsfix',
  'fx-masked': 'rsfix',
  'fx-run2': 'rssession',
  'fx-off': 'rsnolinger',
  'fx-ghost': 'nosuchlogin',
};

const byName = <T extends { name: string }>(facts: { services: T[] }): Record<string, T> =>
  Object.fromEntries(facts.services.map((s) => [s.name, s]));

describe('systemd user units, captured on the bed (systemd 252, runuser + XDG_RUNTIME_DIR)', () => {
  const facts = systemdDriver.parse(fixture('systemd/fragment-bed-user-units.txt'), ['crm-db'], {
    users: USERS,
  });
  const got = byName(facts);

  it("reads each unit of a lingering user from that user's own manager", () => {
    const rsfix = { manager: 'systemd', user: 'rsfix', uid: 1001 };
    expect(got['fx-run']).toEqual({
      ...rsfix,
      name: 'fx-run',
      active: 'active',
      enabled: 'disabled',
      unit: 'fx-run.service',
      detail: "rsfix's loaded active/running, disabled",
    });
    expect(got['fx-stopped']).toMatchObject({ ...rsfix, active: 'inactive', enabled: 'disabled' });
    expect(got['fx-enabled']).toMatchObject({ ...rsfix, active: 'inactive', enabled: 'enabled' });
    expect(got['fx-fails']).toMatchObject({ ...rsfix, active: 'failed', enabled: 'static' });
    expect(got['fx-masked']).toMatchObject({ ...rsfix, enabled: 'masked' });
    expect(got['fx-nosuch']).toMatchObject({ ...rsfix, active: 'not-found', enabled: 'not-found' });
    for (const name of ['fx-run', 'fx-stopped', 'fx-enabled']) expect(got[name]?.warning).toBeUndefined();
  });

  it('keeps the system unit of the request apart: no user, read from the system manager', () => {
    expect(got['crm-db']).toMatchObject({ active: 'inactive', enabled: 'disabled', unit: 'crm-db.service' });
    expect(got['crm-db']).not.toHaveProperty('user');
    expect(facts.services.map((s) => s.name)).toEqual(['crm-db', ...Object.keys(USERS).sort(byLogin)]);
  });

  it('a logged-in user without lingering: observed, with a warning that it stops at logout', () => {
    expect(got['fx-run2']).toMatchObject({ user: 'rssession', uid: 1003, active: 'not-found' });
    expect(got['fx-run2']?.warning).toBe(
      "lingering is off for rssession: rssession's manager and its units stop at rssession's last logout and do not start at boot (loginctl enable-linger rssession)",
    );
  });

  it('no manager (not logged in, no lingering): a problem with the enable-linger hint, never a state', () => {
    expect(got['fx-off']).toEqual({
      name: 'fx-off',
      manager: 'systemd',
      active: 'unknown',
      enabled: 'unknown',
      unit: 'fx-off.service',
      user: 'rsnolinger',
      uid: 1002,
      problem:
        "rsnolinger's systemd user manager (user@1002.service) is not running: rsnolinger is not logged in and lingering is off",
      problemHint: 'run loginctl enable-linger rsnolinger: it starts the manager now and at every boot',
    });
  });

  it('a login the host does not have', () => {
    expect(got['fx-ghost']).toMatchObject({
      active: 'unknown',
      problem: 'there is no login nosuchlogin on this host',
      problemHint: 'create it (useradd nosuchlogin), or fix user: for fx-ghost',
    });
  });
});

/** The fragment's order: logins sorted, then each login's services sorted. */
function byLogin(a: string, b: string): number {
  const la = USERS[a as keyof typeof USERS];
  const lb = USERS[b as keyof typeof USERS];
  return la !== lb ? (la < lb ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0;
}

describe('systemd user units, transcribed failures', () => {
  it('a manager that does not answer: its stderr is the problem', () => {
    const out = [
      'u0-who|1001 yes yes',
      'u0-show?1',
      'u0-each?0',
      'u0-err|Failed to connect to bus: Connection refused',
      'u0-err?0',
    ].join('\n');
    const got = byName(systemdDriver.parse(out, [], { users: { sync: 'alice' } }));
    expect(got.sync).toMatchObject({
      user: 'alice',
      uid: 1001,
      active: 'unknown',
      problem:
        "could not ask alice's systemd --user about sync.service: Failed to connect to bus: Connection refused",
    });
  });

  it('lingering on but no manager: points at user@UID.service and pam_systemd', () => {
    const got = byName(systemdDriver.parse('u0-who|1001 yes no\n', [], { users: { sync: 'alice' } }));
    expect(got.sync?.problem).toBe(
      "alice's systemd user manager (user@1001.service) is not running although lingering is on",
    );
    expect(got.sync?.problemHint).toContain('libpam-systemd');
  });

  it('a fragment cut before the user section: a problem, not a state', () => {
    const got = byName(systemdDriver.parse('', [], { users: { sync: 'alice' } }));
    expect(got.sync?.problem).toBe("the observe script did not reach alice's user units");
  });

  it('login names never reach the script unchecked', () => {
    expect(() => systemdDriver.observeScript([], { users: { sync: 'a;b' } })).toThrow(/invalid login name/);
    expect(() =>
      systemdDriver.commands({ kind: 'start', service: 'x', user: { name: 'x y', uid: 1 } }),
    ).toThrow(/invalid login name/);
  });
});

// This machine runs no systemd: the section finds no manager for root and no login for the other.
describe.each(availableShells().map((s) => [s.join(' '), s]))('the user-unit section in %s', (_n, shell) => {
  it('runs, exits 0, prints only tagged lines and a state or problem for each unit', () => {
    const users = { 'a-root': 'root', 'b-ghost': 'runstate-no-such-login', 'crm-worker@1': 'root' };
    const r = runScript(shell as string[], systemdDriver.observeScript(['crm-db'], { users }));
    expect(r.code).toBe(0);
    for (const line of r.stdout.split('\n').filter(Boolean)) expect(line).toMatch(/^[a-z][a-z0-9-]*[|?]/);
    const got = byName(systemdDriver.parse(r.stdout, ['crm-db'], { users }));
    expect(Object.keys(got)).toEqual(['crm-db', 'a-root', 'crm-worker@1', 'b-ghost']);
    expect(got['a-root']).toMatchObject({ user: 'root', uid: 0 });
    expect(got['a-root']?.problem).toMatch(/root's systemd user manager \(user@0.service\) is not running/);
    expect(got['b-ghost']?.problem).toBe('there is no login runstate-no-such-login on this host');
  });
});
