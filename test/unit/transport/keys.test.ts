import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptedKeyProblem, loadIdentities } from '../../../src/transport/keys.js';

const dir = mkdtempSync(join(tmpdir(), 'runstate-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plain = ssh2.utils.generateKeyPairSync('ed25519');
const locked = ssh2.utils.generateKeyPairSync('ed25519', {
  passphrase: 'secret',
  cipher: 'aes256-cbc',
  rounds: 4,
});
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};
const plainPath = write('plain', plain.private);
const lockedPath = write('locked', locked.private);
const publicPath = write('plain.pub', plain.public);
const junkPath = write('junk', 'not a key\n');
const missing = join(dir, 'missing');

describe('loadIdentities', () => {
  it('loads a usable key', () => {
    const got = loadIdentities([{ path: plainPath, source: 'inventory' }]);
    expect(got.ok && got.keys.map((k) => k.path)).toEqual([plainPath]);
  });

  it('sets aside encrypted keys instead of prompting', () => {
    const got = loadIdentities([
      { path: lockedPath, source: 'inventory' },
      { path: plainPath, source: 'default' },
    ]);
    expect(got.ok).toBe(true);
    if (got.ok) {
      expect(got.encrypted).toEqual([{ path: lockedPath, source: 'inventory' }]);
      expect(got.keys.map((k) => k.path)).toEqual([plainPath]);
    }
  });

  it('fails naming a key the inventory asked for that is missing, junk or public', () => {
    for (const path of [missing, junkPath, publicPath]) {
      const got = loadIdentities([{ path, source: 'inventory' }]);
      expect(got.ok).toBe(false);
      if (!got.ok) {
        expect(got.problem.kind).toBe('key-unreadable');
        expect(got.problem.message).toContain(path);
        expect(got.problem.message).toContain('named in the inventory');
      }
    }
    const dirAsKey = loadIdentities([{ path: dir, source: 'ssh_config' }]);
    expect(!dirAsKey.ok && dirAsKey.problem.message).toContain('named in ssh_config');
  });

  it('reports a key it may not read, and skips a default key it may not read', () => {
    const denied = () => {
      throw Object.assign(new Error("EACCES: permission denied, open '/k'"), { code: 'EACCES' });
    };
    const got = loadIdentities([{ path: '/k', source: 'inventory' }], denied);
    expect(!got.ok && got.problem.message).toContain('permission denied');
    expect(loadIdentities([{ path: '/k', source: 'default' }], denied)).toEqual({
      ok: true,
      keys: [],
      encrypted: [],
    });
  });

  it('refuses a key that group or others may read, as OpenSSH does (a default one is skipped)', () => {
    const open = write('open', plain.private);
    chmodSync(open, 0o644);
    const got = loadIdentities([{ path: open, source: 'inventory' }]);
    expect(!got.ok && got.problem.message).toBe(
      `SSH key ${open} is readable by others (permissions 0644); OpenSSH refuses such a key and so does runstate`,
    );
    expect(!got.ok && got.problem.hint).toBe(`chmod 600 ${open}`);
    expect(loadIdentities([{ path: open, source: 'default' }])).toEqual({
      ok: true,
      keys: [],
      encrypted: [],
    });
  });

  it("skips ssh's default keys when absent or unusable, and missing ssh_config keys", () => {
    const got = loadIdentities([
      { path: missing, source: 'default' },
      { path: junkPath, source: 'default' },
      { path: publicPath, source: 'default' },
      { path: missing, source: 'ssh_config' },
    ]);
    expect(got).toEqual({ ok: true, keys: [], encrypted: [] });
  });
});

describe('encryptedKeyProblem', () => {
  it('names the file and says how to use it', () => {
    const p = encryptedKeyProblem('/home/ops/.ssh/id_ed25519');
    expect(p.kind).toBe('key-encrypted');
    expect(p.message).toContain('/home/ops/.ssh/id_ed25519');
    expect(p.hint).toBe('add it to ssh-agent: ssh-add /home/ops/.ssh/id_ed25519');
  });
});
