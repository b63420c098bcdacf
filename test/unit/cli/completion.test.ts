import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { completionScript } from '../../../src/cli/completion.js';
import { buildProgram, main } from '../../../src/cli/main.js';

const program = buildProgram({ out: () => {}, err: () => {}, isTTY: false, env: {} }, () => {});

/** What bash completes after `words` (the last one is being typed), with the generated script. */
function bashComplete(words: string[]): string[] {
  const script = `${completionScript(program, 'bash')}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _runstate; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('runstate completion', () => {
  it('bash: completes commands, and each command only with its own flags', () => {
    expect(bashComplete(['runstate', 'pl'])).toEqual(['plan']);
    expect(bashComplete(['runstate', 'plan', '--det'])).toEqual(['--detailed-exitcode']);
    expect(bashComplete(['runstate', 'validate', '--'])).not.toContain('--host-key-checking');
    expect(bashComplete(['runstate', 'apply', '--host'])).toEqual(['--host-key-checking']);
  });
  it('zsh and fish scripts name every command', () => {
    expect(completionScript(program, 'zsh')).toContain('bashcompinit');
    const fish = completionScript(program, 'fish');
    for (const c of ['validate', 'plan', 'apply', 'drift', 'watch', 'facts', 'inventory'])
      expect(fish).toContain(`-a ${c} `);
  });
  it('an unknown shell is exit 1', async () => {
    let err = '';
    const io = {
      out: () => {},
      err: (t: string) => {
        err += t;
      },
      isTTY: false,
      env: {},
    };
    expect(await main(['node', 'runstate', 'completion', 'tcsh'], io)).toBe(1);
    expect(err).toContain('no completion for shell "tcsh"');
  });
  it('every command ends its --help with an example and its exit codes', () => {
    for (const c of program.commands) {
      let help = '';
      c.configureOutput({
        writeOut: (t) => {
          help += t;
        },
      });
      c.outputHelp();
      expect(help, c.name()).toMatch(/Example:\n {2}\S.*\n\nExit codes: .+\.\n+$/s);
    }
  });
});
