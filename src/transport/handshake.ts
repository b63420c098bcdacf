import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type Client } from 'ssh2';
import type { HostKeyChecking } from '../model/inventory.js';
import { classifyConnectError } from './failures.js';
import { hostKeyPolicy } from './host-keys.js';
import { encryptedKeyProblem } from './keys.js';
import type { KnownHostsEntry } from './known-hosts.js';
import { RunFiles } from './run-files.js';
import type { SshTarget } from './ssh-config.js';
import type { ConnectFailure } from './types.js';

export interface HandshakeOptions {
  /** The run's mode; ssh_config's StrictHostKeyChecking for a host wins unless it was set by a flag. */
  hostKeyChecking: HostKeyChecking;
  /** --host-key-checking (or ansible.cfg's host_key_checking) was given: it beats ssh_config. */
  hostKeyCheckingExplicit?: boolean;
  connectTimeoutMs: number;
  /** The inventory's `runstate_known_hosts`: replaces the user files (as `ssh -o UserKnownHostsFile`). */
  knownHostsFile?: string;
  /** The user files where neither the inventory nor ssh_config names one (~/.ssh/known_hosts, …2). */
  defaultUserKnownHostsFiles: string[];
  /** Where ssh_config names no GlobalKnownHostsFile; default /etc/ssh/ssh_known_hosts, …2. */
  globalKnownHostsFiles?: string[];
  /** ssh-agent socket, when one is used. */
  agent?: string;
  /** The run's files, read once for all its connections (a pool passes its own). */
  files?: RunFiles;
}

export type Handshake = { ok: true; client: Client } | { ok: false; failure: ConnectFailure };

/** Dead peers are noticed within KEEPALIVE_MS × KEEPALIVE_COUNT even while a command is silent. */
const KEEPALIVE_MS = 15_000;
const KEEPALIVE_COUNT = 4;
/** Past ssh2's readyTimeout, a last bound in case a socket never reports anything at all. */
const HARD_STOP_GRACE_MS = 2_000;

/**
 * One SSH endpoint: keys, host key policy, TCP (or `sock`, a stream forwarded by a jump host),
 * handshake and authentication, all within the connect timeout.
 */
export function handshake(t: SshTarget, opts: HandshakeOptions, sock?: Duplex): Promise<Handshake> {
  const fail = (failure: ConnectFailure): Promise<Handshake> => Promise.resolve({ ok: false, failure });

  const files = opts.files ?? new RunFiles();
  const keys = files.identities(t.identities);
  if (!keys.ok) return fail({ ...keys.problem, host: t.name });
  const auth: AnyAuthMethod[] = [];
  const methods: string[] = [];
  if (opts.agent) {
    auth.push({ type: 'agent', username: t.user, agent: opts.agent });
    methods.push('ssh-agent');
  }
  for (const k of keys.keys) {
    auth.push({ type: 'publickey', username: t.user, key: k.key });
    methods.push(`key ${k.path}`);
  }
  // A key that needs a passphrase (one the user named, first): if nothing else gets in, that is why.
  const namedEncrypted = keys.encrypted.find((r) => r.source !== 'default') ?? keys.encrypted[0];
  if (auth.length === 0 && namedEncrypted)
    return fail({ ...encryptedKeyProblem(namedEncrypted.path), host: t.name });

  const setup = hostKeySetup(t, opts, files);
  if (!setup.ok) return fail(setup.failure);
  const { mode, lookup, entries, recordIn } = setup;
  const policy = hostKeyPolicy(mode, recordIn, entries, { name: t.name, ...lookup }, (line) =>
    files.recorded(recordIn, line),
  );
  const ctx = {
    host: t.name,
    address: t.hostname,
    port: t.port,
    user: t.user,
    methods,
    connectTimeoutMs: opts.connectTimeoutMs,
  };
  if (auth.length === 0) {
    return fail(
      classifyConnectError(Object.assign(new Error('no method'), { level: 'client-authentication' }), ctx),
    );
  }

  return new Promise((resolve) => {
    const client = new ssh2.Client();
    const socket = sock ?? tcpSocket(t.hostname, t.port, opts.connectTimeoutMs);
    let settled = false;
    const settle = (result: Handshake): void => {
      if (settled) return;
      settled = true;
      clearTimeout(hardStop);
      client.off('ready', onReady);
      client.off('close', onClose);
      if (!result.ok) {
        client.end();
        socket.destroy();
      }
      resolve(result);
    };
    const failWith = (err: unknown): void => {
      settle({ ok: false, failure: explainFailure(err) });
    };
    const explainFailure = (err: unknown): ConnectFailure => {
      const rejected = policy.rejection();
      if (rejected) return rejected;
      const failure = classifyConnectError(err, ctx);
      if (failure.kind !== 'auth' || !namedEncrypted) return failure;
      const p = encryptedKeyProblem(namedEncrypted.path);
      return { ...p, host: t.name, message: `${failure.message}; ${p.message}` };
    };
    const onReady = (): void => settle({ ok: true, client });
    const onClose = (): void => failWith(new Error('the server closed the connection during the handshake'));
    const hardStop = setTimeout(
      () => failWith(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      opts.connectTimeoutMs + HARD_STOP_GRACE_MS,
    );

    client.on('ready', onReady);
    client.on('close', onClose);
    // Always listening: an 'error' without a listener would crash the process. After the
    // handshake, errors show as a closed connection to whoever runs a command.
    client.on('error', (err) => {
      if (!settled) failWith(err);
    });
    try {
      client.connect({
        sock: socket,
        host: t.hostname,
        port: t.port,
        username: t.user,
        authHandler: auth,
        hostVerifier: (key: Buffer) => policy.verify(key),
        algorithms: { serverHostKey: policy.algorithms },
        readyTimeout: opts.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_MS,
        keepaliveCountMax: KEEPALIVE_COUNT,
      });
    } catch (err) {
      failWith(err);
    }
  });
}

/** TCP with its own connect timeout, so a blackholed address fails as `timeout` with a code. */
function tcpSocket(host: string, port: number, timeoutMs: number): Duplex {
  const socket = netConnect({ host, port });
  socket.setTimeout(timeoutMs, () => {
    socket.destroy(Object.assign(new Error(`connect to ${host}:${port} timed out`), { code: 'ETIMEDOUT' }));
  });
  socket.once('connect', () => socket.setTimeout(0));
  return coalescedWrites(socket);
}

/**
 * ssh2 writes each SSH packet to the socket on its own, often several in one tick (its ident and
 * KEXINIT, NEWKEYS and the service request, a channel's data and EOF): a write system call each.
 * At fleet scale the client's profile was dominated by those calls (docs/performance.md, session
 * 5), so writes made in one tick leave together, as one writev, when the tick ends. Order and
 * bytes are unchanged; nothing waits longer than the current tick.
 */
export function coalescedWrites<S extends Duplex>(socket: S): S {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]): boolean => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as S['write'];
  return socket;
}

export type HostKeySetup =
  | {
      ok: true;
      mode: HostKeyChecking;
      lookup: { address: string; port: number };
      entries: KnownHostsEntry[];
      recordIn: string;
    }
  | { ok: false; failure: ConnectFailure };

/**
 * What the host key check of `t` works with: the mode (a flag beats ssh_config's
 * StrictHostKeyChecking, which beats the default), the name looked up (HostKeyAlias, without a
 * port, as ssh), the candidate lines of every known_hosts source, and where accept-new records.
 */
export function hostKeySetup(
  t: SshTarget,
  opts: Pick<
    HandshakeOptions,
    | 'hostKeyChecking'
    | 'hostKeyCheckingExplicit'
    | 'knownHostsFile'
    | 'defaultUserKnownHostsFiles'
    | 'globalKnownHostsFiles'
  >,
  files: RunFiles,
): HostKeySetup {
  const sources = knownHostsSources(t, opts);
  const mode = opts.hostKeyCheckingExplicit
    ? opts.hostKeyChecking
    : (t.hostKeys.strict ?? opts.hostKeyChecking);
  const lookup = t.hostKeys.alias
    ? { address: t.hostKeys.alias, port: 22 }
    : { address: t.hostname, port: t.port };
  const entries: KnownHostsEntry[] = [];
  for (const file of [...sources.user, ...sources.global]) {
    const known = files.knownHosts(file);
    if (!known.ok) {
      if (mode === 'off') continue;
      const hint =
        'fix the file or its permissions, or point `runstate_known_hosts` in the inventory elsewhere';
      const message = `cannot read known_hosts ${file}: ${known.error}`;
      return { ok: false, failure: { kind: 'other', host: t.name, message, hint } };
    }
    for (const e of known.index.candidates(lookup.address, lookup.port)) entries.push({ ...e, file });
  }
  const recordIn = sources.user[0] ?? opts.defaultUserKnownHostsFiles[0] ?? 'known_hosts';
  return { ok: true, mode, lookup, entries, recordIn };
}

const GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

/**
 * Every known_hosts file ssh would consult for `t`: the user files (the inventory's
 * `runstate_known_hosts`, else ssh_config's UserKnownHostsFile, else ~/.ssh/known_hosts and
 * known_hosts2) and the global ones (GlobalKnownHostsFile, else /etc/ssh/ssh_known_hosts and …2).
 */
export function knownHostsSources(
  t: Pick<SshTarget, 'hostKeys'>,
  opts: Pick<HandshakeOptions, 'knownHostsFile' | 'defaultUserKnownHostsFiles' | 'globalKnownHostsFiles'>,
): { user: string[]; global: string[] } {
  const user = opts.knownHostsFile
    ? [opts.knownHostsFile]
    : (t.hostKeys.userFiles ?? opts.defaultUserKnownHostsFiles);
  const global = t.hostKeys.globalFiles ?? opts.globalKnownHostsFiles ?? GLOBAL_KNOWN_HOSTS;
  return { user, global };
}
