import { describe, expect, it } from 'vitest';
import { classifyConnectError, viaJump } from '../../../src/transport/failures.js';

const ctx = {
  host: 'web1',
  address: '10.0.0.5',
  port: 2222,
  user: 'deploy',
  methods: ['ssh-agent', 'key /home/ops/.ssh/id_ed25519'],
  connectTimeoutMs: 5000,
};
const err = (message: string, extra: Record<string, string>) => Object.assign(new Error(message), extra);

describe('classifyConnectError', () => {
  it('ECONNREFUSED → refused', () => {
    const f = classifyConnectError(err('connect ECONNREFUSED 10.0.0.5:2222', { code: 'ECONNREFUSED' }), ctx);
    expect(f).toMatchObject({
      kind: 'refused',
      host: 'web1',
      message: 'connection to web1 (10.0.0.5:2222) refused',
    });
    expect(f.hint).toContain('sshd');
  });

  it('ENOTFOUND / EAI_AGAIN → dns', () => {
    expect(classifyConnectError(err('getaddrinfo ENOTFOUND x', { code: 'ENOTFOUND' }), ctx).kind).toBe('dns');
    const f = classifyConnectError(err('getaddrinfo EAI_AGAIN x', { code: 'EAI_AGAIN' }), ctx);
    expect(f.kind).toBe('dns');
    expect(f.message).toBe('cannot resolve 10.0.0.5 (host web1)');
  });

  it('socket and handshake timeouts → timeout, naming the bound', () => {
    expect(classifyConnectError(err('x', { code: 'ETIMEDOUT' }), ctx).kind).toBe('timeout');
    const f = classifyConnectError(
      err('Timed out while waiting for handshake', { level: 'client-timeout' }),
      ctx,
    );
    expect(f.kind).toBe('timeout');
    expect(f.message).toBe('no SSH answer from web1 (10.0.0.5:2222) within 5000 ms');
  });

  it('all methods failed → auth, naming the user and the methods tried', () => {
    const f = classifyConnectError(
      err('All configured authentication methods failed', { level: 'client-authentication' }),
      ctx,
    );
    expect(f.kind).toBe('auth');
    expect(f.message).toBe(
      'SSH authentication as deploy on web1 (10.0.0.5:2222) failed (tried: ssh-agent, key /home/ops/.ssh/id_ed25519)',
    );
    expect(f.hint).toContain('~deploy/.ssh/authorized_keys');
  });

  it('says so when there was nothing to try', () => {
    const f = classifyConnectError(err('x', { level: 'client-authentication' }), { ...ctx, methods: [] });
    expect(f.message).toContain('tried: none: no SSH key found and no ssh-agent');
  });

  it('anything else → other, with the original text', () => {
    const f = classifyConnectError(err('read ECONNRESET', { code: 'ECONNRESET' }), ctx);
    expect(f).toMatchObject({
      kind: 'other',
      message: 'SSH connection to web1 (10.0.0.5:2222) failed: read ECONNRESET',
    });
    expect(classifyConnectError('weird', ctx).kind).toBe('other');
    expect(classifyConnectError(err('x', { code: 'EHOSTUNREACH' }), ctx).message).toContain('no route');
  });
});

describe('viaJump', () => {
  it('re-tells a jump host failure for the target, keeping its kind', () => {
    const hop = classifyConnectError(err('x', { code: 'ECONNREFUSED' }), { ...ctx, host: 'bastion' });
    const f = viaJump(hop, 'web1', 'bastion');
    expect(f).toMatchObject({ kind: 'refused', host: 'web1' });
    expect(f.message).toBe('via jump host bastion: connection to bastion (10.0.0.5:2222) refused');
  });
});
