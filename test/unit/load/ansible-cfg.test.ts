import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commonFrom } from '../../../src/cli/main.js';
import { ansibleSettings, findAnsibleCfg } from '../../../src/load/ansible-cfg.js';
import { iniGet, parseConfigParser } from '../../../src/load/config-parser.js';

// The answers below were printed by Python 3.11's configparser.ConfigParser(inline_comment_prefixes=(';',)),
// the parser ansible-core 2.14 reads ansible.cfg with (ansible/config/manager.py), on the same text.
const CFG = `# c
[defaults]
inventory = ./hosts, ../other ; comment
Forks: 20
remote_user=deploy#notcomment
timeout = 30
private_key_file = ~/.ssh/id_ed25519
multi = one
  two

  three
host_key_checking = False
[DEFAULT]
extra = x
`;

describe('parseConfigParser (Python configparser syntax)', () => {
  it('reads keys, comments and continuation lines as configparser does', () => {
    const s = parseConfigParser(CFG, 'ansible.cfg');
    const v = (k: string) => iniGet(s, 'defaults', k)?.value;
    expect(v('inventory')).toBe('./hosts, ../other');
    expect(v('forks')).toBe('20');
    expect(v('remote_user')).toBe('deploy#notcomment');
    expect(v('private_key_file')).toBe('~/.ssh/id_ed25519');
    expect(v('multi')).toBe('one\ntwo\n\nthree');
    expect(v('host_key_checking')).toBe('False');
    expect(v('extra')).toBe('x');
    expect(iniGet(s, 'defaults', 'timeout')?.line).toBe(6);
  });

  it('refuses what configparser refuses, with file:line', () => {
    expect(() => parseConfigParser('forks = 3\n', 'a.cfg')).toThrow(/before any \[section\]/);
    expect(() => parseConfigParser('[defaults]\nforks=1\nFORKS=2\n', 'a.cfg')).toThrow(/set twice/);
    expect(() => parseConfigParser('[a]\n[a]\n', 'a.cfg')).toThrow(/appears twice/);
    try {
      parseConfigParser('[defaults]\njust words\n', 'a.cfg');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ where: { file: 'a.cfg', line: 2 } });
    }
  });
});

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'rs-cfg-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  const system = join(root, 'etc-ansible.cfg');
  return { root, home, cwd, system };
}

describe('findAnsibleCfg: the first of ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible', () => {
  it('takes them in order, the first found wins', () => {
    const b = sandbox();
    const at = { env: { HOME: b.home }, cwd: b.cwd, systemFile: b.system };
    expect(findAnsibleCfg(at)).toBeUndefined();
    writeFileSync(b.system, '[defaults]\n');
    expect(findAnsibleCfg(at)).toBe(b.system);
    writeFileSync(join(b.home, '.ansible.cfg'), '[defaults]\n');
    expect(findAnsibleCfg(at)).toBe(join(b.home, '.ansible.cfg'));
    writeFileSync(join(b.cwd, 'ansible.cfg'), '[defaults]\n');
    expect(findAnsibleCfg(at)).toBe(join(b.cwd, 'ansible.cfg'));
    const env = join(b.root, 'envdir');
    mkdirSync(env);
    writeFileSync(join(env, 'ansible.cfg'), '[defaults]\n');
    // A directory in ANSIBLE_CONFIG means its ansible.cfg.
    expect(findAnsibleCfg({ ...at, env: { HOME: b.home, ANSIBLE_CONFIG: env } })).toBe(
      join(env, 'ansible.cfg'),
    );
    // A missing ANSIBLE_CONFIG is passed over, as Ansible does.
    expect(findAnsibleCfg({ ...at, env: { HOME: b.home, ANSIBLE_CONFIG: join(b.root, 'nope.cfg') } })).toBe(
      join(b.cwd, 'ansible.cfg'),
    );
  });

  it('skips ./ansible.cfg in a world-writable directory, with a warning', () => {
    const b = sandbox();
    writeFileSync(join(b.cwd, 'ansible.cfg'), '[defaults]\n');
    chmodSync(b.cwd, 0o777);
    const warnings: string[] = [];
    expect(
      findAnsibleCfg({ env: { HOME: b.home }, cwd: b.cwd, systemFile: b.system }, warnings),
    ).toBeUndefined();
    expect(warnings[0]).toMatch(/world-writable/);
  });
});

describe('ansibleSettings', () => {
  it('reads the six settings, paths relative to the file, ANSIBLE_* over the file', () => {
    const b = sandbox();
    writeFileSync(
      join(b.cwd, 'ansible.cfg'),
      '[defaults]\ninventory = hosts,../more\nforks = 7\nremote_user = deploy\nprivate_key_file = ~/.ssh/k\nhost_key_checking = False\ntimeout = 25\n',
    );
    const at = { env: { HOME: b.home }, cwd: b.cwd, systemFile: b.system };
    expect(ansibleSettings(at)).toEqual({
      file: join(b.cwd, 'ansible.cfg'),
      inventory: [join(b.cwd, 'hosts'), join(b.root, 'more')],
      forks: 7,
      remoteUser: 'deploy',
      privateKeyFile: join(b.home, '.ssh/k'),
      hostKeyChecking: false,
      timeout: 25,
      warnings: [],
    });
    const env = {
      HOME: b.home,
      ANSIBLE_INVENTORY: 'a.yml,b',
      ANSIBLE_FORKS: '3',
      ANSIBLE_HOST_KEY_CHECKING: 'yes',
    };
    expect(ansibleSettings({ ...at, env })).toMatchObject({
      inventory: [join(b.cwd, 'a.yml'), join(b.cwd, 'b')],
      forks: 3,
      hostKeyChecking: true,
    });
  });

  it('a bad number names the setting and where it came from', () => {
    const b = sandbox();
    writeFileSync(join(b.cwd, 'ansible.cfg'), '[defaults]\n\nforks = many\n');
    expect(() => ansibleSettings({ env: { HOME: b.home }, cwd: b.cwd, systemFile: b.system })).toThrow(
      /forks \(.*ansible\.cfg:3\): "many" is not a positive whole number/,
    );
  });
});

describe('commonFrom: flags win over ANSIBLE_* and ansible.cfg', () => {
  const cfg = {
    file: '/p/ansible.cfg',
    inventory: ['/p/hosts'],
    forks: 7,
    remoteUser: 'deploy',
    privateKeyFile: '/p/key',
    hostKeyChecking: false,
    timeout: 25,
    warnings: [],
  };
  it('takes the file where no flag is given', () => {
    const err: string[] = [];
    const got = commonFrom({ verbose: true }, {}, { err: (t) => err.push(t) }, cfg);
    expect(got).toMatchObject({
      inventory: ['/p/hosts'],
      forks: 7,
      user: 'deploy',
      privateKey: '/p/key',
      hostKeyChecking: 'off',
      connectTimeout: 25,
    });
    expect(err.join('')).toContain('using /p/ansible.cfg as ansible.cfg\n');
    // host_key_checking = False: a warning on every run that connects, none for validate.
    expect(err.join('')).toContain(
      'warning: host keys are not checked (host_key_checking in /p/ansible.cfg): anyone on the path',
    );
    const quiet: string[] = [];
    commonFrom({}, {}, { err: (t) => quiet.push(t) }, cfg, false);
    expect(quiet.join('')).not.toContain('not checked');
    const flagged: string[] = [];
    commonFrom(
      { inventory: ['x'], hostKeyChecking: 'off' },
      {},
      { err: (t) => flagged.push(t) },
      { warnings: [] },
    );
    expect(flagged.join('')).toContain('(--host-key-checking off)');
  });
  it('flags and RUNSTATE_INVENTORY win', () => {
    const got = commonFrom(
      { forks: 2, user: 'ops', hostKeyChecking: 'strict', connectTimeout: 5 },
      { RUNSTATE_INVENTORY: 'inv.yml' },
      undefined,
      cfg,
    );
    expect(got).toMatchObject({
      inventory: ['inv.yml'],
      forks: 2,
      user: 'ops',
      hostKeyChecking: 'strict',
      connectTimeout: 5,
    });
  });
  it('without any source the defaults, and no inventory is an error', () => {
    const none = { warnings: [] };
    expect(commonFrom({ inventory: ['x'] }, {}, undefined, none)).toMatchObject({
      forks: 50,
      hostKeyChecking: 'strict',
      connectTimeout: 10,
    });
    expect(() => commonFrom({}, {}, undefined, none)).toThrow(/no inventory given/);
  });
});
