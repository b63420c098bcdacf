import type { ActiveState, EnabledState, ObservedService } from '../model/observed.js';
import type { ChangeRequest, Driver, DriverFacts } from './driver.js';
import {
  checkedName,
  checkedNames,
  linesOf,
  type ObserveOptions,
  readTagged,
  setNames,
  shellWord,
  systemdOnlyProblem,
  TIMEOUT,
  withDiscovered,
} from './fragment.js';

/*
 * Containers as services (Docker's engine, `docker.io` on Debian; Podman, `podman` on Debian,
 * through the same code: its CLI takes the same words for everything used here). A service is an existing
 * container of that name: its run state is `state`, its restart policy is `enabled`
 * (always / unless-stopped start it when the engine starts, so they count as enabled; no and
 * on-failure do not). One `docker inspect` for every declared name, in the one observe script.
 * Creating containers (image, ports, volumes) is not runstate's: a missing one is a plan problem.
 *
 * The driver only looks at names a playbook gives `manager: docker` / `podman` (Detection.declaredOnly), so a
 * host with the docker CLI pays nothing unless it declares a container, and a container never
 * stands in for a unit of the same name.
 */

/** One line per container found; a leading `ctr|` so no line docker prints on stderr can pose as one. */
const FORMAT = 'ctr|{{.Name}}|{{.State.Status}}|{{.State.ExitCode}}|{{.HostConfig.RestartPolicy.Name}}';

/** The policy `enabled: true` sets: like `always`, but a container someone stopped stays stopped. */
export const ENABLED_POLICY = 'unless-stopped';

/** The engines this file serves; each is its own manager (a host may run both). */
export type ContainerEngine = 'docker' | 'podman';

function observeScript(cli: ContainerEngine, services: readonly string[], opts?: ObserveOptions): string {
  const names = checkedNames(services);
  const lines = [setNames(names)];
  if (opts?.discover) {
    // Every container the engine knows, then all of them in the same inspect.
    lines.push(
      `rs_ps=$(${TIMEOUT} ${cli} ps -a --format '{{.Names}}' 2>/dev/null); for rs_n in $rs_ps; do case " $* " in *" $rs_n "*) ;; *) set -- "$@" "$rs_n" ;; esac; done`,
    );
  }
  lines.push(
    // stderr too: "No such container: x" is how a missing one is told, "Cannot connect…" a dead engine.
    `if [ $# -gt 0 ]; then rs_o=$({ ${TIMEOUT} ${cli} inspect --type container --format ${shellWord(FORMAT)} "$@" 2>&1; } </dev/null); rs_c=$?`,
    `[ -z "$rs_o" ] || printf '%s\\n' "$rs_o" | sed 's/^/inspect|/'`,
    'echo "inspect?$rs_c"; fi',
  );
  return lines.join('\n');
}

export interface ContainerState {
  name: string;
  status: string;
  exitCode: number;
  policy: string;
}

/** `docker inspect --format FORMAT` lines → containers; the name loses its leading "/". */
export function parseInspectLines(lines: readonly string[]): ContainerState[] {
  const out: ContainerState[] = [];
  for (const line of lines) {
    const m = /^ctr\|\/?([^|]+)\|([a-z]+)\|(-?\d+)\|([a-z-]*)$/.exec(line.trim());
    if (!m) continue;
    out.push({
      name: m[1] as string,
      status: m[2] as string,
      exitCode: Number(m[3]),
      policy: m[4] as string,
    });
  }
  return out;
}

const STATUS: Record<string, ActiveState> = {
  running: 'active',
  created: 'inactive',
  exited: 'inactive',
  // The engine is restarting it after it exited (restart policy): on its way up.
  restarting: 'activating',
  removing: 'deactivating',
  // Podman's own words for a container that is not running (libpod's ContainerStatus).
  stopped: 'inactive',
  configured: 'inactive',
  initialized: 'inactive',
  stopping: 'deactivating',
  dead: 'failed',
};

/** always / unless-stopped: the engine starts it when it starts; no, on-failure (or none): it does not. */
export function policyEnabled(policy: string): EnabledState {
  if (policy === 'always' || policy === 'unless-stopped') return 'enabled';
  if (policy === '' || policy === 'no' || policy === 'on-failure') return 'disabled';
  return 'unknown';
}

function describe(c: ContainerState): string {
  const status = c.status === 'exited' ? `exited (code ${c.exitCode})` : c.status;
  return `${status}, restart policy ${c.policy || 'no'}`;
}

/** The engine's own words when it could not answer at all (not running, no permission on its socket). */
function engineProblem(lines: readonly string[]): string | undefined {
  const said = lines.map((l) => l.trim()).find((l) => /Cannot connect|permission denied|daemon/i.test(l));
  if (!said || /No such (container|object)/i.test(said)) return undefined;
  return said.slice(0, 200);
}

function serviceFor(
  manager: ContainerEngine,
  name: string,
  found: Map<string, ContainerState>,
  problem?: string,
): ObservedService {
  const c = found.get(name);
  if (c) {
    return {
      name,
      manager,
      active: STATUS[c.status] ?? 'unknown',
      enabled: policyEnabled(c.policy),
      detail: describe(c),
    };
  }
  if (problem) {
    return {
      name,
      manager,
      active: 'unknown',
      enabled: 'unknown',
      detail: problem,
      problem: `the ${manager} engine did not answer: ${problem}`,
    };
  }
  // Only a container that exists is managed: this one has to be created first.
  return { name, manager, active: 'not-found', enabled: 'not-found', detail: 'no such container' };
}

function parse(
  manager: ContainerEngine,
  output: string,
  services: readonly string[],
  opts: ObserveOptions = {},
): DriverFacts {
  const lines = linesOf(readTagged(output), 'inspect');
  const containers = parseInspectLines(lines);
  const found = new Map(containers.map((c) => [c.name, c]));
  const problem = containers.length === 0 ? engineProblem(lines) : undefined;
  const declared = checkedNames(services).map((name) => serviceFor(manager, name, found, problem));
  if (!opts.discover) return { services: declared };
  return {
    services: withDiscovered(
      declared,
      containers.map((c) => serviceFor(manager, c.name, found)),
    ),
  };
}

function unsupported(cli: ContainerEngine, change: ChangeRequest): string | undefined {
  switch (change.kind) {
    case 'mask':
    case 'unmask':
    case 'daemon-reload':
      return systemdOnlyProblem(change, cli);
    case 'set-runlevel':
    case 'set-default-runlevel':
      return `${cli} has no runlevels`;
    default:
      return undefined;
  }
}

/** Docker's own rule for container names (a subset of SPEC's service names). */
const CONTAINER_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/*
 * `podman update --restart` exists from Podman 5.1 on; an older podman (Debian 12 ships 4.3) fails
 * the enable/disable step with its own "unknown flag: --restart", and the step's error says so.
 */
function commands(cli: ContainerEngine, change: ChangeRequest): string[][] {
  if (unsupported(cli, change)) return [];
  const name = checkedName(change.service, change.kind);
  if (!CONTAINER_RE.test(name)) throw new Error(`bad container name ${JSON.stringify(name)}`);
  switch (change.kind) {
    case 'start':
    case 'stop':
    case 'restart':
      return [[cli, change.kind, name]];
    case 'enable':
      return [[cli, 'update', '--restart', ENABLED_POLICY, name]];
    case 'disable':
      return [[cli, 'update', '--restart', 'no', name]];
    default:
      return [];
  }
}

function containerDriver(cli: ContainerEngine): Driver {
  return {
    kind: cli,
    detection: {
      role: 'beside',
      declaredOnly: true,
      // A builtin test: the engine itself is asked only by the fragment, and only for declared names.
      probes: [{ test: `command -v ${cli} >/dev/null 2>&1`, evidence: `${cli} CLI on PATH` }],
    },
    capabilities: { bootDefault: false, masking: false },
    observeScript: (services, opts) => observeScript(cli, services, opts),
    parse: (output, services, opts) => parse(cli, output, services, opts),
    commands: (change) => commands(cli, change),
    unsupported: (change) => unsupported(cli, change),
    // The container's first process and its children (State.Pid is 0 while it is stopped).
    resourceSource: (service) =>
      `echo "pid $(${TIMEOUT} ${cli} inspect --type container --format '{{.State.Pid}}' ${shellWord(checkedName(service, 'resources'))} 2>/dev/null </dev/null)"`,
  };
}

export const dockerDriver: Driver = containerDriver('docker');

/*
 * Podman has no daemon: each command opens the container store itself, and rootful podman's store
 * is root's. `unless-stopped`/`always` containers come back at boot only where podman-restart.service
 * (shipped with podman, under systemd) is enabled; without it a restart policy acts on exits only.
 */
export const podmanDriver: Driver = containerDriver('podman');
