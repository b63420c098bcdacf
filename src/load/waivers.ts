import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isSeq } from 'yaml';
import type { Desired } from '../model/desired.js';
import { DRIFT_FIELDS, type DriftField } from '../model/drift.js';
import { hostNamed, type Inventory } from '../model/inventory.js';
import { type Problem, ProblemsError } from '../model/source.js';
import type { LoadedWaivers, Waiver } from '../model/waiver.js';
import { readText } from './files.js';
import { didYouMean, q } from './names.js';
import { schemaProblems } from './schema.js';
import { dataOf, mapEntries, parseYaml, refOf, type SourceDoc } from './yaml-doc.js';

/** The waivers file runstate looks for beside the playbooks. */
export const WAIVERS_FILE = 'drift-waivers.yml';

/** How far ahead a waiver may expire unless --waiver-max-days says otherwise. */
export const DEFAULT_WAIVER_MAX_DAYS = 90;

const HOST_FIELDS: readonly DriftField[] = ['runlevel', 'default-runlevel'];
const DAY_MS = 86_400_000;

/** The entries of a `waivers:` list (already schema-checked), each with the place it was written. */
export function readWaiverList(src: SourceDoc, node: unknown): Waiver[] {
  if (!isSeq(node)) return [];
  const out: Waiver[] = [];
  for (const item of node.items) {
    const fields = new Map(mapEntries(src, item).map((e) => [e.key, e.value?.toJS(src.doc) as unknown]));
    const text = (k: string) => (typeof fields.get(k) === 'string' ? (fields.get(k) as string) : undefined);
    const target = text('host');
    const reason = text('reason');
    const owner = text('owner');
    const expires = text('expires');
    if (!target || !reason || !owner || !expires) continue; // the schema already said what is missing
    const field = text('field');
    const service = text('service');
    out.push({
      target,
      ...(service !== undefined ? { service } : {}),
      ...(field !== undefined && (DRIFT_FIELDS as readonly string[]).includes(field)
        ? { field: field as DriftField }
        : {}),
      reason,
      owner,
      expires,
      where: refOf(src, item as Parameters<typeof refOf>[1]),
    });
  }
  return out;
}

/** `--waivers FILE`, else every drift-waivers.yml beside the playbooks (in their directory) that exists. */
export async function waiverFiles(playbooks: readonly string[], explicit?: string): Promise<string[]> {
  if (explicit !== undefined) return [explicit];
  const dirs = new Set<string>();
  for (const p of playbooks) {
    const isDir = await stat(p).then(
      (s) => s.isDirectory(),
      () => false,
    );
    dirs.add(isDir ? p : dirname(p));
  }
  const found: string[] = [];
  for (const d of dirs) {
    const file = join(d, WAIVERS_FILE);
    if (
      await stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      found.push(file);
  }
  return found;
}

/** Reads waiver files: YAML 1.2 + schemas/waivers.schema.json, every problem with file:line. */
export async function readWaiverFiles(
  files: readonly string[],
): Promise<{ waivers: Waiver[]; problems: Problem[] }> {
  const waivers: Waiver[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const { text, problem } = await readText(file, 'waivers');
    if (problem || text === undefined) {
      if (problem) problems.push(problem);
      continue;
    }
    const parsed = parseYaml(file, text, '1.2');
    problems.push(...parsed.problems);
    const src = parsed.source;
    if (!src) continue;
    if (src.doc.contents === null) {
      problems.push({
        where: { file, line: 1, col: 1 },
        message: 'the waivers file is empty',
        hint: 'start it with "version: 1" and "waivers:", or delete it',
      });
      continue;
    }
    problems.push(...schemaProblems('waivers', dataOf(src), { src, label: waiverLabel }));
    const list = mapEntries(src, src.doc.contents).find((e) => e.key === 'waivers');
    waivers.push(...readWaiverList(src, list?.value));
  }
  return { waivers, problems };
}

/** How schema messages name a place in a waivers list: "waiver 2". */
export function waiverLabel(path: string[]): string {
  const i = path.indexOf('waivers');
  const n = path[i + 1];
  if (i >= 0 && n !== undefined && /^\d+$/.test(n)) return `waiver ${Number(n) + 1}`;
  return path.length === 0 ? 'the waivers file' : q(path[path.length - 1] ?? '');
}

export interface WaiverCheck {
  /** Refused: names nothing declared, a date that is not one, further ahead than allowed. */
  problems: Problem[];
  /** Expired: still read (the drift fails again), but worth removing or renewing. */
  warnings: Problem[];
}

/**
 * The meaning checks `validate` (and drift/watch, before any host is contacted) make: each waiver
 * must name a declared item — a host or group of the inventory that declares the service and, when
 * given, the field — and expire on a real date no more than `maxDays` after `today` (YYYY-MM-DD).
 */
export function checkWaivers(
  waivers: readonly Waiver[],
  desired: Desired,
  inventory: Inventory,
  today: string,
  maxDays: number,
): WaiverCheck {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const latest = addDays(today, maxDays);
  for (const w of waivers) {
    const where = w.where;
    const hosts = targetHosts(inventory, w.target);
    if (!hosts) {
      const names = [...Object.keys(inventory.hosts), ...Object.keys(inventory.groups), 'all'];
      problems.push({
        where,
        message: `waiver names ${q(w.target)}, which is no host or group of the inventory`,
        hint: didYouMean(w.target, names) ?? 'name an inventory host, group, or "all"',
      });
    } else {
      const declared = declaredProblem(w, hosts, desired);
      if (declared) problems.push({ where, ...declared });
    }
    if (!realDate(w.expires)) {
      problems.push({
        where,
        message: `waiver expires on ${q(w.expires)}, which is no calendar date`,
        hint: 'write YYYY-MM-DD, e.g. 2027-01-15',
      });
    } else if (w.expires > latest) {
      problems.push({
        where,
        message: `waiver expires ${w.expires}, more than ${maxDays} days ahead (latest allowed: ${latest})`,
        hint: 'waive for less time and renew it when it comes up, or raise the limit with --waiver-max-days N',
      });
    } else if (w.expires <= today) {
      warnings.push({
        where,
        message: `waiver of ${waiverSubject(w)} expired on ${w.expires}: that drift fails the run again`,
        hint: 'fix the drift and remove the waiver, or renew it with a new date and reason',
      });
    }
  }
  return { problems, warnings };
}

/** "bed-systemd:crm-db state", "web (runlevel)". */
export function waiverSubject(w: Pick<Waiver, 'target' | 'service' | 'field'>): string {
  const base = w.service !== undefined ? `${w.target}:${w.service}` : `${w.target} (host)`;
  return w.field ? `${base} ${w.field}` : base;
}

/** The hosts a waiver's target names, or undefined when the inventory has no such host or group. */
export function targetHosts(inventory: Inventory, target: string): Set<string> | undefined {
  if (target === 'all') return new Set(Object.keys(inventory.hosts));
  if (hostNamed(inventory, target)) return new Set([target]);
  const group = inventory.groups[target];
  return group ? new Set(group.hosts) : undefined;
}

function declaredProblem(
  w: Waiver,
  hosts: ReadonlySet<string>,
  desired: Desired,
): { message: string; hint: string } | undefined {
  const wants = [...hosts].map((h) => desired.hosts[h]).filter((h) => h !== undefined);
  if (w.service === undefined) {
    if (w.field !== undefined && !HOST_FIELDS.includes(w.field)) {
      return { message: `waiver of field ${q(w.field)} names no service`, hint: 'add "service: NAME"' };
    }
    if (wants.some((h) => h.runlevel !== undefined)) return undefined;
    return {
      message: `waiver names the runlevel of ${q(w.target)}, but no playbook declares one there`,
      hint: 'name a service ("service: NAME"), or declare a runlevel for it',
    };
  }
  if (w.field !== undefined && HOST_FIELDS.includes(w.field)) {
    return {
      message: `field ${q(w.field)} belongs to the host, not to a service`,
      hint: 'leave "service" out',
    };
  }
  const services = wants.map((h) => h.services[w.service as string]).filter((s) => s !== undefined);
  if (services.length === 0) {
    const known = wants.flatMap((h) => Object.keys(h.services));
    return {
      message: `waiver names service ${q(w.service)} of ${q(w.target)}, which no playbook declares there`,
      hint: didYouMean(w.service, known) ?? 'waive only what a playbook declares for that host or group',
    };
  }
  if (w.field === undefined || w.field === 'state' || w.field === 'present') return undefined;
  const has = services.some((s) => {
    switch (w.field) {
      case 'enabled':
        return s.enabled !== undefined;
      case 'masked':
        return s.masked === true;
      case 'health':
        return s.health !== undefined;
      case 'restart':
        return (s.restart?.onChange.length ?? 0) > 0;
      default:
        return true;
    }
  });
  return has
    ? undefined
    : {
        message: `waiver names field ${q(w.field)} of ${w.target}:${w.service}, which the playbooks do not declare`,
        hint: 'waive a field that is declared, or leave "field" out to waive the service',
      };
}

function realDate(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** YYYY-MM-DD plus n days, in UTC. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Every waiver of a run — the files beside the playbooks (or `file`) and the playbooks' `waivers:` —
 * read and checked; any problem throws a ProblemsError before a host is contacted. Expired waivers
 * come back as warnings, for the caller to show (the CLI prints them; the SDK returns them).
 */
export async function loadCheckedWaivers(
  playbooks: readonly string[],
  desired: Desired,
  inventory: Inventory,
  opts: { file?: string | undefined; maxDays?: number | undefined },
  today: string,
): Promise<{ loaded: LoadedWaivers; warnings: Problem[] }> {
  const read = await readWaiverFiles(await waiverFiles(playbooks, opts.file));
  const waivers = [...(desired.waivers ?? []), ...read.waivers];
  const { problems, warnings } = checkWaivers(
    waivers,
    desired,
    inventory,
    today,
    opts.maxDays ?? DEFAULT_WAIVER_MAX_DAYS,
  );
  const all = [...read.problems, ...problems];
  if (all.length > 0) throw new ProblemsError(all);
  return { loaded: { waivers, inventory }, warnings };
}
