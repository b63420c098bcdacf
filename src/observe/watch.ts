import { quote } from 'shell-quote';

/** Where each host keeps the checksum of a service's watched files as of its last (re)start. */
export const WATCH_STATE_DIR = '/var/lib/runstate/restart';

/** How much of each watched file is hashed. */
export const WATCH_MAX_BYTES = 64 * 1024 * 1024;

/**
 * POSIX sh computing one checksum over the watched files ($@): each file's sha256 (or "missing"),
 * hashed again. The same text runs at observe time and when a start/restart records it, so the
 * two can only ever agree when the files are unchanged.
 */
const CHECKSUM_SH = [
  'rs_sum() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else busybox sha256sum; fi; }',
  // Only regular files, and at most WATCH_MAX_BYTES of each (a huge file is hashed by its head):
  // a device (/dev/zero), FIFO or socket would never end; `missing` stands for all of them.
  `rs_watch_sum() { for f in "$@"; do if [ -f "$f" ] && [ -r "$f" ]; then head -c ${WATCH_MAX_BYTES} < "$f" | rs_sum; else echo missing; fi; done | rs_sum | cut -c1-64; }`,
].join('\n');

/** The observe-script section: `watch|<service>|<current>|<recorded or none>` per watched service. */
export function watchFragment(
  watches: Readonly<Record<string, readonly string[]>>,
  stateDir = WATCH_STATE_DIR,
): string {
  const lines = [CHECKSUM_SH];
  for (const [service, paths] of Object.entries(watches).sort(([a], [b]) => a.localeCompare(b))) {
    const svc = quote([service]);
    lines.push(
      `rs_rec=$(cut -c1-64 ${quote([`${stateDir}/${service}.sha256`])} 2>/dev/null)`,
      `printf 'watch|%s|%s|%s\\n' ${svc} "$(rs_watch_sum ${quote([...paths])})" "\${rs_rec:-none}"`,
    );
  }
  return lines.join('\n');
}

export interface WatchState {
  current: string;
  /** null: never recorded (runstate has not started it since the watch was declared). */
  recorded: string | null;
}

/** Parses the section's lines into service → checksums; anything malformed is ignored. */
export function parseWatch(body: string): Record<string, WatchState> {
  const out: Record<string, WatchState> = {};
  for (const line of body.split('\n')) {
    const m = /^watch\|([^|]+)\|([0-9a-f]{64})\|([0-9a-f]{64}|none)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1]] = { current: m[2], recorded: m[3] === 'none' ? null : (m[3] ?? null) };
  }
  return out;
}

/**
 * The argv appended to a start/restart of a service with `restart.on_change`: records the
 * checksum the service now runs with. The shell text is a constant; name and paths are arguments.
 */
export function recordWatchCommand(
  service: string,
  paths: readonly string[],
  stateDir = WATCH_STATE_DIR,
): string[] {
  const dir = quote([stateDir]);
  const script = `${CHECKSUM_SH}\nsvc=$1; shift; mkdir -p ${dir} && rs_watch_sum "$@" > ${dir}/"$svc.sha256"`;
  return ['sh', '-c', script, 'sh', service, ...paths];
}
