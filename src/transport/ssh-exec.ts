import type { Client, ClientChannel } from 'ssh2';
import { boundedSink, collectedResult, DRAIN_GRACE_MS, OUTPUT_TOO_LARGE } from './command.js';
import type { ExecResult } from './types.js';

/**
 * Opens one exec channel, feeds `stdin`, and collects the outcome. Every wait is bounded: the
 * channel open and the command by `timeoutMs`, the output after exit or kill by a short grace.
 * On timeout the remote process group gets SIGKILL (sshd's signal request is a killpg) and the
 * channel is closed from our side at once: a host that ignores the signal cannot hold the run
 * (the `timeout` wrapper of the command line ends the remote command then).
 */
export function execOnClient(
  client: Client,
  command: string,
  stdin: string,
  timeoutMs: number,
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let code: number | null = null;
    let signal: string | undefined;
    let timedOut = false;
    let settled = false;
    let channel: ClientChannel | undefined;
    let channelClosed = false;
    let grace: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;

    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      client.off('close', onConnectionLost);
      if (channel && !channelClosed) channel.close();
      resolve(collectedResult(code, signal, stdout, stderr, timedOut, error));
    };
    const startGrace = (): void => {
      if (!grace) grace = setTimeout(() => finish(), DRAIN_GRACE_MS);
    };
    const onConnectionLost = (): void => finish('the SSH connection was lost while the command ran');

    timer = setTimeout(() => {
      timedOut = true;
      if (!channel) {
        finish();
        return;
      }
      sendSignal(channel, 'KILL');
      finish();
    }, timeoutMs);
    client.on('close', onConnectionLost);

    const opened = (err: Error | undefined, stream: ClientChannel): void => {
      if (err) {
        finish(`cannot open a command channel: ${err.message}`);
        return;
      }
      if (settled) {
        stream.close();
        return;
      }
      channel = stream;
      const sink = boundedSink();
      const take = (into: Buffer[]) => (d: Buffer) => {
        if (sink.push(into, d)) return;
        sendSignal(stream, 'KILL');
        finish(OUTPUT_TOO_LARGE);
      };
      stream.on('data', take(stdout));
      stream.stderr.on('data', take(stderr));
      stream.on('exit', (exitCode: number | null, exitSignal?: string) => {
        if (typeof exitCode === 'number') code = exitCode;
        if (exitSignal) signal = exitSignal;
        // Something left running in the background may hold the output open; don't wait for it forever.
        startGrace();
      });
      stream.on('close', () => {
        channelClosed = true;
        finish();
      });
      stream.on('error', (e: Error) => finish(`command channel failed: ${e.message}`));
      stream.end(stdin);
    };
    try {
      client.exec(command, opened);
    } catch (err) {
      finish(`cannot run a command: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

/**
 * ssh2's ClientChannel.signal() silently does nothing once our side has sent EOF, and we always
 * have (the script went on stdin). The server still accepts the request, so send it through the
 * channel's protocol object, which ssh2 1.x keeps at these private fields.
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const c = channel as unknown as {
    outgoing?: { id?: unknown; state?: unknown };
    _client?: { _protocol?: { signal?: unknown } };
  };
  const id = c.outgoing?.id;
  const state = c.outgoing?.state;
  const protocol = c._client?._protocol;
  // After EOF ('eof') requests are still allowed (RFC 4254 5.3); only a closing channel is too late.
  if (typeof id !== 'number' || (state !== 'open' && state !== 'eof')) return;
  if (typeof protocol?.signal !== 'function') return;
  try {
    protocol.signal(id, name);
  } catch {
    // A server that refuses signals still gets the channel closed, which ends our wait.
  }
}
