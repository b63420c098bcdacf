import { readFileSync } from 'node:fs';
import ssh2, { type ParsedKey } from 'ssh2';
import type { IdentityRef } from './ssh-config.js';

export interface LoadedKey {
  path: string;
  key: ParsedKey;
}

export type KeyProblem = { kind: 'key-unreadable' | 'key-encrypted'; message: string; hint: string };

/** Usable keys, plus the encrypted ones that could not be used without a passphrase. */
export type KeyLoad =
  | { ok: true; keys: LoadedKey[]; encrypted: IdentityRef[] }
  | { ok: false; problem: KeyProblem };

/**
 * Reads and parses private keys. A key the user named (inventory or ssh_config) that cannot be
 * used is an error naming the file; ssh's default keys are tried only when present and readable.
 * ssh_config files that do not exist are skipped, as ssh does.
 */
export function loadIdentities(
  refs: readonly IdentityRef[],
  read: (p: string) => Buffer = readFileSync,
): KeyLoad {
  const keys: LoadedKey[] = [];
  const encrypted: IdentityRef[] = [];
  for (const ref of refs) {
    let data: Buffer;
    try {
      data = read(ref.path);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (ref.source === 'default' || (missing && ref.source === 'ssh_config')) continue;
      return { ok: false, problem: unreadable(ref, missing ? 'no such file' : (err as Error).message) };
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      if (/passphrase|encrypted/i.test(parsed.message)) {
        encrypted.push(ref);
        continue;
      }
      if (ref.source === 'default') continue;
      return { ok: false, problem: unreadable(ref, `not a private key ssh2 can read (${parsed.message})`) };
    }
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
    if (!key.isPrivateKey()) {
      if (ref.source === 'default') continue;
      return { ok: false, problem: unreadable(ref, 'it holds a public key, not a private one') };
    }
    keys.push({ path: ref.path, key });
  }
  return { ok: true, keys, encrypted };
}

function unreadable(ref: IdentityRef, why: string): KeyProblem {
  const from = ref.source === 'inventory' ? 'the inventory' : 'ssh_config';
  return {
    kind: 'key-unreadable',
    message: `cannot read SSH key ${ref.path} (named in ${from}): ${why}`,
    hint: 'check the path and that the file is readable by the user running runstate',
  };
}

export function encryptedKeyProblem(path: string): KeyProblem {
  return {
    kind: 'key-encrypted',
    message: `SSH key ${path} is encrypted with a passphrase and runstate never prompts`,
    hint: `add it to ssh-agent: ssh-add ${path}`,
  };
}
