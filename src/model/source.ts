/** Where a value came from in the user's files, for errors and `plan --explain`. */
export interface SourceRef {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

/**
 * An expected failure caused by the user's input (or environment): the CLI prints it
 * compiler-style and exits 1. Exceptions of other types are bugs.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly where?: SourceRef,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** One problem found while loading/validating; loaders collect all of them before failing. */
export interface Problem {
  where?: SourceRef;
  message: string;
  hint?: string;
}

/** Several problems at once: `validate` reports every one, not just the first. */
export class ProblemsError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`${problems.length} problem(s) in the input`);
    this.name = 'ProblemsError';
  }
}

/** `playbooks/site.yml:14:9: error: … (hint)` — the one place this format is defined. */
export function formatProblem(p: Problem): string {
  return formatWithSeverity(p, 'error');
}

/** The same line for something runstate reads but ignores: `inventory/hosts:12:1: warning: …`. */
export function formatWarning(p: Problem): string {
  return formatWithSeverity(p, 'warning');
}

function formatWithSeverity(p: Problem, severity: 'error' | 'warning'): string {
  // line 0 means "the whole file" (missing, empty, unreadable).
  const at = p.where
    ? p.where.line > 0
      ? `${p.where.file}:${p.where.line}:${p.where.col}: `
      : `${p.where.file}: `
    : '';
  const hint = p.hint ? `; ${p.hint}` : '';
  return `${at}${severity}: ${p.message}${hint}`;
}
