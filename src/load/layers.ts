import type { DesiredHost, DesiredService, Origin } from '../model/desired.js';
import { type Inventory, useHost } from '../model/inventory.js';
import type { Problem, SourceRef } from '../model/source.js';
import { didYouMean, listNames, q } from './names.js';
import {
  type Decl,
  FIELDS,
  type Field,
  type RawRequire,
  type ServiceDecl,
  type TargetEntry,
} from './playbook-parse.js';
import { userUnitProblem } from './user-units.js';
import { sameValue, valueText } from './values.js';
import { formatRef } from './yaml-doc.js';

/** A playbook key placed in its layer: all (0) < group (1) < host (2). */
export interface Layered {
  entry: TargetEntry;
  layer: string;
  rank: number;
  hosts: string[];
}

/**
 * The origin of a field only one layer set, shared by all the hosts of that layer. Kept in a Map
 * per merge (not a WeakMap: 200,000 weak entries made every garbage collection slower).
 */
function soleOrigin(origins: Map<Decl, Origin> | undefined, d: Decl, layer: string): Origin {
  if (!origins) return { layer, where: d.where };
  let o = origins.get(d);
  if (!o) {
    o = { layer, where: d.where };
    origins.set(d, o);
  }
  return o;
}

/** One service's declaration in one layer. */
interface LayeredDecl {
  decl: ServiceDecl;
  layer: string;
  rank: number;
}

interface Candidate {
  value: unknown;
  where: SourceRef;
  layer: string;
  rank: number;
}

export interface Merged {
  hosts: Record<string, DesiredHost>;
  /** host → service → the `requires` items that won, resolved later against all hosts. */
  requires: Map<string, Map<string, RawRequire[]>>;
  /** host → every service name its layers mention, usable or not, so `requires` on a service
   *  with a reported error does not add a second, misleading "declares no service". */
  declared: Map<string, Set<string>>;
}

/** A host's own entry: the highest layer, and the one no other host shares. */
const HOST_RANK = 2;

export function placeTargets(entries: TargetEntry[], inventory: Inventory, problems: Problem[]): Layered[] {
  const out: Layered[] = [];
  for (const entry of entries) {
    const { key } = entry;
    const group = inventory.groups[key];
    // A group first: a group named "localhost" matches as a group, and no implicit host is made.
    const host = group ? undefined : useHost(inventory, key);
    if (key === 'all') out.push({ entry, layer: 'all', rank: 0, hosts: Object.keys(inventory.hosts) });
    else if (group) out.push({ entry, layer: `group:${key}`, rank: 1, hosts: group.hosts });
    // host.name, not key: the implicit localhost keeps the first of its names used.
    else if (host) out.push({ entry, layer: `host:${host.name}`, rank: HOST_RANK, hosts: [host.name] });
    else {
      const names = [...Object.keys(inventory.hosts), ...Object.keys(inventory.groups)];
      problems.push({
        where: entry.where,
        message: `unknown host or group ${q(key)}`,
        hint:
          didYouMean(key, names) ??
          `the inventory (${inventory.files.join(', ')}) has no host or group of that name`,
      });
    }
  }
  return out;
}

/** Same-layer disagreements, collected across hosts so each pair of places is reported once. */
class Conflicts {
  private readonly seen = new Map<string, { what: string; a: Candidate; b: Candidate; hosts: string[] }>();

  add(what: string, host: string, a: Candidate, b: Candidate): void {
    const key = `${what}|${formatRef(a.where)}|${formatRef(b.where)}`;
    const c = this.seen.get(key) ?? { what, a, b, hosts: [] };
    c.hosts.push(host);
    this.seen.set(key, c);
  }

  problems(): Problem[] {
    return [...this.seen.values()].map(({ what, a, b, hosts }) => ({
      where: b.where,
      message:
        `conflicting desires for ${what} on ${hosts.length > 1 ? 'hosts' : 'host'} ${listNames(hosts)}: ` +
        `${valueText(a.value)} (${a.layer} at ${formatRef(a.where)}) vs ${valueText(b.value)} (${b.layer} at ${formatRef(b.where)})`,
      hint:
        a.rank === 1
          ? `make the groups agree, or set it for the host itself under "hosts: ${hosts[0]}:", which overrides groups`
          : 'keep one of the two values',
    }));
  }
}

/** Values as the user wrote them, for Origin.overrode (requires items without their positions). */
function asWritten(v: unknown): unknown {
  return Array.isArray(v)
    ? v.map((x: unknown) => (typeof x === 'object' && x !== null && 'raw' in x ? x.raw : x))
    : v;
}

/**
 * The winning candidate (highest layer) and what it overrode; same-layer disagreement is a conflict.
 * Plain loops and object literals, not spreads or rest patterns: 20,000 unique merges (one-host
 * entries over their group's) each decide several fields, and the copies were most of merging.
 */
function decide(
  cands: Candidate[],
  onConflict: (a: Candidate, b: Candidate) => void,
): { value: unknown; origin: Origin } {
  let top = -Infinity;
  for (const c of cands) if (c.rank > top) top = c.rank;
  let winner: Candidate | undefined;
  let other: Candidate | undefined;
  const lower: Candidate[] = [];
  for (const c of cands) {
    if (c.rank < top) lower.push(c);
    else if (!winner) winner = c;
    else if (!other && !sameValue(c.value, winner.value)) other = c;
  }
  const win = winner as Candidate;
  if (other) onConflict(win, other);
  if (lower.length === 0) return { value: win.value, origin: { layer: win.layer, where: win.where } };
  // Highest first; a stable sort keeps the written order among candidates of the same layer.
  if (lower.length > 1) lower.sort((a, b) => b.rank - a.rank);
  const overrode = lower.map((c) => ({ layer: c.layer, where: c.where, value: asWritten(c.value) }));
  return { value: win.value, origin: { layer: win.layer, where: win.where, overrode } };
}

/** A host-wide field (runlevel, stack, resources) as its layers decide it. */
interface HostField<T> {
  value: T;
  origin: Origin;
  conflicts: [a: Candidate, b: Candidate][];
}

/**
 * What a host's layers make of it, apart from its name: hosts with the same layers (the hosts of
 * one group, or all hosts) share it, so each is merged once per combination of layers rather than
 * once per host. Conflicts are kept here and recorded for every host, so messages name them all.
 */
interface HostTemplate {
  runlevel?: HostField<DesiredHost['runlevel']>;
  stack?: HostField<string>;
  resources?: HostField<DesiredHost['resources']>;
  services: { name: string; done: { merged?: MergedService; conflicts: Conflict[] } }[];
  declared: Set<string>;
  requires: Map<string, RawRequire[]>;
}

function hostField<T>(
  layers: readonly Layered[],
  pick: (e: TargetEntry) => { value: T; where: SourceRef } | undefined,
): HostField<T> | undefined {
  const cands: (Candidate & { value: T })[] = [];
  for (const t of layers) {
    const d = pick(t.entry);
    if (d) cands.push({ value: d.value, where: d.where, layer: t.layer, rank: t.rank });
  }
  if (cands.length === 0) return undefined;
  const conflicts: HostField<T>['conflicts'] = [];
  const { value, origin } = decide(cands, (a, b) => conflicts.push([a, b]));
  // The winner's own value object, not a copy (decide hands back the same one).
  return { value: cands.find((c) => c.value === value)?.value as T, origin, conflicts };
}

function hostTemplate(
  layers: readonly Layered[],
  services: ServiceMerges,
  problems: Problem[],
): HostTemplate {
  const template: HostTemplate = { services: [], declared: new Set(), requires: new Map() };
  const runlevel = hostField(layers, (e) => e.runlevel);
  if (runlevel) template.runlevel = runlevel;
  const stack = hostField(layers, (e) => e.stack);
  if (stack) template.stack = stack;
  const resources = hostField(layers, (e) => e.resources);
  if (resources) template.resources = resources;
  // Each service's declarations across these layers, gathered once (not per field).
  const decls = new Map<string, LayeredDecl[]>();
  for (const t of layers) {
    for (const decl of t.entry.services) {
      const list = decls.get(decl.name);
      const d = { decl, layer: t.layer, rank: t.rank };
      if (list) list.push(d);
      else decls.set(decl.name, [d]);
    }
  }
  for (const [name, list] of decls) {
    template.declared.add(name);
    const done = services.merge(name, list, problems);
    template.services.push({ name, done });
    if (done.merged?.requires) template.requires.set(name, done.merged.requires);
  }
  return template;
}

export function mergeLayers(targets: Layered[], problems: Problem[]): Merged {
  const byHost = new Map<string, Layered[]>();
  const index = new Map<Layered, number>();
  for (const t of targets) {
    index.set(t, index.size);
    for (const h of t.hosts) {
      const list = byHost.get(h);
      if (list) list.push(t);
      else byHost.set(h, [t]);
    }
  }
  const conflicts = new Conflicts();
  const services = new ServiceMerges();
  const templates = new Map<string, HostTemplate>();
  const merged: Merged = { hosts: {}, requires: new Map(), declared: new Map() };
  for (const host of [...byHost.keys()].sort()) {
    const layers = byHost.get(host) ?? [];
    // A host layer is one host's own: its combination is never shared, so it is not kept.
    const shared = layers.every((t) => t.rank < HOST_RANK);
    const key = shared ? layers.map((t) => index.get(t)).join(',') : '';
    let template = shared ? templates.get(key) : undefined;
    if (!template) {
      template = hostTemplate(layers, services, problems);
      if (shared) templates.set(key, template);
    }
    const desired: DesiredHost = { host, services: {} };
    const { runlevel, stack, resources } = template;
    if (runlevel) {
      for (const [a, b] of runlevel.conflicts) conflicts.add('the runlevel', host, a, b);
      desired.runlevel = runlevel.value;
      desired.runlevelOrigin = runlevel.origin;
    }
    if (stack) {
      for (const [a, b] of stack.conflicts) conflicts.add('the stack', host, a, b);
      desired.stack = stack.value;
      desired.stackOrigin = stack.origin;
    }
    if (resources) {
      for (const [a, b] of resources.conflicts) conflicts.add('the resources', host, a, b);
      desired.resources = resources.value;
      desired.resourcesOrigin = resources.origin;
    }
    for (const { name, done } of template.services) {
      for (const [what, a, b] of done.conflicts) conflicts.add(what, host, a, b);
      // Each host gets its own service object (requires are resolved per host, in place); what
      // is inside — origins, health, limits — is shared by every host of the same layers.
      if (done.merged) desired.services[name] = { ...done.merged.service, requires: [] };
    }
    merged.declared.set(host, template.declared);
    if (desired.runlevel || desired.stack || desired.resources || template.services.length > 0)
      merged.hosts[host] = desired;
    merged.requires.set(host, template.requires);
  }
  problems.push(...conflicts.problems());
  return merged;
}

type MergedService = { service: DesiredService; requires?: RawRequire[] };
/** A same-layer disagreement found while merging, to be recorded for each host it applies to. */
type Conflict = [what: string, a: Candidate, b: Candidate];

/**
 * One service's merge for each distinct list of declarations: the hosts of a group (or of `all`)
 * share their layers, so the merge is worked out once per layer combination, not once per host —
 * on 10,000 hosts that was the largest part of merging. The result does not depend on the host:
 * only the conflicts name it, and they are replayed per host.
 */
class ServiceMerges {
  private readonly single = new Map<ServiceDecl, { merged?: MergedService; conflicts: Conflict[] }>();
  private readonly multi = new Map<string, { merged?: MergedService; conflicts: Conflict[] }>();
  private readonly ids = new Map<ServiceDecl, number>();
  private readonly origins = new Map<Decl, Origin>();

  merge(
    name: string,
    decls: readonly LayeredDecl[],
    problems: Problem[],
  ): { merged?: MergedService; conflicts: Conflict[] } {
    // A host's own layer belongs to that host alone, and each host merges each name once: a merge
    // that includes it is never met again, so it is neither looked up nor kept (nor its origins).
    if (decls.some((d) => d.rank === HOST_RANK)) {
      const conflicts: Conflict[] = [];
      const onConflict = (what: string, a: Candidate, b: Candidate) => conflicts.push([what, a, b]);
      const merged = mergeService(name, decls, undefined, onConflict, problems);
      return merged ? { merged, conflicts } : { conflicts };
    }
    let key: string | undefined;
    if (decls.length === 1) {
      const hit = this.single.get((decls[0] as LayeredDecl).decl);
      if (hit) return hit;
    } else {
      key = decls.map((d) => this.id(d.decl)).join(',');
      const hit = this.multi.get(key);
      if (hit) return hit;
    }
    const conflicts: Conflict[] = [];
    const onConflict = (what: string, a: Candidate, b: Candidate) => conflicts.push([what, a, b]);
    const merged = mergeService(name, decls, this.origins, onConflict, problems);
    const done = merged ? { merged, conflicts } : { conflicts };
    if (key === undefined) this.single.set((decls[0] as LayeredDecl).decl, done);
    else this.multi.set(key, done);
    return done;
  }

  private id(d: ServiceDecl): number {
    let id = this.ids.get(d);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(d, id);
    }
    return id;
  }
}

function mergeService(
  name: string,
  decls: readonly LayeredDecl[],
  origins: Map<Decl, Origin> | undefined,
  onConflict: (what: string, a: Candidate, b: Candidate) => void,
  problems: Problem[],
): MergedService | undefined {
  const values: Partial<Record<Field, unknown>> = {};
  const origin: Record<string, Origin> = {};
  for (const field of FIELDS) {
    let only: LayeredDecl | undefined;
    let count = 0;
    for (const d of decls) {
      if (d.decl.fields.has(field)) {
        only = d;
        count++;
      }
    }
    if (count === 0 || !only) continue;
    if (count === 1) {
      // One layer set it: nothing to decide, and the origin is the same for every host of that layer.
      const d = only.decl.fields.get(field) as Decl;
      values[field] = d.value;
      origin[field] = soleOrigin(origins, d, only.layer);
      continue;
    }
    const cands: Candidate[] = [];
    for (const { decl, layer, rank } of decls) {
      const d = decl.fields.get(field);
      if (d) cands.push({ value: d.value, where: d.where, layer, rank });
    }
    const decided = decide(cands, (a, b) => onConflict(`${q(field)} of service ${q(name)}`, a, b));
    values[field] = decided.value;
    origin[field] = decided.origin;
  }
  const state = values.state;
  // Without a usable state the schema has already reported the service.
  if (state !== 'running' && state !== 'stopped') return undefined;
  const service: DesiredService = {
    name,
    state,
    tier: (values.tier ?? 'main') as DesiredService['tier'],
    manager: (values.manager ?? 'auto') as DesiredService['manager'],
    requires: [],
    origin,
  };
  if (typeof values.enabled === 'boolean') service.enabled = values.enabled;
  if (values.health !== undefined) service.health = values.health as DesiredService['health'];
  if (values.masked === true) {
    const contradiction = maskedContradiction(state, values.enabled);
    const where = (origin.masked as Origin).where;
    // Once per place written, not once per host of the group it was written for.
    const known = problems.some((p) => p.message === contradiction?.message && p.where === where);
    if (contradiction && !known) problems.push({ where, ...contradiction });
    else if (!contradiction) service.masked = true;
  }
  if (typeof values.user === 'string') {
    const problem = userUnitProblem(service.manager, values.user);
    const where = (origin.user as Origin).where;
    const known = problems.some((p) => p.message === problem?.message && p.where === where);
    if (problem && !known) problems.push({ where, ...problem });
    else if (!problem) service.user = values.user;
  }
  if (values.restart !== undefined) service.restart = values.restart as DesiredService['restart'];
  if (values.rolling !== undefined) service.rolling = values.rolling as DesiredService['rolling'];
  if (values.limits !== undefined) service.limits = values.limits as DesiredService['limits'];
  const requires = values.requires as RawRequire[] | undefined;
  return requires ? { service, requires } : { service };
}

/** `masked: true` keeps a service from starting at all: it goes with `state: stopped` only. */
function maskedContradiction(
  state: DesiredService['state'],
  enabled: unknown,
): { message: string; hint: string } | undefined {
  if (state === 'running')
    return {
      message: 'masked: true with state: running: a masked service cannot start',
      hint: 'set state: stopped, or drop masked: true',
    };
  if (enabled === true)
    return {
      message: 'masked: true with enabled: true: a masked service cannot start at boot',
      hint: 'drop enabled: true (masked implies disabled)',
    };
  return undefined;
}
