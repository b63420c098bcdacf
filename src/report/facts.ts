import { createColors } from 'picocolors';
import { bytes } from '../drift/resources.js';
import type { ActiveState, ObservedResources, ObservedSnapshot } from '../model/observed.js';

/** `runstate facts` for people: per host its init system, runlevel, and each service's state. */
export function renderFactsText(snapshot: ObservedSnapshot, opts: { color: boolean }): string {
  const c = createColors(opts.color);
  const lines: string[] = [];
  for (const name of Object.keys(snapshot.hosts).sort()) {
    const h = snapshot.hosts[name];
    if (!h) continue;
    if (h.status === 'unreachable') {
      lines.push(`${c.bold(name)}  ${c.red('unreachable')}: ${h.reason}`, '');
      continue;
    }
    const level = [
      h.runlevel.current && `runlevel ${h.runlevel.current}`,
      h.runlevel.default && `default ${h.runlevel.default}`,
    ]
      .filter(Boolean)
      .join(', ');
    const extra = h.managers.filter((m) => m !== h.init);
    lines.push(`${c.bold(name)}  init ${h.init}${extra.length ? ` (+${extra.join(', ')})` : ''}  ${level}`);
    for (const [manager, why] of Object.entries(h.detection ?? {})) {
      lines.push(c.dim(`  ${manager} detected: ${why}`));
    }
    const services = Object.values(h.services).sort((a, b) => a.name.localeCompare(b.name));
    const width = Math.max(8, ...services.map((s) => s.name.length));
    for (const s of services) {
      const detail = s.detail ? c.dim(` (${s.detail})`) : '';
      lines.push(
        `  ${s.name.padEnd(width)}  ${paint(s.active, s.active.padEnd(12), c)}  ${s.enabled.padEnd(9)}  ${s.manager}${detail}`,
      );
    }
    if (services.length === 0) lines.push(c.dim('  (no services observed)'));
    if (h.resources) lines.push(...resourceLines(h.resources));
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

/** Pads before colouring, so escape codes never break the columns. */
function paint(state: ActiveState, text: string, c: ReturnType<typeof createColors>): string {
  if (state === 'active') return c.green(text);
  if (state === 'failed' || state === 'not-found') return c.red(text);
  return c.yellow(text);
}

/** `facts --resources`: what the resources section read, one line per figure. */
function resourceLines(r: ObservedResources): string[] {
  const out: string[] = [];
  if (r.load) out.push(`  load average ${r.load.join(' ')}`);
  if (r.memory) {
    const m = r.memory;
    const swap =
      m.swapTotalKiB > 0
        ? `${percent(m.swapTotalKiB - m.swapFreeKiB, m.swapTotalKiB)} of ${bytes(m.swapTotalKiB * 1024)}`
        : 'none';
    out.push(
      `  memory used ${percent(m.totalKiB - m.availableKiB, m.totalKiB)} of ${bytes(m.totalKiB * 1024)}, swap ${swap}`,
    );
  }
  for (const [mount, d] of Object.entries(r.disks ?? {}).sort()) {
    if ('error' in d) out.push(`  disk ${mount}: ${d.error}`);
    else
      out.push(
        `  disk ${mount} used ${percent(d.usedKiB, d.usedKiB + d.availableKiB)} of ${bytes((d.usedKiB + d.availableKiB) * 1024)}`,
      );
  }
  for (const [name, u] of Object.entries(r.services ?? {}).sort()) {
    if (u.memoryBytes === undefined) out.push(`  ${name}: ${u.error ?? 'not measured'}`);
    else {
      const rate = u.cpuPercent === undefined ? '' : `, ${u.cpuPercent}% of a core now`;
      const cpu = u.cpuUsec === undefined ? '' : `, CPU ${(u.cpuUsec / 1e6).toFixed(2)} s${rate}`;
      out.push(`  ${name} memory ${bytes(u.memoryBytes)}${cpu} (${u.source})`);
    }
  }
  return out;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : '0%';
}
