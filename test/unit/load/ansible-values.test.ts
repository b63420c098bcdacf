import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/load/jinja.js';
import { pythonLiteral } from '../../../src/load/python-literal.js';
import { shlexSplit } from '../../../src/load/shlex.js';
import { sshArgsToJump } from '../../../src/load/ssh-args.js';

describe('pythonLiteral (ast.literal_eval, as Ansible types INI values)', () => {
  // Each pair was checked against CPython 3.11's ast.literal_eval.
  it.each([
    ['2222', 2222],
    ['-2', -2],
    ['0x1f', 31],
    ['1_000', 1000],
    ['1.5', 1.5],
    ['1e3', 1000],
    ['00', 0],
    ['True', true],
    ['None', null],
    ['\'a\' "b"', 'ab'],
    ["'it\\'s'", "it's"],
    ["r'\\d'", '\\d'],
    ["['/dev/sda', '/dev/sdb']", ['/dev/sda', '/dev/sdb']],
    ["{ 'root': 'HDD', 'n': [1, None] }", { root: 'HDD', n: [1, null] }],
    ['(1, 2)', [1, 2]],
    ['1, 2', [1, 2]],
    ['[]', []],
    ['42 # comment', 42],
  ])('%s', (text, value) => {
    expect(pythonLiteral(text)).toEqual({ value });
  });

  it.each([
    'no',
    'yes',
    'true',
    '0123',
    '10.0.0.1',
    'web01',
    '{{ x }}',
    '[a, b]',
    '--1',
    '-True',
    'f"x"',
    '',
  ])('%s stays text', (text) => {
    expect(pythonLiteral(text)).toBeUndefined();
  });
});

describe('shlexSplit (shlex.split, comments=True)', () => {
  it('quotes group and vanish, backslash escapes, # starts a comment even inside a word', () => {
    expect(shlexSplit(`h a="x y" b='"q"' c=a\\ b d="x\\"y" e=x#y`)).toEqual({
      words: ['h', 'a=x y', 'b="q"', 'c=a b', 'd=x"y', 'e=x'],
    });
    expect(shlexSplit('h a="open')).toEqual({ error: 'No closing quotation' });
  });
});

describe('renderTemplate (the Jinja runstate evaluates)', () => {
  const vars: Record<string, unknown> = { base: 'example.com', port: 2222, empty: '', self: '{{ self }}' };
  const lookup = (name: string) =>
    name in vars ? { found: true as const, value: vars[name] } : { found: false as const };

  it('{{ var }}, inside text, with default(), keeping the type of a lone expression', () => {
    expect(renderTemplate('{{ port }}', lookup)).toEqual({ value: 2222 });
    expect(renderTemplate('web1.{{base}}', lookup)).toEqual({ value: 'web1.example.com' });
    expect(renderTemplate("{{ missing | default('deploy') }}", lookup)).toEqual({ value: 'deploy' });
    expect(renderTemplate('{{ missing | d(22) }}', lookup)).toEqual({ value: 22 });
    expect(renderTemplate('{{ missing | default(base) }}', lookup)).toEqual({ value: 'example.com' });
    expect(renderTemplate("{{ empty | default('x', true) }}", lookup)).toEqual({ value: 'x' });
    expect(renderTemplate("{{ empty | default('x') }}", lookup)).toEqual({ value: '' });
  });

  it('anything else is refused with the expression named', () => {
    expect(renderTemplate("{{ lookup('env', 'USER') }}", lookup)).toEqual({
      error: `{{ lookup('env', 'USER') }} is more Jinja than runstate evaluates (only {{ var }} and {{ var | default('x') }})`,
    });
    expect(renderTemplate('{{ base | upper }}', lookup)).toHaveProperty('error');
    expect(renderTemplate('{% if x %}a{% endif %}', lookup)).toEqual({
      error: '{% if x %} is a Jinja statement, which runstate does not evaluate',
    });
    expect(renderTemplate('{{ missing }}', lookup)).toEqual({
      error: '{{ missing }} refers to missing, which is not defined for this host',
    });
    expect(renderTemplate('{{ self }}', lookup)).toHaveProperty('error');
  });
});

describe('sshArgsToJump (ansible_ssh_common_args)', () => {
  it('takes a jump host from -J, ProxyJump and a plain "ssh -W %h:%p" ProxyCommand', () => {
    expect(sshArgsToJump('-J ops@bastion:2222')).toEqual({
      jumps: [{ host: 'bastion', user: 'ops', port: 2222 }],
    });
    expect(sshArgsToJump('-o ProxyJump=b1,b2')).toEqual({ jumps: [{ host: 'b1' }, { host: 'b2' }] });
    expect(
      sshArgsToJump('-o ProxyCommand="ssh -W %h:%p -q -p 2200 -i ~/.ssh/bastion ops@bastion.example.com"'),
    ).toEqual({
      jumps: [{ host: 'bastion.example.com', user: 'ops', port: 2200, identity: '~/.ssh/bastion' }],
    });
    expect(sshArgsToJump('-o ControlMaster=auto -o ControlPersist=60s')).toEqual({});
  });

  it('refuses what it cannot honour, by name', () => {
    expect(sshArgsToJump('-o ProxyCommand="nc -X 5 -x proxy:1080 %h %p"')).toMatchObject({
      error: 'has ProxyCommand "nc -X 5 -x proxy:1080 %h %p", which runstate cannot turn into a jump host',
    });
    expect(sshArgsToJump('-o StrictHostKeyChecking=no')).toMatchObject({
      error: 'sets the ssh option StrictHostKeyChecking, which runstate does not take from the inventory',
    });
    expect(sshArgsToJump('-o LocalCommand=touch')).toMatchObject({
      error: 'sets the ssh option LocalCommand, which runstate does not apply',
    });
    expect(sshArgsToJump('-A')).toMatchObject({
      error: 'has the ssh flag "-A", which runstate does not apply',
    });
  });
});
