import { posix } from 'node:path';
import type { ResourceThresholds, ServiceLimits } from '../model/desired.js';
import type { Problem } from '../model/source.js';
import { type Entry, mapEntries, refOf, type SourceDoc } from './yaml-doc.js';

/** `90%` or 90 → 90; anything else (or above 100) is a problem with its own words. */
export function parsePercent(v: unknown): number | { message: string; hint: string } {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  const m = text === undefined ? null : /^(\d+(?:\.\d+)?)%?$/.exec(text);
  const n = m ? Number(m[1]) : Number.NaN;
  if (m && n > 0 && n <= 100) return n;
  return {
    message: `${JSON.stringify(v) ?? String(v)} is not a percentage between 0 and 100`,
    hint: 'write it like 90%',
  };
}

/**
 * A CPU limit: `50%`, `150%` or 50 → percent of one core (above 100 = more than one core, as
 * systemd's CPUQuota= reads it), at most 100 cores' worth.
 */
export function parseCpuShare(v: unknown): number | { message: string; hint: string } {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  const m = text === undefined ? null : /^(\d+(?:\.\d+)?)%?$/.exec(text);
  const n = m ? Number(m[1]) : Number.NaN;
  if (m && n > 0 && n <= 10_000) return n;
  return {
    message: `${JSON.stringify(v) ?? String(v)} is not a CPU share`,
    hint: 'write a percentage of one core, like 50% (half a core) or 200% (two cores)',
  };
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes, or 512M / 2G / 1.5GiB (powers of 1024, as systemd's MemoryMax= reads them). */
export function parseSize(v: unknown): number | { message: string; hint: string } {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text);
  const bytes = m ? Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1)) : 0;
  if (m && bytes > 0) return bytes;
  return {
    message: `${JSON.stringify(v) ?? String(v)} is not a memory size`,
    hint: 'write bytes, or a size like 512M or 2G (K, M, G, T are powers of 1024)',
  };
}

/** A host's or group's `resources:`; problems point at the value that is wrong. */
export function readResources(src: SourceDoc, e: Entry, problems: Problem[]): ResourceThresholds | undefined {
  const out: ResourceThresholds = {};
  let ok = true;
  const percent = (entry: Entry): number | undefined => {
    const got = parsePercent(entry.value?.toJS(src.doc));
    if (typeof got === 'number') return got;
    problems.push({ where: refOf(src, entry.value ?? entry.keyNode), ...got });
    ok = false;
    return undefined;
  };
  for (const r of mapEntries(src, e.value)) {
    if (r.key === 'memory' || r.key === 'swap') {
      const n = percent(r);
      if (n !== undefined) out[r.key] = n;
    } else if (r.key === 'load') {
      const v: unknown = r.value?.toJS(src.doc);
      if (typeof v === 'number' && v > 0) out.load = v;
      else ok = false; // the schema says why
    } else if (r.key === 'disk') {
      const disk: Record<string, number> = {};
      for (const d of mapEntries(src, r.value)) {
        const mount = d.key.replace(/(.)\/+$/, '$1');
        if (!mount.startsWith('/') || posix.normalize(mount) !== mount) {
          problems.push({
            where: refOf(src, d.keyNode),
            message: `disk mount ${JSON.stringify(d.key)} is not an absolute path`,
            hint: 'name the mount point, e.g. disk: { "/": 90%, "/var": 80% }',
          });
          ok = false;
          continue;
        }
        const n = percent(d);
        if (n !== undefined) disk[mount] = n;
      }
      out.disk = disk;
    }
  }
  return ok ? out : undefined;
}

/** A service's `limits:`. */
export function readLimits(src: SourceDoc, e: Entry, problems: Problem[]): ServiceLimits | undefined {
  const out: ServiceLimits = {};
  for (const l of mapEntries(src, e.value)) {
    if (l.key !== 'memory' && l.key !== 'cpu') continue; // the schema reports other keys
    const value: unknown = l.value?.toJS(src.doc);
    const got = l.key === 'memory' ? parseSize(value) : parseCpuShare(value);
    if (typeof got === 'number') out[l.key] = got;
    else {
      problems.push({ where: refOf(src, l.value ?? l.keyNode), ...got });
      return undefined;
    }
  }
  return out;
}
