import type { HealthCheck } from '../model/desired.js';
import type { Step } from '../model/plan.js';
import type { HealthResult } from './health.js';

/** What happened to one step. `because` names the failed/unreachable step a skip descends from. */
export type StepOutcome =
  | { kind: 'ok'; step: Step; durationMs: number; note?: string }
  | { kind: 'would-run'; step: Step } // dry run: the same path as apply, stopped before the command
  | { kind: 'failed'; step: Step; durationMs: number; message: string; stderrTail: string }
  /** `because`: the step (or host) it waited on; `cause`: the root, in words a person can act on. */
  | { kind: 'skipped'; step: Step; because: string; cause: string }
  | { kind: 'unreachable'; step: Step; reason: string }
  | { kind: 'not-started'; step: Step; reason: string }; // interrupted (Ctrl-C) before it began

/** Live progress for the terminal/CI renderer. */
export type ExecEvent =
  | { kind: 'step-start'; step: Step; at: Date }
  | { kind: 'step-end'; outcome: StepOutcome; at: Date }
  | { kind: 'health-wait'; step: Step; at: Date; detail: string };

/** The result of one command on a host, as the transport reports it. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Everything the executor needs from a host. Real runs implement it over SSH; unit tests
 * implement it in memory to check ordering and failure isolation (never to claim it works).
 */
export interface HostActions {
  /** Runs one argv on the host. */
  run(argv: string[]): Promise<CommandResult>;
  /** After a start/restart: is the service active when its manager is asked again? */
  verifyRunning(step: Step): Promise<{ ok: true } | { ok: false; message: string }>;
  /**
   * Runs a health gate from the host itself until it passes or its timeout ends (`once`: one
   * attempt, still bounded by the timeout); on failure, the last attempt's output.
   */
  waitHealthy(check: HealthCheck, mode?: { once?: boolean }): Promise<HealthResult>;
}

export type HostAccess = { ok: true; actions: HostActions } | { ok: false; reason: string };

export interface ExecuteOptions {
  forks: number;
  dryRun: boolean;
  /** Connects (once) to a host; an unreachable host fails its own steps and their dependents. */
  access: (host: string) => Promise<HostAccess>;
  onEvent?: (e: ExecEvent) => void;
  /** Aborted (Ctrl-C / SIGTERM): no new steps start; running ones finish. */
  signal?: AbortSignal;
  /**
   * Called just before each command (and verification or health check) is sent, for the audit
   * log. If it throws, that command is not sent, its step fails, and no new step starts.
   */
  beforeCommand?: (entry: CommandStart) => void;
  /** Called after each one ended, for the audit log; throwing stops new steps like beforeCommand. */
  onCommand?: (entry: CommandRecord) => void;
  /** Waits between rolling batches; injected by tests. Resolves early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** `command`: a step's argv; `verify`: the re-observation after a start; `health`: its gate. */
export type CommandKind = 'command' | 'verify' | 'health';

export interface CommandStart {
  host: string;
  stepId: string;
  what: CommandKind;
  argv: string[];
  startedAt: string;
}

export interface CommandRecord extends CommandStart {
  endedAt: string;
  exitCode: number | null;
  timedOut: boolean;
}
