import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { commandWasSent } from '../apply/sent.js';
import { formatProblem, ProblemsError, UserError } from '../model/source.js';
import type { ApplyOptions } from './apply.js';
import { type CommonOptions, EXIT, type Io, processIo } from './context.js';
import type { DriftFormat } from './drift.js';
import { registerInventoryCommand } from './inventory.js';
import type { WatchOptions } from './watch.js';

/*
 * Each command's module is imported when that command runs: start-up is module loading, and
 * `validate` has no use for SSH, the drivers or the executor (docs/performance.md).
 */

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Flags every command takes (SPEC "Common flags"). */
function withCommon(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect)
    .option(
      '-l, --limit <pattern>',
      'Ansible host pattern: web:db, web:&prod, web:!db1, web*, ~re, web[0], @file',
    )
    .option('-f, --forks <n>', 'hosts handled concurrently', parsePositiveInt, 50)
    .option('-u, --user <name>', 'SSH user where the inventory sets no ansible_user (beats ssh_config)')
    .option('--no-color', 'no ANSI colours (NO_COLOR is honoured too)')
    .option('-v, --verbose', 'say more')
    .addOption(
      new Option('--host-key-checking <mode>', 'how SSH host keys are checked')
        .choices(['strict', 'accept-new', 'off'])
        .default('strict'),
    )
    .option('--connect-timeout <seconds>', 'SSH connect timeout', parsePositiveInt, 10);
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`"${value}" is not a positive whole number`);
  return n;
}

/**
 * The inventory is what -i names, else what RUNSTATE_INVENTORY names (paths separated by ":").
 * Neither is an error: guessing ./inventory would run against whatever happens to be there.
 */
export function commonFrom(opts: Partial<CommonOptions>, env: NodeJS.ProcessEnv = {}): CommonOptions {
  const fromEnv = (env.RUNSTATE_INVENTORY ?? '').split(':').filter(Boolean);
  const inventory = opts.inventory && opts.inventory.length > 0 ? opts.inventory : fromEnv;
  if (inventory.length === 0) {
    throw new UserError(
      'no inventory given',
      undefined,
      'pass -i FILE_OR_DIR (repeatable), or set RUNSTATE_INVENTORY to its path',
    );
  }
  return {
    inventory,
    limit: opts.limit,
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    forks: opts.forks ?? 50,
    color: opts.color,
    verbose: opts.verbose,
    hostKeyChecking: opts.hostKeyChecking ?? 'strict',
    connectTimeout: opts.connectTimeout ?? 10,
  };
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('runstate')
    .description('Keep the services of a fleet of Linux hosts in their declared state.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');

  withCommon(program.command('validate'))
    .description('check inventory and playbooks (schema and meaning); touches no host')
    .argument('<playbook...>', 'playbook files or directories')
    .action(async (playbooks: string[], opts: Partial<CommonOptions>) => {
      const { validateCommand } = await import('./validate.js');
      setExit(await validateCommand(playbooks, commonFrom(opts, io.env), io));
    });

  withCommon(program.command('facts'))
    .description('observed state of every host, one SSH round trip per host')
    .argument('[playbook...]', 'playbooks: also observe the services they declare')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (playbooks: string[], opts: Partial<CommonOptions> & { format: 'text' | 'json' }) => {
      const { factsCommand } = await import('./facts.js');
      setExit(await factsCommand(playbooks, { ...commonFrom(opts, io.env), format: opts.format }, io));
    });

  withCommon(program.command('plan'))
    .description('observe, diff and order; changes nothing')
    .argument('<playbook...>', 'playbook files or directories')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'json', 'markdown', 'mermaid'])
        .default('text'),
    )
    .option('--out <file>', 'also save the plan as JSON (for `apply --plan`)')
    .option('--observed <file>', 'plan from an observed-state snapshot (runstate facts --format json)')
    .option('--detailed-exitcode', 'exit 2 when there are changes')
    .option('--explain <host-and-service...>', 'say where each value of HOST SERVICE came from')
    .action(async (playbooks: string[], opts: Partial<CommonOptions> & PlanFlags) => {
      const { planCommand } = await import('./plan.js');
      setExit(await planCommand(playbooks, { ...commonFrom(opts, io.env), ...opts }, io));
    });

  withCommon(program.command('drift'))
    .description('desired vs observed, per host and item; exit 0 in sync, 2 drift, 3 some hosts unchecked')
    .argument('<playbook...>', 'playbook files or directories')
    .addOption(
      new Option('--format <format>', 'report format')
        .choices(['text', 'json', 'junit', 'markdown'])
        .default('text'),
    )
    .option('--out <file>', 'write the report to a file (a text summary still goes to stdout)')
    .option('--observed <file>', 'compare against an observed-state snapshot instead of the hosts')
    .action(
      async (
        playbooks: string[],
        opts: Partial<CommonOptions> & { format: DriftFormat; out?: string; observed?: string },
      ) => {
        const { driftCommand } = await import('./drift.js');
        setExit(await driftCommand(playbooks, { ...commonFrom(opts, io.env), ...opts }, io));
      },
    );

  withExecution(withCommon(program.command('watch')))
    .description('scheduled drift checks until stopped; --heal converges what drifted')
    .argument('<playbook...>', 'playbook files or directories')
    .requiredOption('--every <interval-or-cron>', 'e.g. 30s, 5m, 1h, or a cron expression "*/5 * * * *"')
    .option('--heal', 'converge what drifted, with the same code as apply')
    .option('--max-heals <n>', 'heal one service at most N times per --heal-window', parsePositiveInt, 3)
    .option('--heal-window <duration>', 'the window --max-heals counts in', '1h')
    .addOption(
      new Option('--format <format>', 'report format')
        .choices(['text', 'json', 'junit', 'markdown'])
        .default('text'),
    )
    .option('--out <file>', "append each run's report here (json: one line per run; junit: latest run)")
    .option('--healthcheck-file <file>', 'after every run, write its status here as JSON')
    .option('--max-runs <n>', 'stop after N runs (default: run until SIGTERM)', parsePositiveInt)
    .action(async (playbooks: string[], opts: Partial<CommonOptions> & WatchFlags) => {
      const { watchCommand } = await import('./watch.js');
      setExit(await watchCommand(playbooks, { ...commonFrom(opts, io.env), ...opts }, io));
    });

  withExecution(withCommon(program.command('apply')))
    .description('plan, confirm, then execute in order; --dry-run shows the exact commands instead')
    .argument('[playbook...]', 'playbook files or directories (not with --plan)')
    .option('--dry-run', 'walk the same path as apply and stop before every command')
    .option('-C, --check', 'the same as --dry-run (Ansible spelling)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--plan <file>', 'execute exactly this saved plan; refuses if any host changed since')
    .option('--observed <file>', 'plan from a snapshot instead of observing (only with --dry-run)')
    .action(async (playbooks: string[], opts: Partial<CommonOptions> & ApplyFlags) => {
      if (opts.plan && playbooks.length > 0) {
        throw new UserError(
          'give either playbooks or --plan, not both',
          undefined,
          'a saved plan already says what to do',
        );
      }
      if (!opts.plan && playbooks.length === 0) {
        throw new UserError(
          'apply needs playbooks (or --plan FILE)',
          undefined,
          'e.g. runstate apply -i inventory/ playbooks/site.yml',
        );
      }
      if (opts.plan && opts.limit) {
        throw new UserError(
          '--limit does not apply to a saved plan',
          undefined,
          'make the plan with --limit instead: runstate plan … --limit X --out FILE',
        );
      }
      if (opts.observed && !opts.dryRun && !opts.check) {
        throw new UserError('--observed plans from a snapshot, which is only safe with --dry-run');
      }
      const { applyCommand } = await import('./apply.js');
      const dryRun = opts.dryRun || opts.check;
      setExit(await applyCommand(playbooks, { ...commonFrom(opts, io.env), ...opts, dryRun }, io));
    });

  withCommon(program.command('report'))
    .description('write one self-contained HTML report: fleet, drift, plan, history; changes nothing')
    .argument('[playbook...]', 'playbooks: observe, plan and drift now (or give saved JSON instead)')
    .requiredOption('--html <file>', 'the HTML file to write')
    .option('--plan <file>', 'a saved plan (runstate plan --out FILE)')
    .option('--drift <file>', 'a drift report (runstate drift --format json)')
    .option('--facts <file>', 'an observed-state snapshot (runstate facts --format json)')
    .option('--history <file>', 'drift history (runstate history --format json)')
    .option('--title <text>', 'the page title')
    .action(async (playbooks: string[], opts: Partial<CommonOptions> & ReportFlags) => {
      const { reportCommand } = await import('./report.js');
      // From saved files no host is contacted, so no inventory is needed.
      const common =
        playbooks.length > 0
          ? commonFrom(opts, io.env)
          : { inventory: [], forks: 50, hostKeyChecking: 'strict' as const, connectTimeout: 10 };
      setExit(await reportCommand(playbooks, { ...opts, ...common, html: opts.html }, io));
    });

  registerInventoryCommand(program, io, setExit);
  return program;
}

/** `--version` says what package.json says, from the build or the source tree alike. */
function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

type WatchFlags = Omit<WatchOptions, keyof CommonOptions>;
type ApplyFlags = Omit<ApplyOptions, keyof CommonOptions> & { check?: boolean };

/** Flags of every command that executes steps on hosts (apply, watch --heal). */
function withExecution(cmd: Command): Command {
  return cmd
    .option('--audit-log <file>', 'where executed commands are appended as JSON lines')
    .option(
      '--lock-timeout <seconds>',
      'how long to wait for another apply on the same host',
      parseNonNegativeInt,
      60,
    )
    .option(
      '--settle <seconds>',
      'after a start, wait this long before checking it stayed up',
      parseNonNegativeInt,
      2,
    )
    .option('--command-timeout <seconds>', 'bound on each command on a host', parsePositiveInt, 300)
    .option('--break-lock', 'remove a host lock recognised as stale (its runstate is gone) and take it');
}

function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`"${value}" is not a whole number of seconds`);
  return n;
}

interface ReportFlags {
  html: string;
  plan?: string;
  drift?: string;
  facts?: string;
  history?: string;
  title?: string;
}

interface PlanFlags {
  format: 'text' | 'json' | 'markdown' | 'mermaid';
  out?: string;
  observed?: string;
  detailedExitcode?: boolean;
  explain?: string[];
}

/** The one place that turns outcomes and errors into exit codes (SPEC: 1 = input/usage/internal). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    return reportError(err, io);
  }
}

export function reportError(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // --help and --version exit 0 through here; usage errors were already printed by commander.
    return err.exitCode === 0 ? EXIT.ok : EXIT.input;
  }
  if (err instanceof ProblemsError) {
    for (const p of err.problems) io.err(`${formatProblem(p)}\n`);
    io.err(`${err.problems.length} problem(s); nothing was changed on any host.\n`);
    return EXIT.input;
  }
  if (err instanceof UserError) {
    io.err(`${formatProblem({ message: err.message, where: err.where, hint: err.hint })}\n`);
    return EXIT.input;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.err(`internal error (a bug in runstate; please report it): ${detail}\n`);
  if (commandWasSent()) {
    // Exit 1 would tell scripts that nothing changed; commands already went out.
    io.err('commands were already sent to hosts: some changes may have been made; see the audit log\n');
    return EXIT.partial;
  }
  return EXIT.input;
}
