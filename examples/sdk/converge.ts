// Converge a fleet from code with the runstate SDK (docs/sdk.md).
// Run: node --import tsx examples/sdk/converge.ts INVENTORY PLAYBOOK   (after npm run build)
import { apply, drift, loadFleet, observe, plan } from 'runstate';

const [inventory, playbook] = process.argv.slice(2);
if (!inventory || !playbook) throw new Error('usage: converge.ts INVENTORY PLAYBOOK');

const stop = new AbortController();
process.once('SIGINT', () => stop.abort()); // the SDK installs no handler itself

const fleet = await loadFleet({ inventory, playbooks: playbook, cwd: process.cwd() });
const planned = plan(await observe(fleet, { signal: stop.signal }));
console.log(`${planned.plan.steps.length} step(s) planned`);

const run = apply(planned, { signal: stop.signal });
for await (const e of run.events) {
  if (e.type === 'step-end') console.log(`${e.outcome.kind} ${e.outcome.step.id}`);
}
const result = await run.result;
console.log(`apply: ${result.status} (exit ${result.exitCode})`);

const report = await drift(await observe(fleet));
console.log(`drift: ${report.summary.drifts} item(s) out of sync on ${report.summary.hosts} host(s)`);
process.exitCode = result.exitCode;
