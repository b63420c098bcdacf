import { describe, expect, it } from 'vitest';
import { renderPlanJson, renderPlanMarkdown, renderPlanMermaid } from '../../../src/report/index.js';
import { emptyPlan, planHost, samplePlan } from './sample-plan.js';

describe('renderPlanJson', () => {
  it('writes 2-space JSON with a trailing newline that parses back to the plan', () => {
    const json = renderPlanJson(samplePlan());
    expect(json.endsWith('}\n')).toBe(true);
    expect(json).toContain('\n  "version": 1,\n');
    expect(JSON.parse(json)).toEqual(samplePlan());
  });

  it('writes keys in a fixed order whatever the order they were built in', () => {
    const plan = samplePlan();
    const shuffled = { ...plan, hosts: Object.fromEntries(Object.entries(plan.hosts).reverse()) };
    const [first] = plan.steps;
    if (!first) throw new Error('sample has steps');
    const reversedStep = Object.fromEntries(Object.entries(first).reverse()) as typeof first;
    shuffled.steps = [reversedStep, ...plan.steps.slice(1)];
    const reversedTop = Object.fromEntries(Object.entries(shuffled).reverse()) as unknown as typeof plan;
    expect(renderPlanJson(reversedTop)).toBe(renderPlanJson(plan));
    expect(Object.keys(JSON.parse(renderPlanJson(plan)))).toEqual([
      'version',
      'playbooks',
      'inventory',
      'hosts',
      'steps',
      'waves',
    ]);
  });
});

describe('renderPlanMarkdown', () => {
  const md = renderPlanMarkdown(samplePlan());

  it('starts with a summary table of changes by kind per host', () => {
    expect(md).toContain(
      [
        '**3 changes on 2 hosts (2 waves)**',
        '',
        '| host | set-runlevel | start | total |',
        '| --- | ---: | ---: | ---: |',
        '| bed-systemd | 0 | 1 | 1 |',
        '| bed-sysv | 1 | 1 | 2 |',
        '| **all hosts** | **1** | **2** | **3** |',
      ].join('\n'),
    );
  });

  it('lists unreachable hosts', () => {
    expect(md).toContain('**Unreachable (not planned):**\n\n- `bed-openrc`: connection refused\n');
  });

  it('lists the waves with steps and reasons', () => {
    expect(md).toContain(
      [
        '### Wave 1',
        '',
        '| host | step | on | reason |',
        '| --- | --- | --- | --- |',
        '| bed-systemd | start | crm-db | observed inactive, want running |',
        '| bed-sysv | set-runlevel | 3 | observed runlevel 2, want runlevel 3 |',
      ].join('\n'),
    );
    expect(md.indexOf('### Wave 1')).toBeLessThan(md.indexOf('### Wave 2'));
  });

  it('has a details block per host with the commands', () => {
    expect(md.match(/<details>/g)).toHaveLength(2);
    expect(md).toContain('<summary>bed-sysv: 2 changes</summary>');
    expect(md).toContain(
      [
        '- **W2 start crm-app** (observed failed, want running); after `bed-systemd/start/crm-db`, `bed-sysv/set-runlevel/runlevel`',
        '',
        '  ```sh',
        '  /etc/init.d/crm-app start',
        '  ```',
      ].join('\n'),
    );
  });

  it('names the health gate of a start', () => {
    expect(md).toContain(
      '- **W1 start crm-db** (observed inactive, want running); health gate: tcp 127.0.0.1:5432 within 30 s\n',
    );
  });

  it('keeps table cells intact when text has pipes or markup', () => {
    const plan = samplePlan();
    const [first] = plan.steps;
    if (!first) throw new Error('sample has steps');
    first.reason = 'observed a|b <script>';
    expect(renderPlanMarkdown(plan)).toContain('| observed a\\|b &lt;script&gt; |');
  });

  it('says so when there is nothing to do', () => {
    expect(renderPlanMarkdown(emptyPlan())).toBe(
      '## runstate plan\n\nNo changes. Infrastructure matches the playbooks.\n',
    );
  });
});

describe('renderPlanMermaid', () => {
  it('draws hosts as subgraphs, steps as nodes and after as edges', () => {
    expect(renderPlanMermaid(samplePlan())).toBe(
      [
        'flowchart LR',
        '  subgraph h1["bed-openrc"]',
        '    u1["unreachable: connection refused"]',
        '  end',
        '  subgraph h2["bed-systemd"]',
        '    s1["W1 start crm-db"]',
        '  end',
        '  subgraph h3["bed-sysv"]',
        '    s2["W1 set-runlevel 3"]',
        '    s3["W2 start crm-app"]',
        '  end',
        '  s1 --> s3',
        '  s2 --> s3',
        '',
      ].join('\n'),
    );
  });

  it('escapes quotes in labels', () => {
    const plan = emptyPlan();
    plan.hosts = {
      'odd"host': planHost('odd"host', plan.hosts['bed-systemd']?.digest ?? '', 'said "no"'),
    };
    expect(renderPlanMermaid(plan)).toContain('u1["unreachable: said #quot;no#quot;"]');
  });

  it('draws a single node for an empty plan', () => {
    expect(renderPlanMermaid({ ...emptyPlan(), hosts: {} })).toBe('flowchart LR\n  none["No changes"]\n');
  });
});
