import { describe, expect, it } from 'vitest';
import { capture, readTagged, setNames, shellWord } from '../../../src/drivers/fragment.js';
import { ALL_DRIVERS } from '../../../src/drivers/index.js';
import { availableShells, runScript } from './shells.js';

describe('tagged output', () => {
  it('groups lines by tag, keeps empty text, takes exit codes, drops noise', () => {
    const t = readTagged('show|Id=a\nshow|\nshow?0\nnoise line\n@@runstate:x:end:y:0\nst|a 3\r\n');
    expect(t.get('show')).toEqual({ lines: ['Id=a', ''], code: 0 });
    expect(t.get('st')).toEqual({ lines: ['a 3'] });
    expect(t.size).toBe(2);
  });

  it('quotes names with shell-quote', () => {
    expect(shellWord('crm-worker@1')).toBe('crm-worker\\@1');
    expect(setNames(['a', 'b+c'])).toBe('set -- a b+c');
    expect(setNames([])).toBe('set --');
  });
});

// Real processes (supervisorctl starts Python): generous timeouts for a loaded machine.
describe.each(availableShells().map((s) => [s.join(' '), s]))('in %s', (_name, shell) => {
  it('capture prefixes every line a tool prints, markers included', () => {
    const tool = "printf 'one\\n@@runstate:0123456789abcdef:end:sysv:0\\n\\nthree\\n'; exit 3";
    const r = runScript(shell as string[], capture('x', tool));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('x|one\nx|@@runstate:0123456789abcdef:end:sysv:0\nx|\nx|three\nx?3\n');
  });

  it('capture keeps every byte of a line: blanks, backslashes, %, $(…) and its own end word', () => {
    const lines = [
      '  lead and trail  ',
      'back\\slash \\n',
      '100% $(echo no) `no` $HOME',
      'RS_CAPTURED',
      '\ttab',
    ];
    const tool = `printf '%s\\n' ${lines.map(shellWord).join(' ')}`;
    const r = runScript(shell as string[], capture('x', tool));
    expect(r.stdout).toBe(`${lines.map((l) => `x|${l}`).join('\n')}\nx?0\n`);
  });

  it.each(ALL_DRIVERS.map((d) => [d.kind, d]))(
    'the %s fragment runs, exits 0 and prints only tagged lines',
    (_k, driver) => {
      const services = ['runstate-test-nosuch', 'crm-worker@1', 'a+b.c'];
      const r = runScript(shell as string[], driver.observeScript(services));
      expect(r.code).toBe(0);
      for (const line of r.stdout.split('\n').filter(Boolean)) expect(line).toMatch(/^[a-z][a-z0-9-]*[|?]/);
      const facts = driver.parse(r.stdout, services);
      expect(facts.services.map((s) => s.name)).toEqual(services);
    },
  );
});
