import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src/apply/audit.js';
import { executePlan } from '../../../src/apply/executor.js';
import type { CommandStart, HostAccess } from '../../../src/apply/types.js';
import type { Plan, Step } from '../../../src/model/plan.js';
import { UserError } from '../../../src/model/source.js';

const dir = () => mkdtempSync(join(tmpdir(), 'rs-audit-'));

function step(host: string, service: string, after: string[], wave: number): Step {
  return {
    id: `${host}/start/${service}`,
    host,
    kind: 'start',
    service,
    manager: 'systemd',
    reason: 'test',
    commands: [['systemctl', 'start', service]],
    after,
    wave,
    health: { kind: 'tcp', host: '127.0.0.1', port: 80, timeoutSec: 1 },
  };
}

function planOf(steps: Step[]): Plan {
  const waves: string[][] = [];
  for (const s of steps) waves[s.wave - 1] = [...(waves[s.wave - 1] ?? []), s.id];
  return { version: 1, playbooks: [], inventory: [], hosts: {}, steps, waves };
}

function memoryFleet(sent: string[]) {
  return async (host: string): Promise<HostAccess> => ({
    ok: true,
    actions: {
      run: async (argv) => {
        sent.push(`${host}:${argv.join(' ')}`);
        return { code: 0, stdout: '', stderr: '', timedOut: false };
      },
      verifyRunning: async () => ({ ok: true }),
      waitHealthy: async () => ({ ok: true }),
    },
  });
}

describe('audit log fails closed', () => {
  it('refuses to open an unwritable path, a directory or a full device, before anything runs', () => {
    expect(() => new AuditLog('/proc/runstate-audit/x.jsonl', 'r')).toThrow(UserError);
    expect(() => new AuditLog(dir(), 'r')).toThrow(/cannot open the audit log/);
    expect(() => new AuditLog('/dev/full', 'r')).toThrow(/not a regular file|no space|ENOSPC/i);
  });

  it('does not follow a symlink planted at the log path', () => {
    const d = dir();
    writeFileSync(join(d, 'victim'), 'untouched\n');
    symlinkSync(join(d, 'victim'), join(d, 'audit.jsonl'));
    expect(() => new AuditLog(join(d, 'audit.jsonl'), 'r')).toThrow(UserError);
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('untouched\n');
  });

  it('writes "start" before each command, verification and health gate, and "end" after', async () => {
    const path = join(dir(), 'audit.jsonl');
    const log = new AuditLog(path, 'run-1');
    const p = planOf([step('h1', 'a', [], 1)]);
    const order: string[] = [];
    const out = await executePlan(p, {
      forks: 2,
      dryRun: false,
      access: memoryFleet(order),
      beforeCommand: (e) => log.starting(e, 'root'),
      onCommand: (e) => log.record(e, 'root'),
    });
    log.close();
    expect(out.map((o) => o.kind)).toEqual(['ok']);
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.event}:${l.what ?? ''}`)).toEqual([
      'open:',
      'start:command',
      'end:command',
      'start:verify',
      'end:verify',
      'start:health',
      'end:health',
    ]);
    expect(lines[1]).toMatchObject({ host: 'h1', user: 'root', argv: ['systemctl', 'start', 'a'] });
    expect(lines[5]).toMatchObject({ argv: ['tcp', '127.0.0.1', '80'] });
  });

  it('a record that cannot be written: that command is not sent, no new step starts, the run reports it', async () => {
    const sent: string[] = [];
    const p = planOf([step('h1', 'a', [], 1), step('h1', 'b', ['h1/start/a'], 2), step('h2', 'c', [], 2)]);
    let records = 0;
    const out = await executePlan(p, {
      forks: 1,
      dryRun: false,
      access: memoryFleet(sent),
      beforeCommand: (_e: CommandStart) => {
        records++;
        if (records > 3) throw new Error('ENOSPC: no space left on device');
      },
    });
    // a: command, verify, health recorded; then the next "start" fails.
    expect(sent).toEqual(['h1:systemctl start a']);
    const kinds = Object.fromEntries(out.map((o) => [o.step.id, o.kind]));
    expect(kinds['h1/start/a']).toBe('ok');
    const failedOrHalted = out.filter((o) => o.kind !== 'ok');
    expect(failedOrHalted.length).toBe(2);
    expect(failedOrHalted.some((o) => o.kind === 'failed' && /not run: ENOSPC/.test(o.message))).toBe(true);
    expect(
      failedOrHalted.every((o) => o.kind === 'failed' || o.kind === 'not-started' || o.kind === 'skipped'),
    ).toBe(true);
  });
});
