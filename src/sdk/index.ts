/*
 * runstate as a library: the stages the CLI runs, as functions with typed results. Nothing here
 * writes to stdout/stderr, exits the process, installs signal handlers, or reads the environment
 * or the current directory unless an option says so (docs/sdk.md).
 *
 *   const fleet = await loadFleet({ inventory, playbooks, cwd });
 *   const seen = await observe(fleet, { signal });
 *   const planned = plan(seen);                 // pure
 *   const run = apply(planned, { signal });     // run.events: AsyncIterable; await run.result
 *   const report = await drift(await observe(fleet));
 */
export type { StepOutcome } from '../apply/types.js';
export type { Desired, DesiredHost, DesiredService } from '../model/desired.js';
export type { DriftItem, DriftReport, HostDrift } from '../model/drift.js';
export type { Inventory, InventoryHost } from '../model/inventory.js';
export type { ObservedHost, ObservedService, ObservedSnapshot } from '../model/observed.js';
export type { Plan, Step } from '../model/plan.js';
export { type Problem, ProblemsError, UserError } from '../model/source.js';
export type { Waiver, WaiverNote } from '../model/waiver.js';
export type { PlanProblem } from '../plan/index.js';
export { renderDriftJson } from '../report/drift-json.js';
export { renderPlanJson, renderPlanText } from '../report/index.js';
export { type ApplyOptions, type ApplyResult, type ApplyRun, apply } from './apply.js';
export { type EventListener, EventQueue, type RunstateEvent } from './events.js';
export type { ConnectOptions } from './options.js';
export {
  type DriftOptions,
  drift,
  driftExitCode,
  type LoadedFleet,
  type LoadOptions,
  loadFleet,
  type Observation,
  observe,
  type Planned,
  plan,
} from './stages.js';
