import { describe, expect, it } from 'vitest';
import { shellWord } from '../../../src/drivers/fragment.js';
import { systemdUnit } from '../../../src/drivers/systemd.js';
import { buildObserveScript, newNonce, parseObserveOutput } from '../../../src/observe/index.js';
import { availableShells, runScript } from '../drivers/shells.js';

const N = '0123456789abcdef0123456789abcdef';
const SERVICES = ['crm-db', 'crm-app', 'crm-worker@1', 'web+api.v2', 'runstate-test-nosuch'];

/** The lines of the script between `if <test>` and `fi` that belong to one driver's section. */
function sectionOf(script: string, kind: string): string {
  const start = script.indexOf(`:begin:${kind}'`);
  const end = script.indexOf(`:end:${kind}'`, start);
  expect(start).toBeGreaterThan(0);
  return script.slice(start, end);
}

describe('buildObserveScript', () => {
  const script = buildObserveScript(SERVICES, N);

  it('names every service exactly once per section, quoted, and nowhere else', () => {
    for (const kind of ['sysv', 'openrc', 'upstart'] as const) {
      const section = sectionOf(script, kind);
      const setLine = section.split('\n').find((l) => l.startsWith('set -- '));
      expect(setLine).toBe(`set -- ${SERVICES.map(shellWord).join(' ')}`);
      for (const s of SERVICES) expect(section.split(shellWord(s)).length - 1).toBe(1);
    }
    const systemd = sectionOf(script, 'systemd');
    expect(systemd).toContain(
      'set -- crm-db.service crm-app.service crm-worker\\@1.service web+api.v2.service',
    );
    for (const s of SERVICES) expect(systemd.split(shellWord(systemdUnit(s))).length - 1).toBe(1);
    // supervisord lists every program; the parser picks, so no name enters its section.
    for (const s of SERVICES) expect(sectionOf(script, 'supervisord')).not.toContain(s);
  });

  it('no raw interpolation: a name appears only inside its `set --` line', () => {
    const lines = script
      .split('\n')
      .filter((l) => SERVICES.some((s) => l.includes(s) || l.includes(shellWord(s))));
    expect(lines.every((l) => l.startsWith('set -- '))).toBe(true);
  });

  it('refuses names that are not valid and nonces that are not hex', () => {
    expect(() => buildObserveScript(["x'; reboot; '"], N)).toThrow(/invalid service name/);
    expect(() => buildObserveScript([], 'abc')).toThrow(/nonce/);
    expect(newNonce()).toMatch(/^[0-9a-f]{32}$/);
    expect(newNonce()).not.toBe(newNonce());
  });

  it('is one compound command with stdin closed, ending in a done marker', () => {
    expect(script).toMatch(/^# runstate observe[^\n]*\n\{\n/);
    expect(script).toMatch(new RegExp(`@@runstate:${N}:done'\\n\\} </dev/null\\nexit 0\\n$`));
  });

  it('stays small: under 12 KB for 5 services', () => {
    expect(Buffer.byteLength(buildObserveScript(SERVICES, N))).toBeLessThan(12_000);
  });
});

describe('detection from the drivers', () => {
  it("probes each init in the drivers' order, with their evidence, unless the inventory names one", () => {
    const probed = buildObserveScript([], N);
    const order = ['rs_init=systemd', 'rs_init=openrc', 'rs_init=upstart', 'rs_init=sysv'].map((t) =>
      probed.indexOf(t),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(probed).toContain("'/run/systemd/system present'");
    const forced = buildObserveScript([], N, {}, { init: 'sysv' });
    expect(forced).toContain("rs_init=sysv; rs_why='inventory runstate_init=sysv'");
    expect(forced).not.toContain('rs_init=systemd');
    // supervisord runs beside any init, so it is still probed.
    expect(forced).toContain('supervisorctl pid');
  });

  it('the forced init reaches the parsed host with its evidence', () => {
    const shell = availableShells()[0];
    if (!shell) return;
    const nonce = newNonce();
    const r = runScript(shell, buildObserveScript([], nonce, {}, { init: 'sysv' }));
    const host = parseObserveOutput('localhost', r.stdout, nonce, []);
    expect(host).toMatchObject({ status: 'ok', init: 'sysv', managers: expect.arrayContaining(['sysv']) });
    if (host.status === 'ok') expect(host.detection?.sysv).toBe('inventory runstate_init=sysv');
  });
});

describe.each(availableShells().map((s) => [s.join(' '), s]))(
  'the script run for real in %s',
  (_name, shell) => {
    it('exits 0 and parses, whatever this machine is', () => {
      const nonce = newNonce();
      const r = runScript(shell as string[], buildObserveScript(SERVICES, nonce));
      expect(r.code).toBe(0);
      const host = parseObserveOutput('localhost', r.stdout, nonce, SERVICES);
      expect(host.status).toBe('ok');
      if (host.status !== 'ok') return;
      if (host.init !== 'unknown') expect(Object.keys(host.services).sort()).toEqual([...SERVICES].sort());
      expect(host.services['runstate-test-nosuch']?.active ?? 'not-found').toBe('not-found');
    });
  },
);
