import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/*
 * Run in a fresh node process each: vitest's worker may already have loaded a CLI module that sets
 * V8's regexp flag, and a flag once set stays set for the process.
 */
const ROOT = new URL('../../..', import.meta.url).pathname;

function probe(nodeFlags: string[]): { engine: boolean; regex: string } {
  const code = `
    const { loadFleet } = await import(${JSON.stringify(`${ROOT}src/sdk/index.ts`)});
    const fleet = (limit) => loadFleet({ inventory: 'inventory/crm.yml', playbooks: 'playbooks/site.yml', cwd: ${JSON.stringify(ROOT)}, limit });
    await fleet('app*');
    let engine = true;
    try { new RegExp('', 'l'); } catch { engine = false; }
    let regex;
    try { regex = Object.keys((await fleet('~app[0-9]')).desired.hosts).length + ' hosts'; } catch (e) { regex = e.message; }
    console.log(JSON.stringify({ engine, regex }));`;
  const out = execFileSync(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', code],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as { engine: boolean; regex: string };
}

describe('the SDK sets no process-wide state', () => {
  it('loading and selecting hosts leaves V8 flags alone; a ~regex limit then says what it needs', () => {
    const got = probe([]);
    expect(got.engine).toBe(false);
    expect(got.regex).toMatch(
      /a ~regex pattern needs V8's linear-time regexp engine, which is off in this process/,
    );
  }, 60_000);

  it('with the flag given by the caller, ~regex selects hosts', () => {
    const got = probe(['--enable-experimental-regexp-engine']);
    expect(got.engine).toBe(true);
    expect(got.regex).toMatch(/^\d+ hosts$/);
  }, 60_000);
});
