/**
 * What each safety property of the observe script costs on the wire: variants of the script
 * runstate sends for the bench's 3 SysV services, each with one more property taken away.
 * Only for measuring (bench/observe-ablation.ts); runstate never sends any of these.
 *
 * The properties, in the order they are taken away:
 *  1. the status batch runs under its own bound (`timeout -s KILL 10 sh -c '…'`): a hung init script
 *     costs its own service, not the host's whole observe (test/e2e/observe-hang.test.ts);
 *  2. `status` is asked only of scripts that implement it (one awk over them): a script whose
 *     catch-all case starts the daemon is never run with an argument it does not know;
 *  3. the whole command runs under `timeout -s KILL` (src/transport/command.ts): whatever hangs,
 *     nothing is left running on the host, also on root logins where sshd refuses signals.
 *
 * Each variant is derived from the real script by replacing one exact piece of its text (the sysv
 * driver's own STATUS_BATCH and STATUS_CHECK); when the script changes so that a piece is no longer
 * there, deriving throws rather than measuring something else under the old name
 * (test/unit/bench/ablation.test.ts).
 */
import { quote } from 'shell-quote';
import { STATUS_BATCH, STATUS_CHECK } from '../../src/drivers/sysv.js';
import { buildObserveScript } from '../../src/observe/script.js';
import { scriptPayload, shellCommand } from '../../src/transport/command.js';
import { STATUS_COMMAND } from './columns.js';
import { SERVICES } from './loopback.js';

export interface Variant {
  id: string;
  label: string;
  /** The command line sshd runs (argv already quoted as one string). */
  command: string;
  /** What is sent on stdin, if anything. */
  stdin?: string;
}

/** The batch without its bound: the same calls, in the script's own shell. */
const UNBOUNDED_BATCH = 'for rs_s in $rs_h; do "$rs_s" status >/dev/null; echo "$rs_s=$?;"; done';

function replaced(text: string, piece: string | RegExp, by: string, what: string): string {
  // A function, so that `$` in the replacement is taken as it is.
  const out = text.replace(piece, () => by);
  if (out === text)
    throw new Error(`ablation: the observe script no longer has ${what}; update bench/lib/ablation.ts`);
  return out;
}

/**
 * The variants for the bench's services (bench/lib/loopback.ts: SysV scripts in /etc/init.d),
 * against the bench's bare status calls; `limitS` is the whole-command bound runstate would use.
 */
export function ablationVariants(limitS: number): Variant[] {
  const services = SERVICES.map((s) => s.name);
  const bounded = quote(shellCommand(false, true, limitS));
  const script = buildObserveScript(services, 'ab'.repeat(16));
  const noBatchBound = replaced(script, STATUS_BATCH, UNBOUNDED_BATCH, 'the bounded status batch');
  const paths = services.map((s) => ` /etc/init.d/${s} `).join('');
  const noStatusCheck = replaced(noBatchBound, STATUS_CHECK, `rs_h='${paths}'`, 'the status-action check');
  // Without the command line's timeout nothing tells the script that `timeout` works; say it,
  // so that this variant does not pay for the probe instead.
  const noCommandBound = replaced(noStatusCheck, /^\{\n/m, '{\nRUNSTATE_TIMEOUT=1\n', 'its opening brace');
  return [
    { id: 'status', label: 'bare status calls (command line)', command: STATUS_COMMAND },
    {
      id: 'status-stdin',
      label: 'bare status calls, on stdin under the command bound',
      command: bounded,
      stdin: scriptPayload(STATUS_COMMAND),
    },
    {
      id: 'script',
      label: "runstate's observe script, as sent",
      command: bounded,
      stdin: scriptPayload(script),
    },
    {
      id: 'no-batch-bound',
      label: '− the status batch bound',
      command: bounded,
      stdin: scriptPayload(noBatchBound),
    },
    {
      id: 'no-status-check',
      label: '− the status-action check',
      command: bounded,
      stdin: scriptPayload(noStatusCheck),
    },
    {
      id: 'no-command-bound',
      label: '− the whole-command bound (`sh -s`)',
      command: 'sh -s',
      stdin: scriptPayload(noCommandBound),
    },
  ];
}
