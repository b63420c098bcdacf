export { fingerprintSha256, parseKnownHosts } from './known-hosts.js';
export { ConnectionPool, connect } from './pool.js';
export type {
  ConnectFailure,
  ConnectFailureKind,
  Connection,
  ConnectOptions,
  ConnectResult,
  ExecResult,
  RunOptions,
} from './types.js';
export { type UncheckedBySshConfig, uncheckedBySshConfig } from './unchecked.js';
