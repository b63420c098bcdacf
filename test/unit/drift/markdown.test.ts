import { describe, expect, it } from 'vitest';
import { computeDrift, renderDriftMarkdown } from '../../../src/drift/index.js';
import { desired, dhost, observed } from '../plan/helpers.js';
import { sampleReport } from './sample-report.js';

describe('renderDriftMarkdown', () => {
  it('writes a headline, a host table and a details block per host', () => {
    expect(renderDriftMarkdown(sampleReport())).toBe(`## runstate drift

**4 drifts on 1 host, 1 host unchecked, 1 host in sync (11 items)**

| host | status | drifted items |
| --- | --- | --- |
| db1 | **drift** | 4 of 5 items |
| h2 | unchecked: connection refused | 2 items not checked |
| web1 | in sync | 0 of 4 items |

<details>
<summary>db1: drift (4 of 5 items)</summary>

| service | field | desired | observed | status |
| --- | --- | --- | --- | --- |
| (host) | runlevel | 3 | graphical.target | **drift** |
| (host) | default-runlevel | 3 | multi-user.target | in sync |
| crm-app | present | present | not in the snapshot | **drift** |
| postgresql | state | running | inactive | **drift** |
| postgresql | enabled | enabled | disabled | **drift** |

</details>

<details>
<summary>h2: unchecked (2 items not checked)</summary>

| service | field | desired | observed | status |
| --- | --- | --- | --- | --- |
| nginx | state | running | unknown | not checked |
| nginx | enabled | enabled | unknown | not checked |

</details>

<details>
<summary>web1: in sync (4 items)</summary>

| service | field | desired | observed | status |
| --- | --- | --- | --- | --- |
| nginx | state | running | active | in sync |
| nginx | enabled | enabled | enabled | in sync |
| old-cron | state | stopped | inactive | in sync |
| old-cron | enabled | disabled | masked | in sync |

</details>
`);
  });

  it('keeps text from the hosts out of the markup', () => {
    const r = computeDrift(
      desired(dhost('h1', [])),
      observed({ status: 'unreachable', host: 'h1', reason: 'bad | <b>key</b>\nchanged' }),
    );
    const md = renderDriftMarkdown(r);
    expect(md).toContain('| h1 | unchecked: bad \\| &lt;b&gt;key&lt;/b&gt; changed | 0 items not checked |');
    expect(md).toContain('<summary>h1: unchecked (0 items not checked)</summary>\n\nNothing declared.\n');
  });
});
