import { describe, expect, it } from 'vitest';
import type { Plan, Step } from '../../../src/model/index.js';
import { planTextPieces, renderPlanText } from '../../../src/report/index.js';
import { planHost, samplePlan } from './sample-plan.js';

/** A plan of `hosts` hosts with one start each, all in wave 1: a text of about 60 characters a host. */
function widePlan(hosts: number): Plan {
  const names = Array.from({ length: hosts }, (_, i) => `h${String(i).padStart(5, '0')}`);
  const steps: Step[] = names.map((host) => ({
    id: `${host}/start/s01`,
    host,
    kind: 'start',
    service: 's01',
    manager: 'systemd',
    reason: 'observed inactive, want running',
    commands: [['systemctl', 'start', 's01']],
    after: [],
    wave: 1,
  }));
  return {
    version: 1,
    playbooks: ['site.yml'],
    inventory: ['inventory.yml'],
    hosts: Object.fromEntries(names.map((h) => [h, planHost(h, `sha256:${'a'.repeat(64)}`)])),
    steps,
    waves: [steps.map((s) => s.id)],
  };
}

describe('planTextPieces', () => {
  it('writes the lines renderPlanText writes, in pieces of at least 64 K characters cut after a line', () => {
    const pieces = [...planTextPieces(widePlan(3000), { color: false })];
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.endsWith('\n')).toBe(true);
    for (const p of pieces.slice(0, -1)) expect(p.length).toBeGreaterThanOrEqual(65536);
    const lines = pieces.join('').split('\n');
    expect(lines.slice(0, 3)).toEqual(['Plan: 3000 changes on 3000 hosts (1 wave)', '', 'Wave 1']);
    expect(lines[3]).toBe('  h00000   start   s01   (observed inactive, want running)');
    expect(lines[3002]).toBe('  h02999   start   s01   (observed inactive, want running)');
    expect(lines.slice(3003)).toEqual(['']);
  });

  it('is renderPlanText cut into pieces, with stacks and in colour too', () => {
    const plan = samplePlan();
    plan.stacks = { billing: ['bed-sysv'], crm: ['bed-systemd'] };
    for (const color of [false, true]) {
      expect([...planTextPieces(plan, { color })].join('')).toBe(renderPlanText(plan, { color }));
    }
    expect(renderPlanText(plan, { color: false })).toContain('Wave 1\n  stack billing\n  bed-sysv');
  });
});
