import { describe, expect, it } from 'vitest';
import { renderPlanText } from '../../../src/report/index.js';
import { emptyPlan, planHost, samplePlan } from './sample-plan.js';

describe('renderPlanText', () => {
  it('prints a header, numbered waves with aligned columns, and unreachable hosts', () => {
    expect(renderPlanText(samplePlan(), { color: false })).toBe(
      [
        'Plan: 3 changes on 2 hosts (2 waves)',
        '',
        'Wave 1',
        '  bed-systemd   start          crm-db    (observed inactive, want running)',
        '  bed-sysv      set-runlevel   3         (observed runlevel 2, want runlevel 3)',
        '',
        'Wave 2',
        '  bed-sysv      start          crm-app   (observed failed, want running)',
        '',
        'Unreachable (not planned):',
        '  bed-openrc   unreachable: connection refused',
        '',
      ].join('\n'),
    );
  });

  it('lists what is blocked, and says which steps will be skipped', () => {
    const plan = samplePlan();
    plan.blocked = [
      {
        host: 'bed-systemd',
        service: 'crm-masked',
        reason: 'crm-masked is masked on bed-systemd',
        hint: 'unmask it first (systemctl unmask crm-masked)',
      },
    ];
    const app = plan.steps.find((s) => s.service === 'crm-app');
    if (app) app.blockedBy = 'requires bed-systemd:crm-masked, which cannot be started: masked';
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain(
      'crm-app   (observed failed, want running) — will be skipped: requires bed-systemd:crm-masked',
    );
    expect(
      text.endsWith(
        [
          'Blocked (not planned; what requires it is skipped):',
          '  bed-systemd:crm-masked: crm-masked is masked on bed-systemd (unmask it first (systemctl unmask crm-masked))',
          '',
        ].join('\n'),
      ),
    ).toBe(true);
  });

  it('says so when there is nothing to do', () => {
    expect(renderPlanText(emptyPlan(), { color: false })).toBe(
      'No changes. Infrastructure matches the playbooks.\n',
    );
  });

  it('uses singular words for one of a kind', () => {
    const plan = samplePlan();
    plan.steps = plan.steps.slice(0, 1);
    plan.waves = [['bed-systemd/start/crm-db']];
    plan.hosts = { 'bed-systemd': planHost('bed-systemd', plan.hosts['bed-systemd']?.digest ?? '') };
    expect(renderPlanText(plan, { color: false }).split('\n')[0]).toBe('Plan: 1 change on 1 host (1 wave)');
  });

  it('colours only when asked', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    const ansi = /\u001b\[/;
    expect(renderPlanText(samplePlan(), { color: false })).not.toMatch(ansi);
    const coloured = renderPlanText(samplePlan(), { color: true });
    expect(coloured).toMatch(ansi);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderPlanText(samplePlan(), { color: false }));
  });

  it('says which required gates a start checks first', () => {
    const plan = samplePlan();
    const app = plan.steps.find((s) => s.id === 'bed-sysv/start/crm-app');
    if (app) app.requiredGates = ['bed-systemd:crm-db/gates'];
    plan.gates = [
      {
        id: 'bed-systemd:crm-db/gates',
        requirement: 'bed-systemd:crm-db',
        gates: [
          {
            host: 'bed-systemd',
            service: 'crm-db',
            health: { kind: 'tcp', host: '127.0.0.1', port: 18101, timeoutSec: 5 },
          },
        ],
      },
    ];
    expect(renderPlanText(plan, { color: false })).toContain(
      '  bed-sysv      start          crm-app   (observed failed, want running) — first checks the health of bed-systemd:crm-db',
    );
  });
});
