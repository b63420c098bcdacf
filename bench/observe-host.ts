/**
 * `npm run bench:host`: what the observe script costs on the host itself, with no sshd and no
 * client in the way — the figures behind docs/performance.md, Session 11. Needs root.
 *
 * The bench's three SysV services (bench/lib/loopback.ts) are bind-mounted over /etc/init.d and
 * /etc/rc?.d in a private mount namespace (this machine's own /etc is untouched); each command line
 * is run R times in a row by `/bin/sh -c`, as sshd's login shell would run it, with sshd's PATH and
 * an empty environment, the script on stdin; the variants (bench/lib/ablation.ts) are interleaved
 * round by round and the mean per run of each round is printed.
 *
 *   npm run bench:host                      60 runs a round, 2 rounds
 *   npm run bench:host -- --runs 100 --rounds 3
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quote } from 'shell-quote';
import { KILL_TIMEOUT, shellCommand } from '../src/transport/command.js';
import { ablationVariants, type Variant } from './lib/ablation.js';
import { option } from './lib/args.js';
import { bindServices, writeServices } from './lib/loopback.js';

const runs = Number(option('runs', '60'));
const rounds = Number(option('rounds', '2'));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write('usage: observe-host [--runs R] [--rounds K]\n');
  process.exit(2);
}

/** What the command line alone costs, before any script: the pieces of the whole-command bound. */
const PIECES: Variant[] = [
  { id: 'true', label: '`true` (the login shell and one exec)', command: 'true' },
  { id: 'sh-s', label: '`sh -s`, empty stdin', command: 'sh -s', stdin: '' },
  {
    id: 'exec-timeout',
    label: `\`exec ${KILL_TIMEOUT} 60 sh -s\`, empty stdin`,
    command: `exec ${KILL_TIMEOUT} 60 sh -s`,
    stdin: '',
  },
  {
    id: 'command-line',
    label: "runstate's command line, empty stdin",
    command: quote(shellCommand(false, true, 60)),
    stdin: '',
  },
];

const dir = mkdtempSync('/tmp/rs-host-');
const { etc, sleeper } = writeServices(dir);
try {
  const variants = [...PIECES, ...ablationVariants(60)];
  for (const v of variants) {
    writeFileSync(join(dir, `${v.id}.cmd`), v.command);
    writeFileSync(join(dir, `${v.id}.in`), v.stdin ?? '');
  }
  // One line per variant and round: "<id> <microseconds per run>".
  const harness = [
    `${bindServices(etc)} || exit 1`,
    `k=0; while [ $k -lt ${rounds} ]; do k=$((k+1))`,
    `for v in ${variants.map((v) => v.id).join(' ')}; do`,
    `  cmd=$(cat ${dir}/$v.cmd); s=$(date +%s%N); i=0`,
    `  while [ $i -lt ${runs} ]; do i=$((i+1)); /bin/sh -c "$cmd" <${dir}/$v.in >/dev/null 2>&1; done`,
    `  e=$(date +%s%N); echo "$v $(( (e - s) / ${runs} / 1000 ))"`,
    'done; done',
  ].join('\n');
  const out = execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', harness], {
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const perRound = new Map<string, number[]>();
  for (const line of out.trim().split('\n')) {
    const [id, us] = line.split(' ');
    perRound.set(id as string, [...(perRound.get(id as string) ?? []), Number(us) / 1000]);
  }
  const lines = [
    `Host side, no sshd: ${runs} runs a round, ${rounds} interleaved rounds, ms per run`,
    '',
    '| what runs | ms a run, each round |',
    '|---|---|',
    ...variants.map(
      (v) => `| ${v.label} | ${(perRound.get(v.id) ?? []).map((ms) => ms.toFixed(1)).join(' / ')} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  sleeper.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
