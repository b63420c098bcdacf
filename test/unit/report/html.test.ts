import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/model/drift.js';
import type { Plan } from '../../../src/model/plan.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { esc } from '../../../src/report/html-escape.js';
import { GRAPH_MAX_STEPS, renderPlanGraph } from '../../../src/report/html-graph.js';
import { readHistory } from '../../../src/report/html-history.js';
import { samplePlan } from './sample-plan.js';

const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';

function hostileDrift(): DriftReport {
  const item = (over: Record<string, unknown>) => ({
    kind: 'service' as const,
    service: 'crm-db',
    field: 'state' as const,
    desired: 'running',
    observed: HOSTILE,
    inSync: false,
    ...over,
  });
  return {
    version: 1,
    hosts: {
      'bed-systemd': {
        status: 'drift',
        items: [
          item({}),
          item({ service: 'crm-app', waived: { reason: HOSTILE, until: '2027-01-01' } }),
          item({
            field: 'resource',
            service: undefined,
            resource: 'disk /',
            desired: '90%',
            observed: '93%',
          }),
        ] as DriftReport['hosts'][string]['items'],
      },
      'bed-openrc': { status: 'unchecked', reason: HOSTILE, items: [] },
    },
    summary: { hosts: 2, inSync: 0, drifted: 1, unchecked: 1, items: 3, drifts: 3 },
  };
}

function hostilePlan(): Plan {
  const plan = samplePlan();
  const first = plan.steps[0];
  if (first) first.reason = HOSTILE;
  return plan;
}

describe('the HTML report', () => {
  const page = renderHtmlReport({
    title: HOSTILE,
    generatedAt: '2026-12-02T00:00:00.000Z',
    plan: hostilePlan(),
    drift: hostileDrift(),
    history: readHistory({ runs: [{ at: '2026-12-01T00:00:00Z', summary: { drifts: 2 }, note: HOSTILE }] }),
  });

  it('escapes every input string: nothing from a plan, drift or history becomes markup', () => {
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('onerror=alert(2)>');
    expect(page.match(/<script/g)).toHaveLength(1); // only the report's own filter script
    expect(page).toContain(esc(HOSTILE));
    expect(esc(HOSTILE)).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;',
    );
  });

  it('is self-contained: no external URL is loaded', () => {
    expect(page).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(page).not.toMatch(/<link\b/);
    expect(page).toContain("default-src 'none'");
  });

  it('has the fleet, drift with waivers, resources, the plan as waves and a graph, and history', () => {
    for (const id of ['fleet', 'drift', 'resources', 'plan', 'history']) expect(page).toContain(`id="${id}"`);
    expect(page).toMatch(/<tr class="host" data-status="drift"/);
    expect(page).toMatch(/<tr class="host" data-status="unchecked"/);
    expect(page).toContain('<span class="badge s-waived">waived</span> reason: ');
    expect(page).toContain('until: 2027-01-01');
    expect(page).toMatch(/1 drift item\(s\), 1 waived, of 2 declared/);
    expect(page).toMatch(/<td>disk \/<\/td><td>93%<\/td><td>90%<\/td>/);
    expect(page).toContain('<h3>wave 1</h3>');
    expect(page).toContain('<svg class="graph"');
    expect(page).toContain('<svg class="history"');
  });
});

describe('the dependency graph', () => {
  it('draws one node per step and one edge per after entry', () => {
    const plan = samplePlan();
    const svg = renderPlanGraph(plan);
    expect(svg.match(/<g class="node/g)).toHaveLength(plan.steps.length);
    const edges = plan.steps.reduce(
      (n, s) => n + s.after.filter((a) => plan.steps.some((t) => t.id === a)).length,
      0,
    );
    expect(svg.match(/class="edge"/g) ?? []).toHaveLength(edges);
  });

  it('is left out, with a note, past its step bound', () => {
    const plan = samplePlan();
    const step = plan.steps[0];
    if (!step) throw new Error('sample plan has no step');
    plan.steps = Array.from({ length: GRAPH_MAX_STEPS + 1 }, (_, i) => ({ ...step, id: `h/start/s${i}` }));
    expect(renderPlanGraph(plan)).toMatch(/up to 600 steps; this one has 601/);
  });
});

describe('history input', () => {
  it('reads runs in any of the accepted shapes, oldest first, skipping what it cannot read', () => {
    const runs = [
      { at: '2026-12-02T00:00:00Z', drifted: 1 },
      { generatedAt: '2026-12-01T00:00:00Z', summary: { drifts: 3, unchecked: 1 } },
      { nothing: true },
      'junk',
    ];
    const want = [
      { at: '2026-12-01T00:00:00Z', drifts: 3, unchecked: 1 },
      { at: '2026-12-02T00:00:00Z', drifted: 1 },
    ];
    expect(readHistory(runs)).toEqual(want);
    expect(readHistory({ entries: runs })).toEqual(want);
    expect(readHistory(42)).toEqual([]);
  });
});
