import { Command, CommanderError, Option } from 'commander';
import { commandWasSent } from '../apply/sent.js';
import { type AnsibleSettings, ansibleSettings } from '../load/ansible-cfg.js';
import { formatProblem, ProblemsError, UserError } from '../model/source.js';
import { observeBoundMs } from '../observe/bound.js';
import type { ApplyOptions } from './apply.js';
import { type CommonOptions, EXIT, type Io, processIo } from './context.js';
import type { DriftFormat } from './drift.js';
import { durationFlag } from './duration.js';
import type { HistoryCommandOptions } from './history.js';
import type { HistoryOptions } from './history-file.js';
import { registerInventoryCommand } from './inventory.js';
import type { ReportOptions } from './report.js';
import type { RestartOptions } from './restart.js';
import { packageVersion } from './version.js';
import type { WatchOptions } from './watch.js';

/*
 * Each command's module is imported when that command runs: start-up is module loading, and
 * `validate` has no use for SSH, the drivers or the executor (docs/performance.md).
 */

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Flags every command takes (SPEC "Common flags"); `validate` touches no host, so no SSH flags. */
function withInventory(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <path>', 'inventory file or directory (repeatable)', collect)
    .option(
      '-l, --limit <pattern>',
      'Ansible host pattern: web:db, web:&prod, web:!db1, web*, ~re, web[0], @file',
    )
    .option('--no-color', 'no ANSI colours (NO_COLOR is honoured too)')
    .option('-v, --verbose', 'say more (and which ansible.cfg was read)');
}

/**
 * Flags of every command that connects. No commander defaults: a flag that was not given leaves
 * room for ansible.cfg and ANSIBLE_* (commonFrom), so the defaults are applied there.
 */
function withCommon(cmd: Command): Command {
  return withInventory(cmd)
    .option('-f, --forks <n>', 'hosts handled concurrently (default: 50)', parsePositiveInt)
    .option('-u, --user <name>', 'SSH user where the inventory sets no ansible_user (beats ssh_config)')
    .addOption(
      new Option('--host-key-checking <mode>', 'how SSH host keys are checked (default: strict)').choices([
        'strict',
        'accept-new',
        'off',
      ]),
    )
    .option(
      '--connect-timeout <duration>',
      'SSH connect timeout: seconds, or 30s, 1m (default: 10)',
      durationFlag('--connect-timeout'),
    )
    .option(
      '--observe-timeout <duration>',
      'bound on observing one host once connected (its one script): seconds, or 30s, 2m; after it the host is unreachable (default: 60, or --command-timeout where that is shorter)',
      durationFlag('--observe-timeout'),
    );
}

function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`"${value}" is not a whole number (0 or more)`);
  return n;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`"${value}" is not a positive whole number`);
  return n;
}

/**
 * Flags win, then ANSIBLE_* variables, then the ansible.cfg Ansible would read, then defaults.
 * The inventory is what -i names, else RUNSTATE_INVENTORY (paths separated by ":"), else
 * ANSIBLE_INVENTORY or ansible.cfg's `inventory`. None is an error: guessing ./inventory (or
 * Ansible's /etc/ansible/hosts) would run against whatever happens to be there.
 */
export function commonFrom(
  opts: Partial<CommonOptions> & { commandTimeout?: number },
  env: NodeJS.ProcessEnv = {},
  io?: Pick<Io, 'err'>,
  cfg: AnsibleSettings = ansibleSettings({ env, cwd: process.cwd() }),
  /** false for validate, which touches no host (so host key checking means nothing to it). */
  connects = true,
): CommonOptions {
  for (const w of cfg.warnings) io?.err(`warning: ${w}\n`);
  if (opts.verbose && cfg.file) io?.err(`using ${cfg.file} as ansible.cfg\n`);
  const fromEnv = (env.RUNSTATE_INVENTORY ?? '').split(':').filter(Boolean);
  const inventory =
    opts.inventory && opts.inventory.length > 0
      ? opts.inventory
      : fromEnv.length > 0
        ? fromEnv
        : (cfg.inventory ?? []);
  if (inventory.length === 0) {
    throw new UserError(
      'no inventory given',
      undefined,
      'pass -i FILE_OR_DIR (repeatable), or set RUNSTATE_INVENTORY or ANSIBLE_INVENTORY, or `inventory` in ansible.cfg',
    );
  }
  const user = opts.user ?? cfg.remoteUser;
  // host_key_checking = False is Ansible's `-o StrictHostKeyChecking=no`: it beats ssh_config, True does not.
  const explicit = opts.hostKeyChecking !== undefined || cfg.hostKeyChecking === false;
  const checking = opts.hostKeyChecking ?? (cfg.hostKeyChecking === false ? 'off' : 'strict');
  if (connects && checking === 'off') {
    const why = opts.hostKeyChecking
      ? '--host-key-checking off'
      : `host_key_checking in ${cfg.file ?? 'ANSIBLE_HOST_KEY_CHECKING'}`;
    io?.err(
      `warning: host keys are not checked (${why}): anyone on the path can pose as your hosts and read what runstate sends\n`,
    );
  }
  return {
    inventory,
    limit: opts.limit,
    ...(user !== undefined ? { user } : {}),
    ...(cfg.privateKeyFile !== undefined ? { privateKey: cfg.privateKeyFile } : {}),
    forks: opts.forks ?? cfg.forks ?? 50,
    color: opts.color,
    verbose: opts.verbose,
    hostKeyChecking: checking,
    ...(explicit ? { hostKeyCheckingExplicit: true } : {}),
    connectTimeout: opts.connectTimeout ?? cfg.timeout ?? 10,
    // Observing is one command per host: a --command-timeout shorter than the default bounds it too.
    observeTimeout: observeBoundMs(opts.observeTimeout, opts.commandTimeout) / 1000,
  };
}

/**
 * Commands `main` may set up alone when the first argument names one: building every command's
 * options is a visible part of start-up. Not `completion` (it describes them all) nor `help`.
 */
const ALONE = new Set([
  'validate',
  'facts',
  'plan',
  'drift',
  'watch',
  'apply',
  'restart',
  'report',
  'inventory',
  'history',
]);

/** `only`: set up just that command (its help and errors are the same; nothing else is reachable). */
export function buildProgram(io: Io, setExit: (code: number) => void, only?: string): Command {
  const wanted = (name: string): boolean => only === undefined || only === name;
  const program = new Command('runstate')
    .description('Keep the services of a fleet of Linux hosts in their declared state.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');

  if (wanted('validate'))
    withWaiverFlags(withInventory(program.command('validate')))
      .description('check inventory and playbooks (schema and meaning); touches no host')
      .argument('<playbook...>', 'playbook files or directories')
      .addOption(
        new Option('--format <format>', 'text, or json (diagnostics as terraform validate -json)')
          .choices(['text', 'json'])
          .default('text'),
      )
      .action(
        async (
          playbooks: string[],
          opts: Partial<CommonOptions> & WaiverFlags & { format: 'text' | 'json' },
        ) => {
          const { validateCommand } = await import('./validate.js');
          const common = commonFrom(opts, io.env, io, undefined, false);
          setExit(
            await validateCommand(playbooks, { ...common, ...waiverFlags(opts), format: opts.format }, io),
          );
        },
      );

  if (wanted('facts'))
    withCommon(program.command('facts'))
      .description('observed state of every host, one SSH round trip per host')
      .argument('[playbook...]', 'playbooks: also observe the services they declare')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--resources', 'also read load, memory, swap, disk use and per-service memory/CPU')
      .action(
        async (
          playbooks: string[],
          opts: Partial<CommonOptions> & { format: 'text' | 'json'; resources?: boolean },
        ) => {
          const { factsCommand } = await import('./facts.js');
          const common = { ...commonFrom(opts, io.env, io), ...(opts.resources ? { resources: true } : {}) };
          setExit(await factsCommand(playbooks, { ...common, format: opts.format }, io));
        },
      );

  if (wanted('plan'))
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
      .option('--diff', 'then, per host, a unified diff of observed against desired state (playbook YAML)')
      .option('--explain <host-and-service...>', 'say where each value of HOST SERVICE came from')
      .option(...EVENTS_FLAG)
      .action(async (playbooks: string[], opts: Partial<CommonOptions> & PlanFlags) => {
        const { planCommand } = await import('./plan.js');
        setExit(await planCommand(playbooks, { ...commonFrom(opts, io.env, io), ...opts }, io));
      });

  if (wanted('drift'))
    withNotify(withHistoryFlags(withWaiverFlags(withCommon(program.command('drift')))))
      .description('desired vs observed, per host and item; exit 0 in sync, 2 drift, 3 some hosts unchecked')
      .argument('<playbook...>', 'playbook files or directories')
      .addOption(
        new Option('--format <format>', 'report format')
          .choices(['text', 'json', 'junit', 'markdown'])
          .default('text'),
      )
      .option('--out <file>', 'write the report to a file (a text summary still goes to stdout)')
      .option('--observed <file>', 'compare against an observed-state snapshot instead of the hosts')
      .option('--diff', 'then, per host, a unified diff of observed against desired state (playbook YAML)')
      .option(...EVENTS_FLAG)
      .action(
        async (
          playbooks: string[],
          opts: Partial<CommonOptions> &
            WaiverFlags &
            HistoryFlags & {
              format: DriftFormat;
              out?: string;
              observed?: string;
              events?: string;
              diff?: boolean;
            },
        ) => {
          const { driftCommand } = await import('./drift.js');
          setExit(await driftCommand(playbooks, { ...commonFrom(opts, io.env, io), ...opts }, io));
        },
      );

  if (wanted('watch'))
    withNotify(withHistoryFlags(withWaiverFlags(withExecution(withCommon(program.command('watch'))))))
      .description('scheduled drift checks until stopped; --heal converges what drifted')
      .argument('<playbook...>', 'playbook files or directories')
      .requiredOption('--every <interval-or-cron>', 'e.g. 30s, 5m, 1h, or a cron expression "*/5 * * * *"')
      .option('--heal', 'converge what drifted, with the same code as apply')
      .option('--max-heals <n>', 'heal one service at most N times per --heal-window', parsePositiveInt, 3)
      .option('--heal-window <duration>', 'the window --max-heals counts in: 30m, 1h, 1d', '1h')
      .option(
        '--fight-after <n>',
        'a service healed N times within --heal-window that drifts back is "fighting": left alone',
        parsePositiveInt,
        3,
      )
      .addOption(
        new Option('--format <format>', 'report format')
          .choices(['text', 'json', 'junit', 'markdown'])
          .default('text'),
      )
      .option('--out <file>', "append each run's report here (json: one line per run; junit: latest run)")
      .option('--healthcheck-file <file>', 'after every run, write its status here as JSON')
      .option('--max-runs <n>', 'stop after N runs (default: run until SIGTERM)', parsePositiveInt)
      .option(...EVENTS_FLAG)
      .action(async (playbooks: string[], opts: Partial<CommonOptions> & WatchFlags) => {
        const { watchCommand } = await import('./watch.js');
        setExit(await watchCommand(playbooks, { ...commonFrom(opts, io.env, io), ...opts }, io));
      });

  if (wanted('apply'))
    withHistoryFileFlags(
      withExecution(withCommon(program.command('apply'))),
      'what was changed (labelled intentional)',
    )
      .description('plan, confirm, then execute in order; --dry-run shows the exact commands instead')
      .argument('[playbook...]', 'playbook files or directories (not with --plan)')
      .option('--dry-run', 'walk the same path as apply and stop before every command')
      .option('-C, --check', 'the same as --dry-run (Ansible spelling)')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--plan <file>', 'execute exactly this saved plan; refuses if any host changed since')
      .addOption(
        new Option(
          '--format <format>',
          "text, or json: every step's outcome on stdout (the report on stderr)",
        )
          .choices(['text', 'json'])
          .default('text'),
      )
      .option('--observed <file>', 'plan from a snapshot instead of observing (only with --dry-run)')
      .option(...EVENTS_FLAG)
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
        setExit(await applyCommand(playbooks, { ...commonFrom(opts, io.env, io), ...opts, dryRun }, io));
      });

  if (wanted('restart'))
    withExecution(withCommon(program.command('restart')))
      .description('restart GROUP:SERVICE across its hosts a batch at a time (its rolling:, else one by one)')
      .argument('<group:service>', 'the group (or all) and the service to restart')
      .argument('<playbook...>', 'playbook files or directories that declare it')
      .option('--dry-run', 'show the batches and commands; change nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--max-failures <n>', 'failed hosts the roll tolerates before it stops', parseNonNegativeInt, 0)
      .option(...EVENTS_FLAG)
      .action(async (target: string, playbooks: string[], opts: Partial<CommonOptions> & RestartFlags) => {
        const { restartCommand } = await import('./restart.js');
        setExit(await restartCommand(target, playbooks, { ...commonFrom(opts, io.env), ...opts }, io));
      });

  if (wanted('report'))
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

  if (wanted('inventory')) registerInventoryCommand(program, io, setExit);
  if (wanted('history')) registerHistoryCommand(program, io, setExit);
  if (wanted('completion'))
    program
      .command('completion')
      .description('print a shell completion script')
      .argument('<shell>', 'bash, zsh or fish')
      .addHelpText(
        'after',
        '\nExample:\n  eval "$(runstate completion bash)"\n\nExit codes: 0 printed, 1 unknown shell.\n',
      )
      .action(async (shell: string) => {
        const { completionScript } = await import('./completion.js');
        io.out(completionScript(program, shell));
      });
  addExamples(program);
  return program;
}

const EXAMPLES: Record<string, string> = {
  validate: 'runstate validate -i inventory/ playbooks/site.yml --format json',
  facts: 'runstate facts -i inventory/ --limit web --format json > observed.json',
  plan: 'runstate plan -i inventory/ playbooks/site.yml --out plan.json --detailed-exitcode',
  drift: 'runstate drift -i inventory/ playbooks/site.yml --format junit --out drift.xml',
  history: 'runstate history --history drift-history.jsonl --window 7d',
  restart: 'runstate restart web:nginx -i inventory/ playbooks/site.yml --max-failures 1 --yes',
  report: 'runstate report --html fleet.html -i inventory/ playbooks/site.yml',
  watch: 'runstate watch -i inventory/ playbooks/site.yml --every 5m --heal --max-runs 12',
  apply: 'runstate apply -i inventory/ playbooks/site.yml -C   (then: runstate apply --plan plan.json)',
};
const EXIT_CODES: Record<string, string> = {
  validate: '0 valid, 1 problems in the input',
  facts: '0 observed, 1 bad input, 3 some hosts unreachable',
  plan: '0 planned (no changes with --detailed-exitcode), 1 bad input, 2 changes (--detailed-exitcode), 3 some hosts unreachable or blocked',
  drift: '0 in sync, 1 bad input, 2 drift, 3 some hosts unchecked',
  history: '0 read, 1 bad input',
  restart:
    '0 all restarted (or dry run), 1 bad input (nothing touched), 3 some host failed, was left untouched or unreachable',
  report: '0 written, 1 bad input (nothing written), 3 some hosts unreachable (written)',
  watch: '0 stopped after --max-runs or SIGTERM, 1 bad input',
  apply:
    '0 converged (or nothing to do), 1 bad input (nothing changed), 3 some steps failed or hosts unreachable',
};

/** `--help` of each command ends with an example and its exit codes. */
function addExamples(program: Command): void {
  for (const c of program.commands) {
    const example = EXAMPLES[c.name()];
    const codes = EXIT_CODES[c.name()];
    if (example && codes) c.addHelpText('after', `\nExample:\n  ${example}\n\nExit codes: ${codes}.\n`);
  }
}

/** Waivers: --waivers FILE instead of drift-waivers.yml beside the playbooks; --waiver-max-days. */
function withWaiverFlags(cmd: Command): Command {
  return cmd
    .option('--waivers <file>', 'drift waivers file (default: drift-waivers.yml beside the playbooks)')
    .option(
      '--waiver-max-days <n>',
      'refuse a waiver expiring more than N days ahead (default 90)',
      parsePositiveInt,
    );
}

/** History file: append `what` to --history FILE (JSON Lines, rotated). drift, watch and apply. */
function withHistoryFileFlags(cmd: Command, what = 'each result'): Command {
  return cmd
    .option('--history <file>', `append ${what} to this history file (JSON Lines)`)
    .option(
      '--history-max-bytes <n>',
      'rotate the history file to FILE.1 beyond this size (default 10 MiB)',
      parsePositiveInt,
    );
}

/** History file and flapping thresholds: the commands that check drift (drift, watch). */
function withHistoryFlags(cmd: Command): Command {
  return withHistoryFileFlags(cmd)
    .option(
      '--flap-threshold <n>',
      'drifting N times within --flap-window is "flapping"',
      parsePositiveInt,
      3,
    )
    .option('--flap-window <duration>', 'the window --flap-threshold counts in', '24h');
}

interface WaiverFlags {
  waivers?: string;
  waiverMaxDays?: number;
}
type HistoryFlags = HistoryOptions;

function waiverFlags(opts: WaiverFlags): WaiverFlags {
  return {
    ...(opts.waivers !== undefined ? { waivers: opts.waivers } : {}),
    ...(opts.waiverMaxDays !== undefined ? { waiverMaxDays: opts.waiverMaxDays } : {}),
  };
}

/** `runstate history`: reads a history file; needs no inventory and contacts no host. */
function registerHistoryCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('history')
    .description('what drifts now and since when; per item how often and how long, over a window')
    .requiredOption('--history <file>', 'the history file drift/watch append to')
    .option('--window <duration>', 'how far back to count (e.g. 24h, 7d is 168h)', '24h')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('--flap-threshold <n>', 'drifting N times within the window is "flapping"', parsePositiveInt, 3)
    .option(
      '--fight-after <n>',
      'healed N times within the window and drifted back is "fighting"',
      parsePositiveInt,
      3,
    )
    .option('--no-color', 'no ANSI colours')
    .action(async (opts: HistoryCommandOptions) => {
      const { historyCommand } = await import('./history.js');
      setExit(await historyCommand(opts, io));
    });
}

type WatchFlags = Omit<WatchOptions, keyof CommonOptions>;
type RestartFlags = Omit<RestartOptions, keyof CommonOptions>;

const EVENTS_FLAG = [
  '--events <file>',
  'write the run as JSON Lines events, as they happen (- for stdout; schemas/event.v1.schema.json)',
] as const;

/** Alert flags of the commands that find drift (drift, watch). */
function withNotify(cmd: Command): Command {
  return cmd
    .option('--notify <url>', 'POST a JSON alert here when an item changes state (repeatable)', collect)
    .option(
      '--notify-command <cmd>',
      'run this local command (sh -c) with the alert on stdin (repeatable)',
      collect,
    )
    .option(
      '--notify-state <file>',
      'where the item states last alerted are kept (default: next to the audit log)',
    );
}
type ApplyFlags = Omit<ApplyOptions, keyof CommonOptions> & { check?: boolean };

/** Flags of every command that executes steps on hosts (apply, watch --heal). */
function withExecution(cmd: Command): Command {
  return cmd
    .option('--audit-log <file>', 'where executed commands are appended as JSON lines')
    .option(
      '--lock-timeout <duration>',
      'how long to wait for another apply on the same host: seconds, or 30s, 5m',
      durationFlag('--lock-timeout', 0),
      60,
    )
    .option(
      '--settle <duration>',
      'after a start, wait this long before checking it stayed up: seconds, or 5s',
      durationFlag('--settle', 0),
      2,
    )
    .option(
      '--command-timeout <duration>',
      'bound on each command on a host: seconds, or 30s, 5m',
      durationFlag('--command-timeout'),
      300,
    )
    .option('--break-lock', 'remove a host lock recognised as stale (its runstate is gone) and take it');
}

type ReportFlags = Omit<ReportOptions, keyof CommonOptions>;

interface PlanFlags {
  format: 'text' | 'json' | 'markdown' | 'mermaid';
  out?: string;
  observed?: string;
  detailedExitcode?: boolean;
  explain?: string[];
  events?: string;
  diff?: boolean;
}

/** The one place that turns outcomes and errors into exit codes (SPEC: 1 = input/usage/internal). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const first = argv[2];
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    first !== undefined && ALONE.has(first) ? first : undefined,
  );
  try {
    await program.parseAsync(argv);
  } catch (err) {
    code = reportError(err, io);
  }
  return await withLostOutput(code, io);
}

/**
 * Output that never arrived (stdout on a full disk) is a failed run, not a success with half a
 * plan file: exit 1, as for any error before a host was touched. Once commands went out, the exit
 * code stays the hosts' (converged, partial); stderr says the output is incomplete either way.
 */
async function withLostOutput(code: number, io: Io): Promise<number> {
  const lost = await io.outputLost?.();
  if (lost === undefined) return code;
  io.err(
    `${formatProblem({
      message: `could not write the output to stdout: ${lost.message}; what was written of it is incomplete`,
      hint: 'make room where stdout goes, or send it elsewhere (a plan or report: --out FILE)',
    })}\n`,
  );
  return commandWasSent() ? code : EXIT.input;
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
