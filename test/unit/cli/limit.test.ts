import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectHosts, splitPattern } from '../../../src/cli/limit.js';
import { loadInventory } from '../../../src/load/index.js';
import { UserError } from '../../../src/model/source.js';
import { compileWildcard, wildcardMatch } from '../../../src/model/wildcard.js';
import { cleanup, tree } from '../load/helpers.js';

afterAll(cleanup);

// The example of Ansible's "Patterns: targeting hosts and groups", as an INI inventory; the order
// of hosts inside a group is the file's, as Ansible's subscripts use it.
const INI = `mail.example.com

[webservers]
foo.example.com
bar.example.com
web3.example.com

[dbservers]
one.example.com
two.example.com
three.example.com
bar.example.com

[staging]
web3.example.com
two.example.com

[production:children]
webservers
dbservers
`;

describe('--limit: Ansible host patterns', async () => {
  const dir = await tree({ hosts: INI, 'retry.txt': 'one.example.com\n\ntwo.example.com\n' });
  const inv = await loadInventory([join(dir, 'hosts')]);
  const sel = (p?: string) => [...selectHosts(inv, p)];

  it('a host, a group, all, and no pattern', () => {
    expect(sel('mail.example.com')).toEqual(['mail.example.com']);
    expect(sel('webservers')).toEqual(['foo.example.com', 'bar.example.com', 'web3.example.com']);
    expect(sel('all')).toHaveLength(7);
    expect(sel()).toHaveLength(7);
  });

  it('a:b and a,b are unions; a:&b intersects; a:!b excludes — in that order whatever is written first', () => {
    expect(sel('webservers:dbservers')).toEqual(sel('webservers,dbservers'));
    expect(sel('webservers:dbservers')).toEqual([
      'foo.example.com',
      'bar.example.com',
      'web3.example.com',
      'one.example.com',
      'two.example.com',
      'three.example.com',
    ]);
    expect(sel('webservers:&staging')).toEqual(['web3.example.com']);
    expect(sel('webservers:!staging')).toEqual(['foo.example.com', 'bar.example.com']);
    expect(sel('!staging:webservers')).toEqual(['foo.example.com', 'bar.example.com']);
    expect(sel('webservers:dbservers:&staging:!web3.example.com')).toEqual(['two.example.com']);
    expect(sel('!production')).toEqual(['mail.example.com']);
  });

  it('globs (fnmatch: * ? [seq] [!seq]) over hosts and groups', () => {
    expect(sel('*.example.com')).toHaveLength(7);
    expect(sel('web*')).toEqual(['foo.example.com', 'bar.example.com', 'web3.example.com']);
    expect(sel('t??.example.com')).toEqual(['two.example.com']);
    expect(sel('[ft]*.example.com')).toEqual(['foo.example.com', 'two.example.com', 'three.example.com']);
    expect(sel('[!a-m]*.example.com')).toEqual([
      'web3.example.com',
      'one.example.com',
      'two.example.com',
      'three.example.com',
    ]);
  });

  it('~regex, matched from the start as Python re.match does', () => {
    expect(sel('~(web|db).*')).toEqual(sel('webservers:dbservers'));
    expect(sel('~t.*\\.example')).toEqual(['two.example.com', 'three.example.com']);
  });

  it('subscripts count in the inventory order of the group: [0], [-1], [1:2], [1:]', () => {
    expect(sel('webservers[0]')).toEqual(['foo.example.com']);
    expect(sel('webservers[-1]')).toEqual(['web3.example.com']);
    expect(sel('webservers[1]')).toEqual(['bar.example.com']);
    expect(sel('dbservers[1:2]')).toEqual(['two.example.com', 'three.example.com']);
    expect(sel('dbservers[0:1]')).toEqual(['one.example.com', 'two.example.com']);
    expect(sel('dbservers[1:]')).toEqual(['two.example.com', 'three.example.com', 'bar.example.com']);
    // production's own hosts (none), then webservers', then dbservers' (bar is already in).
    expect(sel('production[3]')).toEqual(['one.example.com']);
  });

  it('@file reads one pattern per line (a retry file)', () => {
    expect(sel(`@${join(dir, 'retry.txt')}`)).toEqual(['one.example.com', 'two.example.com']);
  });

  it('bad patterns are user errors, never crashes', () => {
    const err = (p: string) => {
      try {
        sel(p);
      } catch (e) {
        if (e instanceof UserError) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(err('webservers[7]')).toBe(
      '--limit "webservers[7]": no host at index 7; "webservers" has 3 host(s)',
    );
    expect(err('nosuch')).toBe('--limit "nosuch" matches no host in the inventory');
    expect(err('~web(')).toMatch(/^--limit "~web\(" is not a regular expression runstate can run/);
    expect(err('~(a)\\1')).toMatch(/is not a regular expression runstate can run/);
    expect(err('@/nonexistent/retry')).toBe(
      '--limit @/nonexistent/retry: cannot read the file /nonexistent/retry',
    );
  });

  it('a pattern that would make a backtracking RegExp explode is answered at once', () => {
    // As a RegExp (.*a.*a…b) this takes V8 longer than the test's timeout on a 60-character name.
    const w = compileWildcard(`${'*a'.repeat(30)}*b`, { classes: true });
    expect(wildcardMatch(w, 'a'.repeat(5000))).toBe(false);
    expect(wildcardMatch(w, `${'a'.repeat(5000)}b`)).toBe(true);
    expect(() => sel('~(a+)+$')).toThrow(UserError); // nothing matches, but the regex runs linearly
  });
});

describe('splitPattern (Ansible split_host_pattern)', () => {
  it('commas first, then colons outside brackets; ranges and IPv6 stay whole', () => {
    expect(splitPattern('a:b,c')).toEqual(['a:b', 'c']);
    expect(splitPattern('a:&b:!c')).toEqual(['a', '&b', '!c']);
    expect(splitPattern('web[1:3]')).toEqual(['web[1:3]']);
    expect(splitPattern('fe80::1')).toEqual(['fe80::1']);
    expect(splitPattern('web[1:3]:db')).toEqual(['web[1:3]', 'db']);
  });
});
