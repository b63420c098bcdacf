import { describe, expect, it } from 'vitest';
import {
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanMermaid,
  renderPlanText,
} from '../../../src/report/index.js';
import { samplePlan } from './sample-plan.js';

/** The sample plan with its two reachable hosts in two stacks and one barrier. */
function stacked() {
  const plan = samplePlan();
  plan.stacks = { billing: ['bed-sysv'], crm: ['bed-systemd'] };
  plan.barriers = [
    { id: '@crm/starts-before-app', reason: 'every start …', after: ['bed-systemd/start/crm-db'] },
  ];
  return plan;
}

describe('plans with stacks and barriers', () => {
  it('text: lists each stack and groups each wave by stack', () => {
    expect(renderPlanText(stacked(), { color: false })).toBe(
      [
        'Plan: 3 changes on 2 hosts (2 waves)',
        '  stack billing: bed-sysv',
        '  stack crm: bed-systemd',
        '',
        'Wave 1',
        '  stack billing',
        '  bed-sysv      set-runlevel   3         (observed runlevel 2, want runlevel 3)',
        '  stack crm',
        '  bed-systemd   start          crm-db    (observed inactive, want running)',
        '',
        'Wave 2',
        '  stack billing',
        '  bed-sysv      start          crm-app   (observed failed, want running)',
        '',
        'Unreachable (not planned):',
        '  bed-openrc   unreachable: connection refused',
        '',
      ].join('\n'),
    );
  });

  it('markdown: a stack column and the barriers', () => {
    const md = renderPlanMarkdown(stacked());
    expect(md).toContain('- `billing`: `bed-sysv`');
    expect(md).toContain('| stack | host | step | on | reason |');
    expect(md).toContain('| crm | bed-systemd | start | crm-db |');
    expect(md).toContain('- `@crm/starts-before-app`: every start … (1 before it)');
  });

  it('json: stacks and barriers round-trip, as 2-space JSON', () => {
    const out = renderPlanJson(stacked());
    const back = JSON.parse(out);
    expect(back.stacks).toEqual({ billing: ['bed-sysv'], crm: ['bed-systemd'] });
    expect(back.barriers).toEqual(stacked().barriers);
    expect(`${JSON.stringify(back, null, 2)}\n`).toBe(out);
  });

  it('mermaid: a barrier is a node with its edges', () => {
    const m = renderPlanMermaid(stacked());
    expect(m).toMatch(/ {2}b1\(\("@crm\/starts-before-app"\)\)/);
    expect(m).toMatch(/ {2}s\d+ --> b1/);
  });
});
