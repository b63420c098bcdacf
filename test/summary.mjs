// Prints the plain "N passed, N failed, N skipped" line CI counts, from vitest's JSON report.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A test file that fails before any test runs (an import that cannot be resolved) has no failed
// test, only a failed file: count each such file as one failure, or CI would read it as green.
const unloaded = (report.testResults ?? []).filter(
  (t) => t.status === 'failed' && (t.assertionResults ?? []).every((a) => a.status !== 'failed'),
).length;
const failed = report.numFailedTests + Math.max(report.numRuntimeErrorTestSuites ?? 0, unloaded);
console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
