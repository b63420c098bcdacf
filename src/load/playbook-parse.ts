import { posix } from 'node:path';
import type { ErrorObject } from 'ajv';
import { isNode, isSeq } from 'yaml';
import {
  LOGIN_NAME_RE,
  MANAGERS,
  type ResourceThresholds,
  type Rolling,
  type Runlevel,
  TIERS,
} from '../model/desired.js';
import type { Problem, SourceRef } from '../model/source.js';
import type { Waiver } from '../model/waiver.js';
import { readHealth } from './health.js';
import { q, serviceNameProblem } from './names.js';
import { readLimits, readResources } from './resources.js';
import { parseRunlevel } from './runlevel.js';
import { schemaProblems } from './schema.js';
import { readWaiverList } from './waivers.js';
import { dataOf, type Entry, mapEntries, nodeData, refOf, type SourceDoc } from './yaml-doc.js';

export const FIELDS = [
  'state',
  'enabled',
  'tier',
  'manager',
  'health',
  'requires',
  'user',
  'restart',
  'masked',
  'rolling',
  'limits',
] as const;
export type Field = (typeof FIELDS)[number];

/** One field as one layer wrote it; `where` is the key, the place `--explain` points at. */
export interface Decl {
  value: unknown;
  where: SourceRef;
}

/** A `requires` item as written: "svc", "host:svc" or "group:svc". */
export interface RawRequire {
  raw: string;
  where: SourceRef;
  target?: string;
  service: string;
}

export interface ServiceDecl {
  name: string;
  where: SourceRef;
  fields: Map<Field, Decl>;
}

/** One key under `hosts:` in one file. */
export interface TargetEntry {
  key: string;
  where: SourceRef;
  runlevel?: { value: Runlevel; where: SourceRef };
  stack?: { value: string; where: SourceRef };
  resources?: { value: ResourceThresholds; where: SourceRef };
  services: ServiceDecl[];
}

function playbookLabel(path: string[]): string {
  const n = path.length;
  const last = path[n - 1] ?? '';
  if (n === 0) return 'the playbook';
  if (n === 2 && path[0] === 'hosts') return `hosts entry ${q(last)}`;
  if (path[n - 2] === 'services') return `service ${q(last)}`;
  if (last === 'health' || last === 'restart') return `the ${last} of service ${q(path[n - 2] ?? '')}`;
  return q(last);
}

/** Checked by the loader itself, with messages that name the value and suggest a fix. */
function checkedInCode(path: string[], e: ErrorObject): boolean {
  if (e.keyword === 'propertyNames' || e.propertyName !== undefined) return true;
  if (path.length === 3 && (path[2] === 'runlevel' || path[2] === 'stack')) return true;
  if (path.length === 5 && path[4] === 'user' && (e.keyword === 'pattern' || e.keyword === 'maxLength'))
    return true;
  return path.length === 6 && path[4] === 'requires' && e.keyword === 'pattern';
}

export function readPlaybookDoc(src: SourceDoc): {
  entries: TargetEntry[];
  problems: Problem[];
  waivers?: Waiver[];
} {
  if (src.doc.contents === null) {
    const where = { file: src.file, line: 1, col: 1 };
    return {
      entries: [],
      problems: [
        { where, message: 'the playbook is empty', hint: 'start it with "version: 1" and "hosts:"' },
      ],
    };
  }
  const problems = schemaProblems('playbook', dataOf(src), {
    src,
    label: playbookLabel,
    skip: checkedInCode,
  });
  const entries: TargetEntry[] = [];
  const top = mapEntries(src, src.doc.contents);
  const hosts = top.find((e) => e.key === 'hosts');
  const waiverList = top.find((e) => e.key === 'waivers');
  for (const t of mapEntries(src, hosts?.value)) {
    const entry: TargetEntry = { key: t.key, where: refOf(src, t.keyNode), services: [] };
    for (const e of mapEntries(src, t.value)) {
      if (e.key === 'runlevel') {
        const r = parseRunlevel(e.value?.toJS(src.doc));
        if ('kind' in r) entry.runlevel = { value: r, where: refOf(src, e.keyNode) };
        else problems.push({ where: refOf(src, e.value), ...r });
      } else if (e.key === 'stack') {
        const v: unknown = e.value?.toJS(src.doc);
        const bad = stackNameProblem(v);
        if (bad) problems.push({ where: refOf(src, e.value ?? e.keyNode), ...bad });
        else entry.stack = { value: v as string, where: refOf(src, e.keyNode) };
      } else if (e.key === 'resources') {
        const r = readResources(src, e, problems);
        if (r) entry.resources = { value: r, where: refOf(src, e.keyNode) };
      } else if (e.key === 'services') {
        for (const s of mapEntries(src, e.value)) {
          const bad = serviceNameProblem(s.key);
          if (bad) problems.push({ where: refOf(src, s.keyNode), ...bad });
          else entry.services.push(readService(src, s, problems));
        }
      }
    }
    entries.push(entry);
  }
  return { entries, problems, ...(waiverList ? { waivers: readWaiverList(src, waiverList.value) } : {}) };
}

export const STACK_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A stack name is shown in plans and barrier ids: a short plain word. */
export function stackNameProblem(v: unknown): { message: string; hint: string } | undefined {
  if (typeof v === 'string' && STACK_NAME_RE.test(v)) return undefined;
  return {
    message: `stack must be a name of letters, digits, ".", "_" or "-" (got ${JSON.stringify(v) ?? String(v)})`,
    hint: 'e.g. "stack: crm"; hosts that name no stack are in the stack "default"',
  };
}

function readService(src: SourceDoc, s: Entry, problems: Problem[]): ServiceDecl {
  const decl: ServiceDecl = { name: s.key, where: refOf(src, s.keyNode), fields: new Map() };
  for (const e of mapEntries(src, s.value)) {
    const where = refOf(src, e.keyNode);
    const value = readField(src, e, problems);
    if (value !== undefined) decl.fields.set(e.key as Field, { value, where });
  }
  return decl;
}

/** The field's value, or undefined when it is not usable (the schema reports why). */
function readField(src: SourceDoc, e: Entry, problems: Problem[]): unknown {
  const v: unknown = nodeData(src, e.value);
  switch (e.key) {
    case 'state':
      return v === 'running' || v === 'stopped' ? v : undefined;
    case 'enabled':
    case 'masked':
      return typeof v === 'boolean' ? v : undefined;
    case 'user':
      // Only a login name ever reaches a host (the schema reports a value that is no string).
      if (typeof v !== 'string' || LOGIN_NAME_RE.test(v)) return v;
      problems.push({
        where: refOf(src, e.value ?? e.keyNode),
        message: `user ${q(v.length > 40 ? `${v.slice(0, 40)}…` : v)} is not a login name`,
        hint: 'name the login whose systemd user unit this is, as useradd takes it: lower-case letters, digits, "_" and "-", starting with a letter or "_", at most 32 (e.g. alice)',
      });
      return undefined;
    case 'tier':
      return (TIERS as readonly unknown[]).includes(v) ? v : undefined;
    case 'manager':
      return v === 'auto' || (MANAGERS as readonly unknown[]).includes(v) ? v : undefined;
    case 'health': {
      const h = readHealth(src, e.value);
      problems.push(...h.problems);
      return h.value;
    }
    case 'requires':
      return readRequires(src, e, problems);
    case 'rolling':
      return readRolling(v);
    case 'limits':
      return readLimits(src, e, problems);
    case 'restart': {
      const paths = (v as { on_change?: unknown } | null)?.on_change;
      if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.startsWith('/')))
        return undefined;
      const bad = paths.find((p: string) => watchPathProblem(p));
      if (bad !== undefined) {
        problems.push({
          where: refOf(src, e.value),
          message: watchPathProblem(bad) as string,
          hint: WATCH_HINT,
        });
        return undefined;
      }
      return { onChange: paths };
    }
    default:
      return undefined;
  }
}

/** The schema has checked the shape and reports a bad one; here only a usable value is kept. */
function readRolling(v: unknown): Rolling | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { max_down: maxDown, pause = 0 } = v as { max_down?: unknown; pause?: unknown };
  const pauseSec = parsePause(pause);
  if (pauseSec === undefined) return undefined;
  if (typeof maxDown === 'number' && Number.isInteger(maxDown) && maxDown >= 1)
    return { maxDown: { count: maxDown }, pauseSec };
  const pct = typeof maxDown === 'string' ? /^(100|[1-9][0-9]?)%$/.exec(maxDown) : null;
  return pct ? { maxDown: { percent: Number(pct[1]) }, pauseSec } : undefined;
}

/** `pause: 10`, `"10s"`, `"2m"`, `"1h"` → seconds. */
export function parsePause(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 86400 ? v : undefined;
  const m = typeof v === 'string' ? /^([0-9]{1,5})(s|m|h)$/.exec(v) : null;
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

function readRequires(src: SourceDoc, e: Entry, problems: Problem[]): RawRequire[] | undefined {
  const items = e.value?.toJS(src.doc);
  if (!Array.isArray(items)) return undefined;
  const out: RawRequire[] = [];
  const nodes = isSeq(e.value) ? e.value.items : [];
  for (const [i, raw] of items.entries()) {
    if (typeof raw !== 'string') continue;
    const node = nodes[i];
    const where = refOf(src, isNode(node) ? node : e.keyNode);
    const colon = raw.lastIndexOf(':');
    const target = colon < 0 ? undefined : raw.slice(0, colon);
    const service = raw.slice(colon + 1);
    if (target === '') {
      problems.push({
        where,
        message: `requires ${q(raw)} has nothing before ":"`,
        hint: 'write "service", "host:service" or "group:service"',
      });
      continue;
    }
    const bad = serviceNameProblem(service);
    if (bad) {
      problems.push({ where, ...bad });
      continue;
    }
    out.push(target === undefined ? { raw, where, service } : { raw, where, target, service });
  }
  return out;
}

const WATCH_HINT =
  'watch the regular files a service reads (its configuration), e.g. on_change: [/etc/crm/app.conf]';

/** Watched paths are read by the observe script on every run: only plain files outside kernel trees. */
function watchPathProblem(path: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'restart.on_change paths may not contain control characters';
  if (/^\/(dev|proc|sys|run\/user)(\/|$)/.test(posix.normalize(path))) {
    return 'restart.on_change paths under /dev, /proc and /sys are devices or kernel files, not configuration';
  }
  if (path.length > 4096) return 'restart.on_change paths are at most 4096 characters';
  return undefined;
}
