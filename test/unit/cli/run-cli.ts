import type { Io } from '../../../src/cli/context.js';
import { main } from '../../../src/cli/main.js';

/** The CLI in-process, offline: what it printed on stdout and stderr, and its exit code. */
export async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    isTTY: false,
    env: {},
  };
  const code = await main(['node', 'runstate', ...args], io);
  return { code, out, err };
}
