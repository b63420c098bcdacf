import type { Plan } from '../model/plan.js';
import { byText, stepSubject, stepsByWave, unreachableHosts } from './plan-summary.js';

/** Mermaid labels are quoted strings; a quote (or markup) inside one is written as an entity. */
function label(text: string): string {
  return text.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;');
}

/**
 * `flowchart LR`: one subgraph per host, one node per step ("W1 start crm-db"), an edge per `after`.
 * Node ids are positional (s1, s2, … in wave order) because step ids contain characters Mermaid
 * does not accept in an id.
 */
export function renderPlanMermaid(plan: Plan): string {
  const lines = ['flowchart LR'];
  const ordered = stepsByWave(plan).flat();
  const nodeId = new Map(ordered.map((s, i) => [s.id, `s${i + 1}`]));
  const hosts = [...new Set(ordered.map((s) => s.host))].sort(byText);
  const unreachable = unreachableHosts(plan);
  const allHosts = [...new Set([...hosts, ...unreachable.map(([h]) => h)])].sort(byText);
  if (allHosts.length === 0) lines.push('  none["No changes"]');
  allHosts.forEach((host, i) => {
    lines.push(`  subgraph h${i + 1}["${label(host)}"]`);
    for (const s of ordered.filter((x) => x.host === host)) {
      lines.push(`    ${nodeId.get(s.id)}["W${s.wave} ${s.kind} ${label(stepSubject(s))}"]`);
    }
    const down = unreachable.find(([h]) => h === host);
    if (down) lines.push(`    u${i + 1}["unreachable: ${label(down[1])}"]`);
    lines.push('  end');
  });
  // Barriers as small round nodes outside the hosts: one per tier boundary or group, not n × m edges.
  const barriers = plan.barriers ?? [];
  barriers.forEach((b, i) => {
    nodeId.set(b.id, `b${i + 1}`);
    lines.push(`  b${i + 1}(("${label(b.id)}"))`);
  });
  for (const s of [...barriers, ...ordered]) {
    for (const before of s.after) {
      const from = nodeId.get(before);
      if (from) lines.push(`  ${from} --> ${nodeId.get(s.id)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
