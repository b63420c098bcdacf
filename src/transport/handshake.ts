import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type Client } from 'ssh2';
import type { HostKeyChecking } from '../model/inventory.js';
import { classifyConnectError } from './failures.js';
import { hostKeyPolicy } from './host-keys.js';
import { encryptedKeyProblem } from './keys.js';
import { RunFiles } from './run-files.js';
import type { SshTarget } from './ssh-config.js';
import type { ConnectFailure } from './types.js';

export interface HandshakeOptions {
  hostKeyChecking: HostKeyChecking;
  connectTimeoutMs: number;
  knownHostsFile: string;
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

  const known = files.knownHosts(opts.knownHostsFile);
  if (!known.ok && opts.hostKeyChecking !== 'off') {
    return fail({
      kind: 'other',
      host: t.name,
      message: `cannot read known_hosts ${opts.knownHostsFile}: ${known.error}`,
      hint: 'fix the file or its permissions, or point `runstate_known_hosts` in the inventory elsewhere',
    });
  }
  const policy = hostKeyPolicy(
    opts.hostKeyChecking,
    opts.knownHostsFile,
    known.ok ? known.index.candidates(t.hostname, t.port) : [],
    { name: t.name, address: t.hostname, port: t.port },
    (line) => files.recorded(opts.knownHostsFile, line),
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
  return socket;
}
