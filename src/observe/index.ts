import type { DriverFacts } from '../drivers/driver.js';
import { ALL_DRIVERS, driverFor, type ObserveOptions } from '../drivers/index.js';
import { MANAGERS, type ManagerKind } from '../model/desired.js';
import type { ObservedRunlevel, ObservedService, ReachableHost, UnreachableHost } from '../model/observed.js';
import { parseResources } from './resources.js';
import { checkedNonce, driverRequest } from './script.js';
import { splitSections } from './sections.js';
import { parseWatch } from './watch.js';

export type { ObserveOptions } from '../drivers/index.js';
export { parseResources, type ResourceRequest, resourcesFragment } from './resources.js';
export { buildObserveScript, newNonce, type ScriptOptions } from './script.js';
export { splitSections } from './sections.js';
export { recordWatchCommand, WATCH_STATE_DIR } from './watch.js';

interface Detected {
  init: ManagerKind | 'unknown';
  /** Managers found running beside the init (supervisord). */
  beside: Set<ManagerKind>;
  /** The probes' words per manager found. */
  evidence: Partial<Record<ManagerKind, string>>;
}

function readDetect(body: string): Detected {
  const values = new Map<string, string>();
  for (const line of body.split('\n')) {
    const eq = line.indexOf('=');
    // First value wins: the script prints its own fields before anything from the host.
    if (eq > 0 && !values.has(line.slice(0, eq))) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const said = values.get('init') ?? 'unknown';
  const init = (MANAGERS as readonly string[]).includes(said) ? (said as ManagerKind) : 'unknown';
  const evidence: Detected['evidence'] = {};
  const initWhy = values.get('init-evidence');
  if (init !== 'unknown' && initWhy) evidence[init] = initWhy;
  const beside = new Set<ManagerKind>();
  for (const d of ALL_DRIVERS) {
    // `denied`: supervisorctl is there but may not open the socket; its section says so.
    const found = values.get(d.kind);
    if (d.detection.role !== 'beside' || (found !== 'yes' && found !== 'denied')) continue;
    beside.add(d.kind);
    const why = values.get(`${d.kind}-evidence`);
    if (why) evidence[d.kind] = why;
  }
  return { init, beside, evidence };
}

/** The drivers the script ran for this detection (as each driver declares), init system first. */
function managersFor(d: Detected): ManagerKind[] {
  const ran = ALL_DRIVERS.filter((driver) => {
    if (driver.detection.role === 'beside') return d.beside.has(driver.kind);
    return (
      d.init !== 'unknown' && (driver.kind === d.init || (driver.detection.alsoUnder ?? []).includes(d.init))
    );
  }).map((driver) => driver.kind);
  return d.init === 'unknown' ? ran : [d.init, ...ran.filter((k) => k !== d.init)];
}

/**
 * One service known to several managers: the first (init system first) that has it loaded;
 * if none has it, the init system's answer ("not-found" under the host's init).
 */
export function pickService(
  candidates: readonly ObservedService[],
  declared?: ManagerKind,
): ObservedService | undefined {
  // The playbook's own manager answers for it, found or not: never another manager's namesake.
  const own = declared === undefined ? undefined : candidates.find((c) => c.manager === declared);
  return own ?? candidates.find((c) => c.active !== 'not-found') ?? candidates[0];
}

/** The requested names as given; with discovery, then every other reported name, sorted. */
function namesToReport(
  services: readonly string[],
  facts: readonly DriverFacts[],
  opts: ObserveOptions,
): string[] {
  const requested = [...new Set(services)];
  if (!opts.discover) return requested;
  const asked = new Set(requested);
  const found = new Set(facts.flatMap((f) => f.services.map((s) => s.name)).filter((n) => !asked.has(n)));
  return [...requested, ...[...found].sort()];
}

/** Facts are data: no keys that JSON (and the plan digest) would silently drop. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function mergeRunlevels(facts: readonly DriverFacts[]): ObservedRunlevel {
  const runlevel: ObservedRunlevel = {};
  for (const f of facts) {
    runlevel.current ??= f.runlevel?.current;
    runlevel.default ??= f.runlevel?.default;
  }
  return withoutUndefined(runlevel);
}

/**
 * Turns one run's stdout into the host's observed state. Output that is not the script's (no
 * detect section), cut short (no done marker) or missing a section it promised counts as the host
 * being unreachable — a half-read host must never look like a host whose services are all gone.
 *
 * With `discover` (the script was built with it), `services` holds the requested names and then
 * every other service a manager reported, sorted; a name two managers know is picked as above.
 */
export function parseObserveOutput(
  host: string,
  stdout: string,
  nonce: string,
  services: readonly string[],
  opts: ObserveOptions = {},
): ReachableHost | UnreachableHost {
  const unreachable = (reason: string): UnreachableHost => ({ status: 'unreachable', host, reason });
  const { sections, done } = splitSections(stdout, checkedNonce(nonce));
  const detect = sections.get('detect');
  if (!detect)
    return unreachable('the observe script printed nothing runstate could read (is sh a POSIX shell?)');
  if (!done) return unreachable('the observe output was cut short');
  const detected = readDetect(detect.body);
  const managers = managersFor(detected);
  const facts: DriverFacts[] = [];
  for (const kind of managers) {
    const section = sections.get(kind);
    if (!section) return unreachable(`the observe output has no ${kind} section`);
    const driver = driverFor(kind);
    facts.push(driver.parse(section.body, ...driverRequest(driver, services, opts)));
  }
  const observed: Record<string, ObservedService> = {};
  for (const name of namesToReport(services, facts, opts)) {
    const candidates = facts.flatMap((f) => f.services.filter((s) => s.name === name));
    const picked = pickService(candidates, opts.managers?.[name]);
    if (picked) observed[name] = withoutUndefined(picked);
  }
  const watch = sections.get('watch');
  if (watch) {
    for (const [name, state] of Object.entries(parseWatch(watch.body))) {
      const svc = observed[name];
      if (svc) observed[name] = { ...svc, watch: state };
    }
  }
  const resources = sections.get('resources');
  return {
    status: 'ok',
    host,
    init: detected.init,
    managers,
    ...(Object.keys(detected.evidence).length > 0 ? { detection: detected.evidence } : {}),
    runlevel: mergeRunlevels(facts),
    services: observed,
    ...(resources ? { resources: parseResources(resources.body) } : {}),
  };
}
