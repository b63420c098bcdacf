import { createRequire } from 'node:module';
import pc from 'picocolors';
import type { HostKeyChecking } from '../model/inventory.js';
import { OutputStream } from './output-stream.js';

/** Options every command shares (SPEC "Common flags"). */
export interface CommonOptions {
  inventory: string[];
  limit?: string;
  /** -u: the SSH user of hosts whose inventory sets no ansible_user. */
  user?: string;
  /** ansible.cfg's private_key_file: the key of hosts whose inventory names none. */
  privateKey?: string;
  forks: number;
  noColor?: boolean;
  color?: boolean;
  verbose?: boolean;
  hostKeyChecking: HostKeyChecking;
  /** Set by a flag or ansible.cfg (then it beats ssh_config's StrictHostKeyChecking). */
  hostKeyCheckingExplicit?: boolean;
  connectTimeout: number;
  /** Seconds one host's observe may take (--observe-timeout; else 60, at most --command-timeout). */
  observeTimeout?: number;
  /** `facts --resources`: read resource use on every host, declared thresholds or not. */
  resources?: boolean;
}

/** Where output goes; injectable so the CLI can be run in-process by tests. */
export interface Io {
  out: (text: string) => void;
  /**
   * Like `out`, for output written in many pieces (a large plan): settles once the sink can take
   * more, so the pieces are not all queued in memory behind a slow reader. Absent: `out`.
   */
  outPiece?: (text: string) => Promise<void>;
  err: (text: string) => void;
  /** The error that lost stdout's output (a full disk), if one did; a reader that left is not one. */
  outputLost?: () => Promise<Error | undefined>;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  ask?: (question: string) => Promise<string>;
  /** The clock (waiver expiry, history windows); tests inject a fixed one. */
  now?: () => Date;
}

const stdout = new OutputStream(process.stdout);
const stderr = new OutputStream(process.stderr);

export const processIo: Io = {
  out: (t) => stdout.write(t),
  outPiece: (t) => stdout.writePiece(t),
  err: (t) => stderr.write(t),
  outputLost: () => stdout.lost(),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
  ask: process.stdin.isTTY ? askOnTerminal : undefined,
};

async function askOnTerminal(question: string): Promise<string> {
  // Loaded here: only apply asks, and readline is a visible part of every command's start-up.
  // require, not import(): in the bundle, which bin/runstate.js runs with a V8 code cache, Node 20
  // drops a vm.Script's import() callback whenever the cache is accepted (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
  const { createInterface } = createRequire(import.meta.url)(
    'node:readline/promises',
  ) as typeof import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at the prompt (the terminal is raw, so no signal) answers "no" instead of hanging.
  const cancel = new AbortController();
  rl.on('SIGINT', () => cancel.abort());
  try {
    return await rl.question(question, { signal: cancel.signal });
  } catch {
    return '';
  } finally {
    rl.close();
  }
}

/** Colour only on a terminal, never with --no-color or NO_COLOR (https://no-color.org). */
export function useColor(opts: { color?: boolean }, io: Io): boolean {
  if (opts.color === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.isTTY && pc.isColorSupported;
}

export const EXIT = { ok: 0, input: 1, changes: 2, partial: 3 } as const;

/** What time it is for this run: the injected clock, else the system's. */
export function nowOf(io: Io): Date {
  return io.now ? io.now() : new Date();
}
