import { readFileSync, statSync } from 'node:fs';
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
  modeOf: (p: string) => number | undefined = fileMode,
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
    const mode = modeOf(ref.path);
    // OpenSSH refuses ("UNPROTECTED PRIVATE KEY FILE!") a key that group or others may read.
    if (mode !== undefined && (mode & 0o077) !== 0) {
      if (ref.source === 'default') continue;
      return { ok: false, problem: tooOpen(ref, mode) };
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

function tooOpen(ref: IdentityRef, mode: number): KeyProblem {
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return {
    kind: 'key-unreadable',
    message: `SSH key ${ref.path} is readable by others (permissions ${octal}); OpenSSH refuses such a key and so does runstate`,
    hint: `chmod 600 ${ref.path}`,
  };
}

function fileMode(path: string): number | undefined {
  try {
    return statSync(path).mode;
  } catch {
    return undefined; // read() already said why it cannot be used
  }
}

export function encryptedKeyProblem(path: string): KeyProblem {
  return {
    kind: 'key-encrypted',
    message: `SSH key ${path} is encrypted with a passphrase and runstate never prompts`,
    hint: `add it to ssh-agent: ssh-add ${path}`,
  };
}
