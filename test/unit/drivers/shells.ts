import { spawnSync } from 'node:child_process';

/** The POSIX shells on this machine: sh and dash always on Debian, busybox sh when installed. */
export function availableShells(): string[][] {
  const candidates = [['sh'], ['dash'], ['busybox', 'sh']];
  return candidates.filter(
    ([cmd, ...args]) => spawnSync(cmd as string, [...args, '-c', 'exit 0']).status === 0,
  );
}

/** Runs a script on stdin, as the transport does (`sh -s`). */
export function runScript(
  shell: string[],
  script: string,
): { code: number | null; stdout: string; stderr: string } {
  const [cmd, ...args] = shell;
  const r = spawnSync(cmd as string, [...args, '-s'], {
    input: script,
    encoding: 'utf8',
    cwd: '/',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
