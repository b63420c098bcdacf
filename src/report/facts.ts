import { createColors } from 'picocolors';
import type { ActiveState, ObservedSnapshot } from '../model/observed.js';

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
