import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { DriftReport } from '../model/drift.js';
import type { Plan } from '../model/plan.js';
import { byText } from './plan-summary.js';
import { sanitizeHostText } from './sanitize.js';

/*
 * `--diff` (issue 13): per host, a unified diff of what was observed against what the playbooks
 * want, both written in the playbook's own YAML shape, the way Ansible users read
 * `--check --diff`. Built from values the plan and the drift report already hold (each step's
 * `change`, each drift item's observed/desired), so the diff cannot disagree with them.
 */

/** A host's state in playbook shape: `services: {name: {field: value}}`, runlevel fields beside. */
interface Shape {
  runlevel?: string;
  default_runlevel?: string;
  resources?: Record<string, string>;
  services?: Record<string, Record<string, string>>;
}

function setField(shape: Shape, service: string | undefined, field: string, value: string): void {
  if (service === undefined) {
    if (field === 'runlevel') shape.runlevel = value;
    else if (field === 'default-runlevel' || field === 'boot_default') shape.default_runlevel = value;
    return;
  }
  shape.services ??= {};
  shape.services[service] ??= {};
  (shape.services[service] as Record<string, string>)[field] = value;
}

function yamlOf(shape: Shape): string {
  const sorted: Shape = { ...shape };
  if (shape.services) {
    sorted.services = Object.fromEntries(
      Object.keys(shape.services)
        .sort(byText)
        .map((name) => [name, sortedKeys(shape.services?.[name] ?? {})]),
    );
  }
  return Object.keys(sorted).length === 0 ? '' : stringify(sorted);
}

function sortedKeys(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => byText(a, b)));
}

function patch(host: string, observed: Shape, desired: Shape): string {
  const a = yamlOf(observed);
  const b = yamlOf(desired);
  if (a === b) return '';
  const name = sanitizeHostText(host);
  const text = createTwoFilesPatch(`${name} (observed)`, `${name} (playbooks)`, a, b, '', '', { context: 3 });
  // As `diff -u` and git print it: no "=====" banner, no tab after an empty header.
  return text.replace(/^=+\n/, '').replace(/^(---|\+\+\+) (.*)\t$/gm, '$1 $2');
}

/** `plan --diff`: the fields each host's steps change, before → after. Empty when nothing changes. */
export function renderPlanDiff(plan: Plan): string {
  const before = new Map<string, Shape>();
  const after = new Map<string, Shape>();
  for (const step of plan.steps) {
    if (!step.change) continue;
    const field = step.change.field;
    if (!before.has(step.host)) before.set(step.host, {});
    if (!after.has(step.host)) after.set(step.host, {});
    setField(before.get(step.host) as Shape, step.service, field, step.change.before ?? 'unknown');
    setField(after.get(step.host) as Shape, step.service, field, step.change.after);
  }
  return [...before.keys()]
    .sort(byText)
    .map((host) => patch(host, before.get(host) as Shape, after.get(host) as Shape))
    .join('');
}

/** `drift --diff`: every declared item of each checked host, observed against desired. */
export function renderDriftDiff(report: DriftReport): string {
  const out: string[] = [];
  for (const host of Object.keys(report.hosts).sort(byText)) {
    const h = report.hosts[host];
    if (!h) continue;
    if (h.status === 'unchecked') {
      out.push(`# ${sanitizeHostText(host)}: not checked (${sanitizeHostText(h.reason)})\n`);
      continue;
    }
    const observed: Shape = {};
    const desired: Shape = {};
    for (const item of h.items) {
      if (item.kind === 'resource' || item.field === 'resource') {
        const key = item.service ? `${item.service} ${item.resource ?? ''}`.trim() : (item.resource ?? '');
        observed.resources = { ...observed.resources, [key]: item.observed };
        desired.resources = { ...desired.resources, [key]: `at most ${item.desired}` };
        continue;
      }
      // In sync: the same words on both sides ("active" is what "running" looks like observed).
      setField(observed, item.service, item.field, item.inSync ? item.desired : item.observed);
      setField(desired, item.service, item.field, item.desired);
    }
    out.push(patch(host, observed, desired));
  }
  return out.join('');
}
