import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { probeScript } from '../../../src/apply/health.js';
import { loadAll } from '../../../src/load/index.js';
import type { Desired } from '../../../src/model/desired.js';
import { ProblemsError } from '../../../src/model/source.js';
import { watchFragment } from '../../../src/observe/watch.js';
import { cleanup, world } from '../load/helpers.js';
import { hostileValue } from './hostile.property.js';

// Every field that can reach a host, driven with hostile values (issue 9): each value is either
// refused by validation, or — where it is accepted — the script that carries it to the host is
// run here in sh, and no sentinel file appears. The bed e2e test (test/e2e/hostile.test.ts) does
// the same on a real host.
const SENTINELS = mkdtempSync(join(tmpdir(), 'rs-sentinel-'));
const RUNS = 100;
const SLOW = 240_000;
vi.setConfig({ testTimeout: SLOW });
const counted = { refused: 0, accepted: 0, executed: 0 };

afterAll(async () => {
  await cleanup();
  console.log(
    `hostile values: ${counted.refused + counted.accepted} cases (${counted.refused} refused, ${counted.accepted} accepted, ${counted.executed} scripts run), 0 sentinel files`,
  );
});

const INV = (host: string, vars: string) => `all:\n  hosts:\n    h1:\n      ansible_host: ${host}\n${vars}`;

async function load(inventory: string, playbook: string): Promise<Desired | undefined> {
  const w = await world(inventory, { 'pb.yml': playbook });
  try {
    const { desired } = await loadAll(w.inv, w.pbs);
    counted.accepted++;
    return desired;
  } catch (err) {
    if (!(err instanceof ProblemsError)) throw err;
    counted.refused++;
    return undefined;
  }
}

const yamlText = (v: string) => JSON.stringify(v);
const svc = (body: string) =>
  `version: 1\nhosts:\n  h1:\n    services:\n      app:\n        state: running\n${body}`;

function runSh(script: string): void {
  counted.executed++;
  try {
    execFileSync('sh', ['-c', script], { stdio: 'ignore', timeout: 10_000, cwd: SENTINELS });
  } catch {
    // a failing check is fine; only a sentinel would not be
  }
}

function noSentinel(): void {
  expect(readdirSync(SENTINELS)).toEqual([]);
}

const property = (f: (v: string) => Promise<void>) =>
  fc.assert(fc.asyncProperty(hostileValue(SENTINELS), f), { numRuns: RUNS, seed: 9 });

describe('hostile values through every field that reaches a host', () => {
  it('service names, requires and runlevels are refused unless they are plain names', async () => {
    await property(async (v) => {
      for (const pb of [
        `version: 1\nhosts:\n  h1:\n    services:\n      ${yamlText(v)}: { state: running }\n`,
        svc(`        requires: [${yamlText(v)}]\n`),
        `version: 1\nhosts:\n  h1:\n    runlevel: ${yamlText(v)}\n`,
        `version: 1\nhosts:\n  h1:\n    runlevel: { target: ${yamlText(v)}, custom: true }\n`,
      ]) {
        expect(await load(INV('127.0.0.1', ''), pb)).toBeUndefined();
      }
    });
  });

  it('health host is refused; health http and command words, when accepted, stay data on the host', async () => {
    await property(async (v) => {
      expect(
        await load(
          INV('127.0.0.1', ''),
          svc(`        health: { tcp: 1, host: ${yamlText(v)}, timeout: 1 }\n`),
        ),
      ).toBeUndefined();
      for (const health of [
        `{ http: ${yamlText(`http://127.0.0.1:1/${v}`)}, timeout: 1 }`,
        `{ command: [test, -n, ${yamlText(v)}], timeout: 1 }`,
        `{ command: ${yamlText(`test -n ${v}`)}, timeout: 1 }`,
      ]) {
        const desired = await load(INV('127.0.0.1', ''), svc(`        health: ${health}\n`));
        const check = desired?.hosts.h1?.services.app?.health;
        if (check) runSh(probeScript(check));
      }
      noSentinel();
    });
  });

  it('restart.on_change paths, when accepted, are only ever read as file names', async () => {
    await property(async (v) => {
      const desired = await load(
        INV('127.0.0.1', ''),
        svc(`        restart: { on_change: [${yamlText(`/tmp/${v}`)}] }\n`),
      );
      const watched = desired?.hosts.h1?.services.app?.restart?.onChange;
      if (watched) runSh(watchFragment({ app: watched }, join(SENTINELS, 'state')));
      noSentinel();
    });
  });

  it('inventory address, user and port never reach a shell: refused, or kept as one value', async () => {
    await property(async (v) => {
      for (const inv of [
        INV(yamlText(v), ''),
        INV('127.0.0.1', `      ansible_user: ${yamlText(v)}\n`),
        INV('127.0.0.1', `      ansible_port: ${yamlText(v)}\n`),
      ]) {
        const w = await world(inv, { 'pb.yml': 'version: 1\nhosts: {}\n' });
        try {
          const { inventory } = await loadAll(w.inv, w.pbs);
          counted.accepted++;
          const h = inventory.hosts.h1;
          // ssh2 takes these as values (address, username, number), never as a command line.
          expect(typeof h?.address).toBe('string');
          expect(h?.port === undefined || Number.isInteger(h.port)).toBe(true);
        } catch (err) {
          if (!(err instanceof ProblemsError)) throw err;
          counted.refused++;
        }
      }
    });
  });
});
