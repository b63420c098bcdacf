/**
 * What is measured at each N: runstate's three observing commands, Ansible's check mode (plain
 * and Mitogen), and the three baselines (N OpenSSH processes, bare ssh2 with the status commands,
 * bare ssh2 with runstate's own observe script). Each says how to run it and how to tell a run
 * that did the whole job from one that did not (a run that reached fewer hosts is not a number).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quote } from 'shell-quote';
import { buildObserveScript, newNonce } from '../../src/observe/index.js';
import { scriptPayload, shellCommand } from '../../src/transport/command.js';
import type { Fixtures } from './fixtures.js';
import { type Loopback, SERVICES } from './loopback.js';
import type { RunSpec, Sample } from './measure.js';

export interface Column {
  id: string;
  label: string;
  /** Limited to N <= --peers-max. */
  ansible?: boolean;
  spec(lb: Loopback, fx: Fixtures, n: number): RunSpec;
  /** Why this run does not count, or undefined when it did the whole job. */
  check(s: Sample, n: number): string | undefined;
}

/** The bare status calls of the 3 services, as one command line. */
export const STATUS_COMMAND = `for s in ${SERVICES.map((s) => s.name).join(' ')}; do /etc/init.d/$s status >/dev/null 2>&1; echo "$s $?"; done`;

const tail = (s: Sample): string =>
  (s.stderr.trim().split('\n').slice(-3).join(' | ') || s.stdout.slice(-300)).trim();

function exitIn(codes: number[]) {
  return (s: Sample): string | undefined =>
    s.code !== null && codes.includes(s.code) ? undefined : `exit ${s.code}: ${tail(s)}`;
}

/** Ansible's recap: one line per host; every host must be ok, none unreachable or failed. */
function ansibleCheck(s: Sample, n: number): string | undefined {
  const good = s.stdout.split('\n').filter((l) => /unreachable=0\s+failed=0/.test(l)).length;
  const why = s.stdout.split('\n').find((l) => /UNREACHABLE!|FAILED!/.test(l)) ?? tail(s);
  if (s.code !== 0 || good !== n) return `exit ${s.code}, ${good} of ${n} hosts ok: ${why.slice(0, 300)}`;
  return undefined;
}

/** bench/ssh2-fanout.mjs's arguments: N connections to the loopback sshd, one exec of `command` each. */
export function ssh2FanoutArgs(
  root: string,
  lb: Loopback,
  n: number,
  connectS: number,
  command: string,
  stdinFile?: string,
): string[] {
  return [
    join(root, 'bench', 'ssh2-fanout.mjs'),
    lb.ports.join(','),
    lb.user,
    lb.keyPath,
    lb.hostKeyBlob.toString('base64'),
    String(n),
    String(connectS),
    command,
    ...(stdinFile ? [stdinFile] : []),
  ];
}

/** `connectS`: every tool gets the same time to connect (500 handshakes queue on 2 cores). */
export function columns(root: string, lb: Loopback, connectS: number): Column[] {
  const cli = join(root, 'bin', 'runstate.js');
  // No agent: every tool authenticates with the one key file, nothing else.
  const env = { ...process.env, SSH_AUTH_SOCK: '' };
  // BENCH_NODE_ARGS: extra node flags for runstate and the ssh2 fan-outs, e.g. to profile them
  // ("--cpu-prof --cpu-prof-dir=DIR", which NODE_OPTIONS refuses). Empty: nothing added.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const runstate = (id: string, label: string, args: string[], codes: number[]): Column => ({
    id,
    label,
    spec: (_lb, fx, n) => ({
      cmd: process.execPath,
      args: [
        ...nodeArgs,
        cli,
        ...args,
        '-i',
        fx.inventory,
        fx.playbook,
        '--forks',
        String(n),
        '--connect-timeout',
        String(connectS),
        // The other tools bound no command: neither does runstate here (its default is 60 s, which
        // 500 scripts at once on a loaded 2-core box can pass).
        '--observe-timeout',
        '600',
      ],
      env,
    }),
    check: exitIn(codes),
  });
  const ansible = (id: string, label: string, strategy: 'plain' | 'mitogen'): Column => ({
    id,
    label,
    ansible: true,
    spec: (_lb, fx, n) => ({
      cmd: 'ansible-playbook',
      args: ['-i', fx.inventory, fx.ansiblePlaybook, '--check', '-f', String(n)],
      env: {
        ...env,
        ANSIBLE_CONFIG: fx.ansibleCfg[strategy],
        ANSIBLE_HOME: join(lb.dir, 'ansible-home'),
        ANSIBLE_LOCAL_TEMP: join(lb.dir, 'ansible-tmp'),
      },
      orphanMarker: `${fx.controlDir}/`,
    }),
    check: ansibleCheck,
  });
  const scriptFile = join(lb.dir, 'observe-script.sh');
  // The script runstate sends for these 3 services, sent the way runstate sends it.
  writeFileSync(
    scriptFile,
    scriptPayload(
      buildObserveScript(
        SERVICES.map((s) => s.name),
        newNonce(),
      ),
    ),
  );
  const observeCommand = quote(shellCommand(false, true, 60));
  const ssh2 = (id: string, label: string, command: string, stdin?: string): Column => ({
    id,
    label,
    spec: (l, _fx, n) => ({
      cmd: process.execPath,
      args: [...nodeArgs, ...ssh2FanoutArgs(root, l, n, connectS, command, stdin)],
      env,
    }),
    check: exitIn([0]),
  });
  return [
    runstate('plan', 'runstate plan', ['plan'], [0]),
    runstate('drift', 'runstate drift', ['drift'], [2]),
    runstate('apply-dry-run', 'runstate apply --dry-run', ['apply', '--dry-run', '--yes'], [0]),
    ansible('ansible', 'ansible-playbook --check', 'plain'),
    ansible('ansible-mitogen', 'ansible-playbook --check (mitogen)', 'mitogen'),
    {
      id: 'openssh',
      label: 'N parallel OpenSSH ssh',
      spec: (l, _fx, n) => ({
        cmd: 'sh',
        args: [
          join(root, 'bench', 'openssh-fanout.sh'),
          l.ports.join(','),
          l.user,
          l.keyPath,
          l.knownHostsPath,
          String(n),
          String(connectS),
          STATUS_COMMAND,
        ],
        env,
      }),
      check: exitIn([0]),
    },
    ssh2('ssh2-status', 'bare ssh2 fan-out: status commands', STATUS_COMMAND),
    ssh2('ssh2-script', 'bare ssh2 fan-out: runstate observe script', observeCommand, scriptFile),
  ];
}
