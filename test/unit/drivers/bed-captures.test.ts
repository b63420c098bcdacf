import { describe, expect, it } from 'vitest';
import { openrcDriver, runlevelsByService } from '../../../src/drivers/openrc.js';
import { supervisordDriver } from '../../../src/drivers/supervisord.js';
import { systemdDriver } from '../../../src/drivers/systemd.js';
import { linksByService, sysvDriver } from '../../../src/drivers/sysv.js';
import { fixture } from './fixture.js';

/** Fragments captured over SSH from the test bed (Debian 12 containers, services installed, all stopped). */
const CRM = ['crm-db', 'crm-app', 'crm-proxy', 'crm-main', 'crm-broken', 'crm-flaky'];
const ALL = [...CRM, 'crm-masked', 'crm-worker@1', 'nosuch'];

const lines = (out: string, tag: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith(`${tag}|`))
    .map((l) => l.slice(tag.length + 1));

const byName = (facts: { services: { name: string }[] }) =>
  Object.fromEntries(facts.services.map((s) => [s.name, s]));

describe('captured on the bed', () => {
  it('systemd 252', () => {
    const facts = systemdDriver.parse(fixture('systemd/fragment-bed-debian12.txt'), ALL);
    const got = byName(facts);
    for (const s of CRM)
      expect(got[s]).toMatchObject({
        active: 'inactive',
        enabled: 'disabled',
        detail: 'loaded inactive/dead, disabled',
      });
    expect(got['crm-masked']).toMatchObject({ active: 'inactive', enabled: 'masked' });
    expect(got['crm-worker@1']).toMatchObject({
      active: 'inactive',
      enabled: 'disabled',
      unit: 'crm-worker@1.service',
    });
    expect(got.nosuch).toMatchObject({ active: 'not-found', enabled: 'not-found' });
    expect(facts.runlevel).toEqual({ current: 'graphical.target', default: 'graphical.target' });
  });

  it('SysV init (sysvinit-core, update-rc.d)', () => {
    const out = fixture('sysv/fragment-bed-debian12-sysvinit.txt');
    const facts = sysvDriver.parse(out, ALL);
    const got = byName(facts);
    for (const s of CRM) {
      expect(got[s]).toMatchObject({
        active: 'inactive',
        enabled: 'disabled',
        runlevels: [],
        tool: 'update-rc.d',
      });
    }
    expect(got['crm-masked']).toMatchObject({ active: 'not-found' });
    expect(facts.runlevel).toEqual({ current: '2', default: '2' });
    const links = linksByService(lines(out, 'links'));
    expect(links.get('ssh')).toEqual(new Map(['2', '3', '4', '5'].map((l) => [l, 'S'])));
    expect(links.get('crm-db')?.get('2')).toBe('K');
  });

  it('OpenRC on Debian (runlevels off, recovery; names wider than the column)', () => {
    const out = fixture('openrc/fragment-bed-debian12-openrc.txt');
    const got = byName(openrcDriver.parse(out, ALL));
    for (const s of CRM) {
      expect(got[s]).toMatchObject({
        active: 'inactive',
        enabled: 'disabled',
        detail: 'status: stopped; in no runlevel',
      });
    }
    expect(got['crm-worker@1']).toMatchObject({ active: 'not-found' });
    const runlevels = runlevelsByService(lines(out, 'update'));
    expect(runlevels.get('checkroot-bootclean.sh')).toEqual(['sysinit']);
    expect(runlevels.get('bootlogs')).toEqual(['default', 'recovery']);
    expect(runlevels.get('umountfs')).toEqual(['off']);
    expect(openrcDriver.parse(out, []).runlevel).toEqual({ current: 'default' });
  });

  it('supervisord (Debian package config, one conf.d file per program)', () => {
    const got = byName(supervisordDriver.parse(fixture('supervisord/fragment-bed-debian12.txt'), ALL));
    for (const s of CRM)
      expect(got[s]).toMatchObject({ active: 'inactive', enabled: 'disabled', detail: 'STOPPED', unit: s });
    expect(got['crm-masked']).toMatchObject({ active: 'not-found' });
  });
});

describe('captured on the bed: what went wrong', () => {
  it('OpenRC: a started service whose pidfile process is gone is failed and crashed', () => {
    const got = byName(
      openrcDriver.parse(fixture('openrc/fragment-bed-crashed.txt'), [
        'crm-db',
        'crm-app',
        'crm-proxy',
        'nosuch',
      ]),
    );
    expect(got['crm-db']).toMatchObject({
      active: 'failed',
      crashed: true,
      detail: 'status: started, but the process of its pidfile is gone (crashed); in no runlevel',
    });
    expect(got['crm-app']).toMatchObject({ active: 'active', detail: 'status: started; in no runlevel' });
    expect(got['crm-app']).not.toHaveProperty('crashed');
    expect(got['crm-proxy']).toMatchObject({ active: 'inactive' });
    expect(got.nosuch).toMatchObject({ active: 'not-found' });
  });

  it('supervisord as a user who may not open its socket: permission denied, not "not found"', () => {
    const got = byName(
      supervisordDriver.parse(fixture('supervisord/fragment-bed-permission-denied.txt'), ['crm-main']),
    );
    expect(got['crm-main']).toMatchObject({
      active: 'unknown',
      enabled: 'unknown',
      detail: "permission denied on supervisord's socket",
    });
    expect((got['crm-main'] as { problem?: string }).problem).toMatch(
      /^permission denied on supervisord's socket; connect as root, set become: true/,
    );
  });
});
