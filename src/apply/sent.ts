/*
 * Whether this process has sent a command that may change a host. SPEC's exit 1 promises that
 * nothing was changed; once a command went out that promise is gone, so an unexpected exception
 * after that point must exit 3 (partial), never 1. Process-wide on purpose: the CLI's one error
 * handler reads it, whichever command and code path sent the command.
 */
let sent = false;

export function markCommandSent(): void {
  sent = true;
}

export function commandWasSent(): boolean {
  return sent;
}
