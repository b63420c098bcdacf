import { afterAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../src/load/index.js';
import { cleanup, messagesOf, world } from './helpers.js';

afterAll(cleanup);

const INVENTORY = `all:
  children:
    crm:
      hosts:
        crm-db:
        crm-app:
    erp:
      vars:
        runstate_stack: erp
      hosts:
        erp-db:
        erp-app:
          runstate_stack: erp-edge
`;

describe('stack: key', () => {
  it('comes from a group or host in the playbook, else the inventory variable runstate_stack', async () => {
    const w = await world(INVENTORY, {
      'pb.yml': `version: 1
hosts:
  crm:
    stack: crm
    services:
      db: {state: running}
  crm-app:
    stack: crm-front
  erp:
    services:
      db: {state: running}
  erp-db:
    stack: erp-core
`,
    });
    const { desired } = await loadAll(w.inv, w.pbs);
    const stacks = Object.fromEntries(Object.values(desired.hosts).map((h) => [h.host, h.stack]));
    expect(stacks).toEqual({
      'crm-db': 'crm',
      'crm-app': 'crm-front', // the host layer overrides its group
      'erp-db': 'erp-core', // a playbook's stack wins over the inventory's
      'erp-app': 'erp-edge', // the host's own inventory variable
    });
    expect(desired.hosts['crm-app']?.stackOrigin?.layer).toBe('host:crm-app');
  });

  it('refuses a bad name at its place, and two groups that disagree', async () => {
    const w = await world(INVENTORY, {
      'pb.yml': `version: 1
hosts:
  crm:
    stack: "has space"
    services:
      db: {state: running}
  erp:
    stack: one
    services:
      db: {state: running}
  all:
    services:
      x: {state: running}
`,
      'pb2.yml': `version: 1
hosts:
  erp:
    stack: two
`,
    });
    expect(await messagesOf(loadAll(w.inv, w.pbs), w.dir)).toEqual([
      'pb.yml:4:12: error: stack must be a name of letters, digits, ".", "_" or "-" (got "has space"); e.g. "stack: crm"; hosts that name no stack are in the stack "default"',
      'pb2.yml:4:5: error: conflicting desires for the stack on hosts "erp-app" and "erp-db": one (group:erp at pb.yml:8:5) vs two (group:erp at pb2.yml:4:5); make the groups agree, or set it for the host itself under "hosts: erp-app:", which overrides groups',
    ]);
  });

  it('refuses a bad runstate_stack once, naming the hosts, at the inventory', async () => {
    const w = await world(INVENTORY.replace('runstate_stack: erp\n', 'runstate_stack: [x]\n'), {
      'pb.yml': `version: 1
hosts:
  all:
    services:
      db: {state: running}
`,
    });
    const messages = await messagesOf(loadAll(w.inv, w.pbs), w.dir);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /^inv\.yml:\d+:\d+: error: inventory variable runstate_stack of host "erp-db": stack must be a name of letters, digits, "\.", "_" or "-" \(got \["x"\]\)/,
    );
  });
});
