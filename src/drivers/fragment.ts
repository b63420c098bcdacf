/**
 * What every driver's observe fragment shares: quoting, one output convention, and its reader.
 *
 * Convention: a fragment prints only lines `tag|text` (a fact) or `tag?N` (exit status of the
 * command that produced `tag`). Tool output goes through `sed 's/^/tag|/'`, which prefixes every
 * line — so nothing a service or tool prints can pose as another tag, or as a section marker of the
 * combined script. (The prefixing is a `read` loop in the shell itself, not `sed`: on a host, each
 * process a fragment starts costs more than the loop, see docs/performance.md.) Names enter a fragment once, through `set --` with each word quoted.
 */
import { quote } from 'shell-quote';
import { type ManagerKind, SERVICE_NAME_RE } from '../model/desired.js';

/** One word for sh, quoted by shell-quote: nothing from a manifest is pasted raw. */
export function shellWord(word: string): string {
  return quote([word]);
}

/** Names arrive validated (SPEC regex); one that is not is a bug upstream, never shell text. */
export function checkedNames(services: readonly string[]): string[] {
  const unique = [...new Set(services)];
  for (const s of unique) {
    if (!SERVICE_NAME_RE.test(s))
      throw new Error(`invalid service name reached a driver: ${JSON.stringify(s)}`);
  }
  return unique;
}

export function checkedName(service: string | undefined, what: string): string {
  if (service === undefined) throw new Error(`${what} needs a service`);
  const [name] = checkedNames([service]);
  return name as string;
}

/** `set -- 'a' 'b'`: the fragment's only copy of the names; loops then use "$@". */
export function setNames(names: readonly string[]): string {
  return names.length === 0 ? 'set --' : `set -- ${names.map(shellWord).join(' ')}`;
}

/**
 * The combined script sets `rs_t` to a working `timeout -s KILL N` (empty when the host has none),
 * so one hung status command cannot stall the round trip; a fragment run on its own has no bound.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a JS template
export const TIMEOUT = '${rs_t-}';

const TAG_RE = /^[a-z][a-z0-9-]*$/;

/**
 * Runs `command` (sh code built from quoted words), prints its stdout as `tag|` lines, then `tag?N`.
 * The here-document's end word is matched in this script's text, never in the expanded output.
 */
export function capture(tag: string, command: string): string {
  if (!TAG_RE.test(tag)) throw new Error(`bad fragment tag ${tag}`);
  return [
    `rs_o=$(${command} 2>/dev/null); rs_c=$?`,
    `[ -z "$rs_o" ] || while IFS= read -r rs_line; do printf '${tag}|%s\\n' "$rs_line"; done <<RS_CAPTURED`,
    '$rs_o',
    'RS_CAPTURED',
    `echo "${tag}?$rs_c"`,
  ].join('\n');
}

export interface Captured {
  lines: string[];
  /** Exit status of the command, when the fragment got that far. */
  code?: number;
}

const LINE_RE = /^([a-z][a-z0-9-]*)([|?])(.*)$/;

/** Groups a fragment's output by tag; lines that follow no tag (noise) are dropped. */
export function readTagged(output: string): Map<string, Captured> {
  const byTag = new Map<string, Captured>();
  for (const raw of output.split('\n')) {
    const m = LINE_RE.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const [, tag, kind, text] = m as unknown as [string, string, string, string];
    let entry = byTag.get(tag);
    if (!entry) {
      entry = { lines: [] };
      byTag.set(tag, entry);
    }
    if (kind === '|') entry.lines.push(text);
    else if (/^\d+$/.test(text)) entry.code = Number(text);
  }
  return byTag;
}

export function linesOf(tagged: Map<string, Captured>, tag: string): string[] {
  return tagged.get(tag)?.lines ?? [];
}

/** ANSI colour sequences some tools print even into a pipe (einfo with a forced colour setting). */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** Levels 1-5 as SPEC allows them; 0 and 6 never reach a driver. */
export function numericLevel(target: string | undefined): string | undefined {
  return target !== undefined && /^[1-5]$/.test(target) ? target : undefined;
}

const TARGET_RE = /^[A-Za-z0-9][A-Za-z0-9@._:-]{0,254}$/;

/** Runlevel/target names go into argv (quoted by the executor) but must still look like names. */
export function targetProblem(target: string | undefined): string | undefined {
  if (target === undefined) return 'no runlevel or target given';
  return TARGET_RE.test(target) ? undefined : `${JSON.stringify(target)} is not a runlevel or target name`;
}

/** After `unsupported()` said yes, a bad target here is a bug in the caller. */
export function checkedTarget(target: string | undefined): string {
  const problem = targetProblem(target);
  if (problem) throw new Error(problem);
  return target as string;
}

/** The shared part of every driver's `unsupported`: runlevel changes need a sane target. */
export function runlevelProblem(change: { kind: string; target?: string }): string | undefined {
  if (change.kind !== 'set-runlevel' && change.kind !== 'set-default-runlevel') return undefined;
  return targetProblem(change.target);
}

/** Options of the observe script and its parsers. */
export interface ObserveOptions {
  /** Also list every service the manager knows on the host, not only the requested ones. */
  discover?: boolean;
  /**
   * The manager each service's playbook names (services with `manager: auto` are absent): a
   * `declaredOnly` driver observes only the names given to it, and its answer wins for them.
   */
  managers?: Readonly<Record<string, ManagerKind>>;
  /**
   * Declared user units, service → login (validated names): observed in that user's own manager
   * by the driver whose capabilities say `userUnits`; not among `services`.
   */
  users?: Readonly<Record<string, string>>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Discovery helpers for a fragment. Names found on the host are data: `rs_add` keeps one only if
 * it has SPEC's shape (spelled out, not as a range, so no locale widens it) and is not yet in
 * `$rs_seen` (the requested names, then those added); kept names collect in `$rs_new`. A kept name
 * holds no blank or glob character, so `set -- "$@" $rs_new` splits it back safely.
 */
export const DISCOVER_SH = [
  `rs_ok() { case $1 in ''|[!${ALNUM}]*|*[!${ALNUM}@._+-]*) return 1 ;; esac; [ \${#1} -le 255 ]; }`,
  'rs_add() { rs_ok "$1" || return 0; case $rs_seen in *" $1 "*) return 0 ;; esac; rs_seen="$rs_seen$1 "; rs_new="$rs_new $1"; }',
  'rs_seen=" $* "; rs_new=',
].join('\n');

/** Host-reported names reach the facts only when they match SPEC's regex; the rest are dropped. */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME_RE.test(name);
}

/** The requested names first (as given), then the discovered ones that are new, sorted. */
export function withDiscovered<T extends { name: string }>(
  requested: readonly T[],
  discovered: readonly T[],
): T[] {
  const seen = new Set(requested.map((s) => s.name));
  const extra = discovered.filter((s) => {
    if (seen.has(s.name) || !isServiceName(s.name)) return false;
    seen.add(s.name);
    return true;
  });
  return [...requested, ...extra.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
}

/** Masking and reloading definitions are systemd's: other drivers say so instead of emitting nothing. */
export function systemdOnlyProblem(change: { kind: string }, manager: string): string | undefined {
  if (change.kind === 'mask' || change.kind === 'unmask') return `${manager} cannot mask or unmask a service`;
  if (change.kind === 'daemon-reload') return `${manager} keeps no loaded definitions to reload`;
  return undefined;
}
