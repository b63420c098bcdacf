import { quote } from 'shell-quote';
import type { ManagerKind } from '../model/desired.js';
import type { Step } from '../model/plan.js';
import { buildObserveScript, newNonce, parseObserveOutput } from '../observe/index.js';
import type { Connection } from '../transport/index.js';
import { healthScript, parseHealthOutput } from './health.js';
import type { HostActions } from './types.js';

export interface SshActionOptions {
  become: boolean;
  /** Seconds to wait after a start before asking the manager again (catches units that die at once). */
  settleSec: number;
  commandTimeoutMs: number;
  /** The inventory's runstate_init, so the check observes the host as the plan did. */
  init?: ManagerKind;
}

/** HostActions over one SSH connection: each command, verification and gate is one channel. */
export function sshActions(conn: Connection, opts: SshActionOptions): HostActions {
  return {
    run: (argv) => conn.run(argv, { become: opts.become, timeoutMs: opts.commandTimeoutMs }),

    async verifyRunning(step: Step) {
      const service = step.service;
      if (!service) return { ok: true };
      const nonce = newNonce();
      // The step's manager answers (a container is asked of docker, never of a namesake unit).
      const observeOpts = {
        ...(opts.init ? { init: opts.init } : {}),
        ...(step.manager ? { managers: { [service]: step.manager } } : {}),
        ...(step.user ? { users: { [service]: step.user } } : {}),
      };
      const script = `sleep ${quote([String(opts.settleSec)])}\n${buildObserveScript([service], nonce, {}, observeOpts)}`;
      const res = await conn.runScript(script, { become: opts.become, timeoutMs: opts.commandTimeoutMs });
      const host = parseObserveOutput(step.host, res.stdout, nonce, [service], observeOpts);
      if (host.status !== 'ok') return { ok: false, message: `could not check ${service}: ${host.reason}` };
      const seen = host.services[service];
      if (seen?.active === 'active') return { ok: true };
      const state = seen ? `${seen.active}${seen.detail ? ` (${seen.detail})` : ''}` : 'not found';
      return {
        ok: false,
        message: `${service} was started but is ${state} ${opts.settleSec}s later: it died right after start`,
      };
    },

    async waitHealthy(check, mode = {}) {
      // The script ends itself at the gate's deadline; this bound only catches a host that hangs.
      const timeoutMs = (check.timeoutSec + 15) * 1000;
      const res = await conn.runScript(healthScript(check, mode), { become: opts.become, timeoutMs });
      const got = parseHealthOutput(res.stdout, res.code);
      if (got.ok) return got;
      const output = got.output || res.error || (res.timedOut ? `no answer within ${timeoutMs / 1000}s` : '');
      return { ok: false, output };
    },
  };
}
