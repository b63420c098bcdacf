import { readKnownHosts } from './host-keys.js';
import { type KeyLoad, loadIdentities } from './keys.js';
import { KnownHostsIndex, parseKnownHosts } from './known-hosts.js';
import { type IdentityRef, loadSshConfig } from './ssh-config.js';

type SshConfigLoad = ReturnType<typeof loadSshConfig>;
export type KnownHostsLoad = { ok: true; index: KnownHostsIndex } | { ok: false; error: string };

/**
 * The files a run's connections read — ssh_config, known_hosts, private keys — read and parsed
 * once per run (one ConnectionPool), not once per host: with hundreds of hosts, reading and
 * parsing the same files again was a visible share of runstate's own CPU per host.
 *
 * A key that accept-new records during the run is added here too, so a later host of the same
 * address sees it as the file now says.
 */
export class RunFiles {
  private readonly configs = new Map<string, SshConfigLoad>();
  private readonly known = new Map<string, KnownHostsLoad>();
  private readonly keys = new Map<string, KeyLoad>();

  sshConfig(file: string): SshConfigLoad {
    let got = this.configs.get(file);
    if (!got) {
      got = loadSshConfig(file);
      this.configs.set(file, got);
    }
    return got;
  }

  knownHosts(file: string): KnownHostsLoad {
    let got = this.known.get(file);
    if (!got) {
      const read = readKnownHosts(file);
      got = read.ok ? { ok: true, index: new KnownHostsIndex(read.entries) } : read;
      this.known.set(file, got);
    }
    return got;
  }

  /** A line accept-new appended to `file`. */
  recorded(file: string, line: string): void {
    const got = this.known.get(file);
    if (!got?.ok) return;
    for (const entry of parseKnownHosts(line)) got.index.add({ ...entry, line: Number.MAX_SAFE_INTEGER });
  }

  identities(refs: readonly IdentityRef[]): KeyLoad {
    const key = JSON.stringify(refs);
    let got = this.keys.get(key);
    if (!got) {
      got = loadIdentities(refs);
      this.keys.set(key, got);
    }
    return got;
  }
}
