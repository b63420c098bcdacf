import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ablationVariants } from '../../../bench/lib/ablation.js';

const variants = ablationVariants(600);
const byId = new Map(variants.map((v) => [v.id, v]));
const stdin = (id: string): string => byId.get(id)?.stdin ?? '';

describe('observe ablation variants (bench/lib/ablation.ts)', () => {
  it('derives every variant from the script runstate sends, each taking away one property', () => {
    expect(variants.map((v) => v.id)).toEqual([
      'status',
      'status-stdin',
      'script',
      'no-batch-bound',
      'no-status-check',
      'no-command-bound',
    ]);
    expect(stdin('script')).toContain(`sh -c 'for rs_s; do`);
    expect(stdin('no-batch-bound')).not.toContain(`sh -c 'for rs_s; do`);
    expect(stdin('no-batch-bound')).toContain('rs_h=$(awk ');
    expect(stdin('no-status-check')).not.toContain('rs_h=$(awk ');
    expect(byId.get('no-status-check')?.command).toContain('timeout -s KILL 600');
    expect(byId.get('no-command-bound')?.command).toBe('sh -s');
    expect(stdin('no-command-bound')).toContain('RUNSTATE_TIMEOUT=1');
  });

  it('sends only valid sh', () => {
    for (const v of variants) {
      if (v.stdin === undefined) continue;
      const res = spawnSync('sh', ['-n'], { input: v.stdin, encoding: 'utf8' });
      expect(res.status, `${v.id}: ${res.stderr}`).toBe(0);
    }
  });
});
