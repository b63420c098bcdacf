import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputStream } from '../../../src/cli/output-stream.js';

// The CLI from source in a child process, so stdout is a real pipe or a real file.
const CLI = [
  '--import',
  'tsx',
  '-e',
  "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(0, 1).concat(process.argv)); })",
];
/** `inventory --list` of 3,000 hosts: 300 kB, far more than a pipe holds once its reader has gone. */
function bigInventory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runstate-out-'));
  const lines = ['all:', '  hosts:'];
  for (let i = 0; i < 3000; i++) lines.push(`    h${i}: { ansible_host: 10.0.${i >> 8}.${i & 255} }`);
  writeFileSync(join(dir, 'hosts.yml'), `${lines.join('\n')}\n`);
  return join(dir, 'hosts.yml');
}

function failing(code: string): Writable {
  return new Writable({
    write(_chunk, _enc, done) {
      done(Object.assign(new Error(`write ${code}`), { code }));
    },
  });
}

describe('OutputStream', () => {
  it('a reader that went away ends the output quietly: nothing lost to report', async () => {
    const out = new OutputStream(failing('EPIPE'));
    out.write('a');
    await new Promise((r) => setImmediate(r));
    out.write('b');
    await out.writePiece('c');
    expect(await out.lost()).toBeUndefined();
  });

  it('any other write error is kept, and later writes are dropped', async () => {
    const out = new OutputStream(failing('ENOSPC'));
    out.write('a');
    await new Promise((r) => setImmediate(r));
    await out.writePiece('b');
    expect((await out.lost())?.message).toBe('write ENOSPC');
  });
});

describe('the CLI writing to stdout', () => {
  it('`runstate inventory --list | head -c 1`: no stack trace, the exit code is the command’s own', async () => {
    const inventory = bigInventory();
    const child = spawn(process.execPath, [...CLI, 'inventory', '-i', inventory, '--list'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.once('data', () => child.stdout.destroy()); // read one chunk, then go away
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(err).toBe('');
    expect(code).toBe(0);
    rmSync(dirname(inventory), { recursive: true });
  });

  it.skipIf(!existsSync('/dev/full'))('stdout on a full disk: exit 1 and a message saying what to do', () => {
    const inventory = bigInventory();
    const list = ['inventory', '-i', inventory, '--list'];
    const r = spawnSync('sh', ['-c', '"$0" "$@" > /dev/full', process.execPath, ...CLI, ...list], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('could not write the output to stdout: ENOSPC');
    expect(r.stderr).toContain('--out FILE');
    expect(r.stderr).not.toContain('    at ');
    rmSync(dirname(inventory), { recursive: true });
  });
});
