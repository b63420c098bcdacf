import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tree } from '../load/helpers.js';
import { run } from './run-cli.js';

await import('../../../src/cli/validate.js');
afterAll(cleanup);

// Issue 13: nothing Ansible would act on is ignored silently. Every ansible_* variable runstate
// does not implement is a validate warning at the line that sets it, wherever it is set.
describe('validate lists every unimplemented ansible_* variable with file:line', async () => {
  const dir = await tree({
    'inv/hosts':
      '[web]\nw1 ansible_shell_type=sh\n\n[web:vars]\nansible_python_interpreter=/usr/bin/python3\n',
    'inv/group_vars/all.yml': '# site-wide\nansible_pipelining: true\nntp_server: pool.ntp.org\n',
    'inv/host_vars/w1.yml': 'ansible_timeout: 30\nansible_user: deploy\n',
    'pb.yml': 'version: 1\nhosts:\n  web:\n    services:\n      nginx:\n        state: running\n',
  });

  it('in INI host lines, [group:vars], group_vars/ and host_vars/ files; valid all the same', async () => {
    const r = await run('validate', '-i', join(dir, 'inv'), join(dir, 'pb.yml'));
    expect(r.code).toBe(0);
    const warnings = r.err
      .split('\n')
      .filter((l) => l.includes('warning:'))
      .map((l) => l.split(`${dir}/`).join(''))
      .sort();
    const w = (where: string, name: string) =>
      `${where}: warning: ${name} is an Ansible setting runstate does not implement; it is ignored`;
    expect(warnings).toEqual(
      [
        w('inv/group_vars/all.yml:2:1', 'ansible_pipelining'),
        w('inv/host_vars/w1.yml:1:1', 'ansible_timeout'),
        w('inv/hosts:2:1', 'ansible_shell_type'),
        w('inv/hosts:5:1', 'ansible_python_interpreter'),
      ].sort(),
    );
    // The user's own variable and an implemented one are not warned about.
    expect(r.err).not.toContain('ntp_server');
    expect(r.err).not.toContain('ansible_user');
  });
});
