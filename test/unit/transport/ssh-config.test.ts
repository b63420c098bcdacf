import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'ssh-config';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expandTokens,
  loadSshConfig,
  parseProxyJump,
  resolveTarget,
} from '../../../src/transport/ssh-config.js';

const scratch = mkdtempSync(join(tmpdir(), 'runstate-sc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env = { home: '/home/ops', localUser: 'ops' };
const CONFIG = parse(`
Host db1
  HostName 10.0.1.5
  Port 2200
  User postgres-admin
  IdentityFile ~/.ssh/db_key
  IdentityFile ~/.ssh/%h_%r
  ProxyJump bastion

Host bastion
  HostName bastion.example.com
  User jump
  ProxyJump none

Host *.internal
  HostName %h.example.net

Host *
  User fallback
`);

describe('resolveTarget', () => {
  it('fills what the inventory leaves open from ssh_config', () => {
    const t = resolveTarget({ name: 'db1', address: 'db1' }, CONFIG, env);
    expect(t).toEqual({
      name: 'db1',
      alias: 'db1',
      hostname: '10.0.1.5',
      port: 2200,
      user: 'postgres-admin',
      identities: [
        { path: '/home/ops/.ssh/db_key', source: 'ssh_config' },
        { path: '/home/ops/.ssh/10.0.1.5_postgres-admin', source: 'ssh_config' },
      ],
      jumps: [{ host: 'bastion' }],
      hostKeys: {},
    });
  });

  it('lets inventory values win over ssh_config (as Ansible does)', () => {
    const t = resolveTarget(
      { name: 'db1', address: 'db1', port: 22, user: 'root', identity: '~/keys/db' },
      CONFIG,
      env,
    );
    expect(t.port).toBe(22);
    expect(t.user).toBe('root');
    expect(t.identities).toEqual([{ path: '/home/ops/keys/db', source: 'inventory' }]);
    expect(t.hostname).toBe('10.0.1.5');
  });

  it('matches ssh_config against the address (ansible_host), not the inventory name', () => {
    const t = resolveTarget({ name: 'database', address: 'db1' }, CONFIG, env);
    expect(t.name).toBe('database');
    expect(t.hostname).toBe('10.0.1.5');
  });

  it('expands %h in HostName with the alias', () => {
    expect(resolveTarget({ name: 'x', address: 'app.internal' }, CONFIG, env).hostname).toBe(
      'app.internal.example.net',
    );
  });

  it("falls back to ssh's defaults: port 22, the local user, the default keys", () => {
    const t = resolveTarget({ name: 'web1', address: '10.0.0.9' }, undefined, env);
    expect(t).toMatchObject({ hostname: '10.0.0.9', port: 22, user: 'ops', jumps: [] });
    expect(t.identities).toEqual([
      { path: '/home/ops/.ssh/id_ed25519', source: 'default' },
      { path: '/home/ops/.ssh/id_ecdsa', source: 'default' },
      { path: '/home/ops/.ssh/id_rsa', source: 'default' },
    ]);
    expect(resolveTarget({ name: 'w', address: 'w' }, CONFIG, env).user).toBe('fallback');
  });

  it('honours ProxyJump none', () => {
    expect(resolveTarget({ name: 'bastion', address: 'bastion' }, CONFIG, env).jumps).toEqual([]);
  });

  it('ignores a nonsense Port', () => {
    const cfg = parse('Host odd\n  Port banana\n');
    expect(resolveTarget({ name: 'odd', address: 'odd' }, cfg, env).port).toBe(22);
  });

  it('never runs Match exec', () => {
    const marker = join(mkdtempSync(join(scratch, 'd-')), 'ran');
    const cfg = parse(`Match exec "touch ${marker}"\n  User hacked\n`);
    expect(resolveTarget({ name: 'h', address: 'h' }, cfg, env).user).toBe('ops');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('parseProxyJump', () => {
  it('reads user@host:port lists, ssh:// URIs and IPv6', () => {
    expect(parseProxyJump('jump')).toEqual([{ host: 'jump' }]);
    expect(parseProxyJump('admin@jump:2222,inner')).toEqual([
      { host: 'jump', user: 'admin', port: 2222 },
      { host: 'inner' },
    ]);
    expect(parseProxyJump('ssh://me@gw.example.com:22')).toEqual([
      { host: 'gw.example.com', user: 'me', port: 22 },
    ]);
    expect(parseProxyJump('[fe80::1]:2022')).toEqual([{ host: 'fe80::1', port: 2022 }]);
    expect(parseProxyJump('none')).toEqual([]);
    expect(parseProxyJump('NONE')).toEqual([]);
  });
});

describe('expandTokens', () => {
  it('expands ~ and the % tokens it knows, and leaves others alone', () => {
    expect(expandTokens('~/.ssh/%h-%p-%r-%u-%%-%z', { h: 'db', p: '22', r: 'root' }, env)).toBe(
      '/home/ops/.ssh/db-22-root-ops-%-%z',
    );
    expect(expandTokens('~', {}, env)).toBe('/home/ops');
    expect(expandTokens('%d/k', {}, env)).toBe('/home/ops/k');
  });
});

describe('loadSshConfig', () => {
  it('treats a missing file as no config and reads an existing one', () => {
    expect(loadSshConfig('/nonexistent/config')).toEqual({ ok: true });
    const file = join(mkdtempSync(join(scratch, 'd-')), 'config');
    writeFileSync(file, 'Host a\n  HostName 1.2.3.4\n');
    const got = loadSshConfig(file);
    expect(got.ok && got.config?.compute('a').HostName).toBe('1.2.3.4');
  });

  it('reports an unreadable file', () => {
    const dir = mkdtempSync(join(scratch, 'd-'));
    const got = loadSshConfig(dir);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error).toContain(dir);
  });
});
