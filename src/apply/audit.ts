import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { CommandRecord } from './types.js';

/** `$XDG_STATE_HOME/runstate/audit.jsonl`, else `~/.local/state/runstate/audit.jsonl`. */
export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'runstate', 'audit.jsonl');
}

/**
 * Appends one JSON line per executed command: who ran it, on which host as which user, when,
 * and how it ended. Commands hold only validated service names and fixed words, never secrets,
 * and output is not logged (it might hold some).
 */
export class AuditLog {
  private readonly localUser = safeUser();

  constructor(
    readonly path: string,
    private readonly runId: string,
  ) {
    mkdirSync(dirname(path), { recursive: true });
  }

  record(entry: CommandRecord, remoteUser: string | undefined): void {
    const line = {
      run: this.runId,
      by: this.localUser,
      host: entry.host,
      user: remoteUser ?? null,
      step: entry.stepId,
      argv: entry.argv,
      started: entry.startedAt,
      ended: entry.endedAt,
      exit: entry.exitCode,
      timedOut: entry.timedOut,
    };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
