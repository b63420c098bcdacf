import { describe, expect, it } from 'vitest';
import { splitSections } from '../../../src/observe/sections.js';

const N = '0123456789abcdef0123456789abcdef';
const m = (rest: string) => `@@runstate:${N}:${rest}`;

describe('section splitter', () => {
  it('splits sections, keeps their exit status, sees the done marker', () => {
    const out = [
      m('begin:detect'),
      'init=sysv',
      m('end:detect:0'),
      m('begin:sysv'),
      'st|a 3',
      m('end:sysv:2'),
      m('done'),
    ];
    const { sections, done } = splitSections(out.join('\n'), N);
    expect(done).toBe(true);
    expect(sections.get('detect')).toEqual({ name: 'detect', body: 'init=sysv', code: 0 });
    expect(sections.get('sysv')).toEqual({ name: 'sysv', body: 'st|a 3', code: 2 });
  });

  it('a marker with another nonce is plain text: it cannot end, open or finish anything', () => {
    const fake = '@@runstate:ffffffffffffffffffffffffffffffff';
    const out = [
      m('begin:sysv'),
      `${fake}:end:sysv:0`,
      `${fake}:begin:systemd`,
      'st|a 0',
      `${fake}:done`,
      m('end:sysv:0'),
      m('done'),
    ].join('\n');
    const { sections } = splitSections(out, N);
    expect([...sections.keys()]).toEqual(['sysv']);
    expect(sections.get('sysv')?.body).toBe(
      [`${fake}:end:sysv:0`, `${fake}:begin:systemd`, 'st|a 0', `${fake}:done`].join('\n'),
    );
  });

  it('a right-nonce marker inside a line, or with a prefix, is not a marker', () => {
    const out = [m('begin:sysv'), `st|${m('end:sysv:0')}`, ` ${m('done')}`, m('end:sysv:0')].join('\n');
    const { sections, done } = splitSections(out, N);
    expect(done).toBe(false);
    expect(sections.get('sysv')?.body).toBe(`st|${m('end:sysv:0')}\n ${m('done')}`);
  });

  it('an end for another section does not close the open one; an unfinished section is dropped', () => {
    const out = [m('begin:systemd'), m('end:sysv:0'), 'show|Id=a', m('begin:sysv')].join('\n');
    const { sections } = splitSections(out, N);
    expect(sections.size).toBe(0);
  });

  it('done inside a section does not count', () => {
    const { done, sections } = splitSections([m('begin:sysv'), m('done')].join('\n'), N);
    expect(done).toBe(false);
    expect(sections.size).toBe(0);
  });

  it('a repeated section keeps the first copy', () => {
    const out = [m('begin:sysv'), 'st|a 0', m('end:sysv:0'), m('begin:sysv'), 'st|a 3', m('end:sysv:0')];
    expect(splitSections(out.join('\n'), N).sections.get('sysv')?.body).toBe('st|a 0');
  });
});
