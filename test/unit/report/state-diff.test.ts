import { describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/context.js';
import { checkDrift } from '../../../src/cli/drift.js';
import { commonFrom } from '../../../src/cli/main.js';
import { observeFleet, planFleet } from '../../../src/cli/prepare.js';
import { renderDriftDiff, renderPlanDiff } from '../../../src/report/state-diff.js';

// `plan --diff` / `drift --diff` on the committed example and its snapshot (offline).
const quiet: Io = { out: () => {}, err: () => {}, isTTY: false, env: {} };
const opts = { ...commonFrom({ inventory: ['inventory/crm.yml'] }), observed: 'examples/observed/crm.json' };

describe('--diff', () => {
  it('plan: per host, a unified diff of the fields its steps change, in playbook YAML', async () => {
    const fleet = await observeFleet(['playbooks/site.yml'], opts, quiet);
    const { plan } = planFleet(fleet, quiet);
    const text = renderPlanDiff(plan);
    const changed = [...new Set(plan.steps.filter((s) => s.change).map((s) => s.host))].sort();
    expect(changed.length).toBeGreaterThan(0);
    for (const host of changed) {
      expect(text).toContain(`--- ${host} (observed)\n+++ ${host} (playbooks)\n`);
    }
    // Every change appears as a -/+ pair under its service, with the step's own values.
    for (const step of plan.steps.filter((s) => s.change && s.service)) {
      expect(text).toContain(`+    ${step.change?.field}: ${step.change?.after}`);
    }
    expect(text.split('\n').filter((l) => l.startsWith('@@')).length).toBeGreaterThanOrEqual(changed.length);
  });

  it('drift: every declared item; hosts in sync have no hunk', async () => {
    const report = await checkDrift(['playbooks/site.yml'], opts, quiet);
    const text = renderDriftDiff(report);
    for (const [host, h] of Object.entries(report.hosts)) {
      const drifted = h.items.some((i) => !i.inSync);
      expect(text.includes(`--- ${host} (observed)`)).toBe(h.status !== 'unchecked' && drifted);
    }
    const out =
      report.hosts[Object.keys(report.hosts).find((h) => report.hosts[h]?.status === 'drift') ?? ''];
    const item = out?.items.find((i) => !i.inSync && i.kind === 'service');
    if (item) {
      expect(text).toContain(`-    ${item.field}: ${item.observed}`);
      expect(text).toContain(`+    ${item.field}: ${item.desired}`);
    }
  });

  it('is empty when nothing changes', () => {
    expect(
      renderPlanDiff({ version: 1, playbooks: [], inventory: [], hosts: {}, steps: [], waves: [] }),
    ).toBe('');
  });
});
