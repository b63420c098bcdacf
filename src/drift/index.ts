import type { DriftReport } from '../model/drift.js';

export { renderDriftJson } from '../report/drift-json.js';
export { renderDriftJunit } from '../report/drift-junit.js';
export { renderDriftMarkdown } from '../report/drift-markdown.js';
export { renderDriftText } from '../report/drift-text.js';
export {
  compareItems,
  computeDrift,
  type DriftOptions,
  enabledInSync,
  type GateProbes,
  stateInSync,
} from './compute.js';

/** SPEC's drift exit codes: 0 in sync, 2 drift, 3 some hosts unchecked (the report is still written). */
export function driftExitCode(r: DriftReport): 0 | 2 | 3 {
  const statuses = Object.values(r.hosts).map((h) => h.status);
  if (statuses.includes('unchecked')) return 3;
  return statuses.includes('drift') ? 2 : 0;
}
