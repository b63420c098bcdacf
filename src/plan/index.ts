export { buildPlan } from './build.js';
export { diffHost, diffHostDetailed, type HostDiff } from './diff.js';
export { hostDigest, scopeToServices } from './digest.js';
export { compareSteps, type Ordered, orderIntoWaves } from './order.js';
export { runlevelTarget } from './runlevel.js';
export type {
  Change,
  CommandsFor,
  DiffHooks,
  ManagerKnowledge,
  ObservedAddress,
  ObservedRunlevelFor,
  OutsideLimit,
  PendingStep,
  PlanInput,
  PlanProblem,
  PlanResult,
  UnsupportedFor,
} from './types.js';
export { KIND_ORDER, stepId } from './types.js';
