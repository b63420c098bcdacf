import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { BED_INVENTORY, crmPort, describeBed, playbookOf, resetBed, runstate } from './helpers/bed.js';

const REPO = resolve(import.meta.dirname, '../..');
/** Under the test's output (reports/, kept as a CI artifact). */
const OUT = join(REPO, 'reports', 'report-html');

/** Debian's chromium, installed by scripts/setup.sh. */
function chromium(args: string[]): string {
  return execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--user-data-dir=/tmp/runstate-chromium',
      ...args,
    ],
    { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
}

describeBed('runstate report --html, opened in headless Chromium', () => {
  it('a live run: fleet, drift, plan waves and graph are there; hostile text stays text; a screenshot is saved', async () => {
    resetBed('bed-systemd', 'bed-sysv');
    mkdirSync(OUT, { recursive: true });
    const playbook = playbookOf({
      'bed-systemd': {
        services: {
          'crm-db': {
            state: 'running',
            health: { http: `http://127.0.0.1:${crmPort('bed-systemd', 'crm-db')}/health`, timeout: 3 },
          },
          'crm-app': { state: 'running', requires: ['crm-db'] },
        },
      },
      'bed-sysv': {
        services: {
          'crm-db': { state: 'running' },
          'crm-app': { state: 'running', requires: ['bed-systemd:crm-app'] },
        },
      },
    });
    const html = join(OUT, 'live.html');
    const res = await runstate([
      'report',
      '-i',
      BED_INVENTORY,
      playbook,
      '--html',
      html,
      '--title',
      'bed fleet <b>x</b>',
    ]);
    expect(res.stderr).toContain(`report written to ${html}`);
    expect(res.code).toBe(0);
    const dom = chromium(['--dump-dom', `file://${html}`]);
    expect(dom).toContain('<h1>bed fleet &lt;b&gt;x&lt;/b&gt;</h1>');
    expect(dom).toMatch(/<tr class="host" data-status="drift"[^>]*><td>bed-systemd<\/td>/);
    expect(dom).toMatch(/<tr class="host" data-status="drift"[^>]*><td>bed-sysv<\/td>/);
    expect(dom).toContain('<h3>wave 1</h3>');
    expect(dom).toContain('<svg class="graph"');
    expect(dom).toContain('data-step="bed-sysv/start/crm-app"');
    expect(dom).toContain('2 of 2 shown');
    const png = join(OUT, 'live.png');
    chromium(['--window-size=1280,1000', '--hide-scrollbars', `--screenshot=${png}`, `file://${html}`]);
    expect(existsSync(png)).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });

  it('saved JSON inputs with hostile text: rendered as text in the browser, no script runs', async () => {
    mkdirSync(OUT, { recursive: true });
    const hostile = '<img src=x onerror="document.title=`pwned`"><script>document.title="pwned"</script>';
    const driftFile = join(OUT, 'hostile-drift.json');
    writeFileSync(
      driftFile,
      JSON.stringify({
        version: 1,
        hosts: {
          'bed-systemd': {
            status: 'drift',
            items: [
              {
                kind: 'service',
                service: 'crm-db',
                field: 'state',
                desired: 'running',
                observed: hostile,
                inSync: false,
              },
            ],
          },
        },
        summary: { hosts: 1, inSync: 0, drifted: 1, unchecked: 0, items: 1, drifts: 1 },
      }),
    );
    const historyFile = join(OUT, 'history.json');
    writeFileSync(historyFile, JSON.stringify([{ at: '2026-12-01T00:00:00Z', drifts: 1, note: hostile }]));
    const html = join(OUT, 'hostile.html');
    const res = await runstate(['report', '--drift', driftFile, '--history', historyFile, '--html', html]);
    expect(res.stderr).toBe(`report written to ${html}\n`);
    expect(res.code).toBe(0);
    const dom = chromium(['--dump-dom', `file://${html}`]);
    expect(dom).toContain('<title>runstate report</title>');
    expect(dom).not.toContain('<img src="x"');
    expect(dom).toContain('&lt;img src=x onerror=');
    expect(dom.match(/<script>/g)).toHaveLength(1);
    expect(dom).toContain('<svg class="history"');
  });
});
