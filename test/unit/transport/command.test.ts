import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { argvScript, explainBecome, scriptPayload, shellCommand } from '../../../src/transport/command.js';

const scratch = mkdtempSync(join(tmpdir(), 'runstate-bin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What a real POSIX sh makes of the quoted line: one NUL-terminated word per argument. */
function wordsAfterSh(words: string[]): string[] {
  const line = argvScript(['printf', '%s\\0', ...words]);
  const out = spawnSync('sh', ['-c', line], { encoding: 'utf8' });
  expect(out.status).toBe(0);
  return out.stdout.split('\0').slice(0, -1);
}

describe('argvScript', () => {
  it('keeps a service name like crm-worker@1 one word', () => {
    expect(wordsAfterSh(['crm-worker@1'])).toEqual(['crm-worker@1']);
    expect(argvScript(['systemctl', 'start', 'crm-worker@1.service'])).toMatch(/^systemctl start /);
  });

  it('keeps hostile strings one inert word each', () => {
    const hostile = [
      '; rm -rf /',
      '$(touch /tmp/runstate-pwned)',
      '`id`',
      "it's",
      'a "quoted" word',
      'mixed \' and " and !',
      'new\nline',
      '',
      ' ',
      '*',
      '~root',
      '-n',
      '$HOME',
      '\\',
      'tab\there',
      '#comment',
      '&& echo x',
      '| cat',
      '> /tmp/x',
    ];
    expect(wordsAfterSh(hostile)).toEqual(hostile);
  });

  it('keeps any string one word (property: every ASCII byte, and unicode)', () => {
    for (const unit of ['binary-ascii', 'grapheme'] as const) {
      const word = fc.string({ unit, maxLength: 20 }).filter((w) => !w.includes('\0'));
      fc.assert(
        fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), (words) => {
          expect(wordsAfterSh(words)).toEqual(words);
        }),
        { numRuns: 40 },
      );
    }
  }, 30_000);

  it('refuses an empty argv (a bug in the caller)', () => {
    expect(() => argvScript([])).toThrow();
  });
});

describe('shellCommand and scriptPayload', () => {
  it('uses sudo -n only when become is asked by a non-root user', () => {
    expect(shellCommand(false, false)).toEqual(['sh', '-s']);
    expect(shellCommand(true, false)).toEqual(['sudo', '-n', '--', 'sh', '-s']);
    expect(shellCommand(true, true)).toEqual(['sh', '-s']);
    const limited = shellCommand(true, false, 2.5);
    expect(limited.slice(0, 5)).toEqual(['sudo', '-n', '--', 'sh', '-c']);
    expect(limited[5]).toContain('exec timeout -s KILL 3 sh -s');
  });

  it('ansible_become_user/_method/_flags: sudo -u USER, su USER -c, even when already root', () => {
    const postgres = { method: 'sudo' as const, user: 'postgres', flags: ['-H'] };
    expect(shellCommand(true, true, undefined, postgres)).toEqual([
      'sudo',
      '-n',
      '-H',
      '-u',
      'postgres',
      '--',
      'sh',
      '-s',
    ]);
    expect(shellCommand(false, false, undefined, postgres)).toEqual(['sh', '-s']);
    const su = { method: 'su' as const, user: 'app', flags: [] };
    expect(shellCommand(true, true, undefined, su)).toEqual(['su', 'app', '-c', 'sh -s']);
    expect(shellCommand(true, false, undefined, { method: 'su', flags: [] })).toEqual([
      'su',
      'root',
      '-c',
      'sh -s',
    ]);
    expect(shellCommand(true, true, undefined, { method: 'su', flags: [] })).toEqual(['sh', '-s']);
  });

  it('lets a command in the script read stdin without eating the rest of the payload', async () => {
    expect((await runDetached(['sh', '-s'], scriptPayload('cat\necho after'))).stdout).toBe('after\n');
  });

  it('keeps the script exit code, also through exit, traps and the time limit', async () => {
    expect((await runDetached(['sh', '-s'], scriptPayload('exit 7'))).code).toBe(7);
    const trapped = await runDetached(['sh', '-s'], scriptPayload("trap 'echo bye' EXIT\nexit 5"));
    expect(trapped).toMatchObject({ code: 5, stdout: 'bye\n' });
    expect((await runDetached(shellCommand(false, false, 30), scriptPayload('exit 6'))).code).toBe(6);
  });

  it('runs the script in sh -s itself, not in a forked subshell (a process less per command)', async () => {
    // A child's parent is the shell that ran it: $$ inside a group, a forked pid inside a subshell
    // (the trailing `:` keeps a subshell from exec'ing its last command in place).
    const res = await runDetached(['sh', '-s'], scriptPayload("echo $$; sh -c 'echo $PPID'; :"));
    const [own, parentOfChild] = res.stdout.trim().split('\n');
    expect(parentOfChild).toBe(own);
  });

  it('runs nothing of a script with a syntax error', async () => {
    const res = await runDetached(['sh', '-s'], scriptPayload('echo first\nif then fi'));
    expect(res.stdout).toBe('');
    expect(res.code).not.toBe(0);
  });

  it('time limit: kills the whole process group of the script', async () => {
    const started = Date.now();
    const res = await runDetached(
      shellCommand(false, false, 1),
      scriptPayload('echo begun; sleep 41.125 & wait'),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res).toMatchObject({ stdout: 'begun\n', signal: 'SIGKILL' });
    expect(spawnSync('pgrep', ['-f', 'sleep 41.125']).status).toBe(1);
  });

  it('time limit: still runs the script on a host without timeout(1)', async () => {
    const bin = mkdtempSync(join(scratch, 'd-'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const res = await runDetached(shellCommand(false, false, 5), scriptPayload('echo ran; exit 3'), {
      PATH: bin,
    });
    expect(res).toMatchObject({ code: 3, stdout: 'ran\n' });
  });
});

/** Runs a command line in a process group of its own, as sshd gives each session. */
function runDetached(
  argv: string[],
  payload: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, { detached: true, env, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout }));
    child.stdin.end(payload);
  });
}

describe('explainBecome', () => {
  const base = { code: 1, stdout: '', stderr: 'sudo: a password is required\n', timedOut: false };

  it('turns a sudo password prompt into a sentence naming the host and the fixes', () => {
    const res = explainBecome(base, 'web1', 'deploy');
    expect(res.error).toBe(
      'sudo on web1 needs a password; give the user NOPASSWD for sudo (e.g. "deploy ALL=(ALL) NOPASSWD: ALL" in /etc/sudoers.d/runstate) or connect as root',
    );
    expect(res.stderr).toContain('a password is required');
    expect(res.code).toBe(1);
  });

  it('explains a missing sudo', () => {
    const res = explainBecome({ ...base, code: 127, stderr: 'sh: 1: sudo: not found\n' }, 'web1', 'deploy');
    expect(res.error).toContain('not installed');
  });

  it('leaves other results alone', () => {
    const ok = { ...base, code: 0, stderr: '' };
    expect(explainBecome(ok, 'web1', 'deploy')).toBe(ok);
    const fail = { ...base, stderr: 'unit not found' };
    expect(explainBecome(fail, 'web1', 'deploy')).toBe(fail);
  });
});
