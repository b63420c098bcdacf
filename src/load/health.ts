import { parse } from 'shell-quote';
import type { HealthCheck } from '../model/desired.js';
import type { Problem } from '../model/source.js';
import { q } from './names.js';
import { mapEntries, refOf, type SourceDoc } from './yaml-doc.js';

const DEFAULT_TIMEOUT_SEC = 30;
const DEFAULT_TCP_HOST = '127.0.0.1';

interface VarMarker {
  variable: string;
}

/**
 * Splits a health command string into argv the way a shell would split words, and refuses
 * anything a shell would interpret (pipes, `;`, redirections, `$x`, `$()`, backticks, globs):
 * the command is run with each word quoted, never through a shell.
 */
export function splitCommand(command: string): { argv: string[] } | { message: string; hint: string } {
  const hint =
    'it is never run through a shell: write plain words (command: ["pg_isready", "-q"]) or put the shell code in a script on the host';
  const refuse = (what: string) => ({
    message: `health command ${q(command)} uses shell syntax (${what})`,
    hint,
  });
  if (command.includes('`')) return refuse('backticks');
  const tokens = parse(command, (variable): VarMarker => ({ variable }));
  const argv: string[] = [];
  for (const [i, t] of tokens.entries()) {
    if (typeof t === 'string') {
      argv.push(t);
      continue;
    }
    if ('variable' in t) {
      const next = tokens[i + 1];
      const sub = t.variable === '' && typeof next === 'object' && 'op' in next && next.op === '(';
      return refuse(sub ? '$(…)' : `$${t.variable}`);
    }
    if ('comment' in t) return refuse('#');
    if (t.op === 'glob') return refuse(`glob ${t.pattern}`);
    return refuse(t.op);
  }
  if (argv.length === 0) return { message: 'health command is empty', hint: 'give the command to run' };
  return { argv };
}

/** The health gate of one service, or the problems in it (shapes are checked by the schema). */
export function readHealth(src: SourceDoc, node: unknown): { value?: HealthCheck; problems: Problem[] } {
  const fields = new Map(mapEntries(src, node).map((e) => [e.key, e]));
  const js = (key: string): unknown => fields.get(key)?.value?.toJS(src.doc);
  const timeout = js('timeout');
  const timeoutSec = typeof timeout === 'number' && timeout > 0 ? timeout : DEFAULT_TIMEOUT_SEC;
  const tcp = js('tcp');
  const http = js('http');
  const command = js('command');
  const given = [tcp, http, command].filter((v) => v !== undefined).length;
  if (given !== 1) return { problems: [] };
  if (Number.isInteger(tcp)) {
    const host = js('host');
    if (typeof host === 'string' && !isAddress(host)) {
      return {
        problems: [
          {
            where: refOf(src, fields.get('host')?.value),
            message: 'health host must be a host name or an IP address',
            hint: 'e.g. host: 127.0.0.1, host: db.internal or host: "::1"',
          },
        ],
      };
    }
    return {
      value: {
        kind: 'tcp',
        port: tcp as number,
        host: typeof host === 'string' && host !== '' ? host : DEFAULT_TCP_HOST,
        timeoutSec,
      },
      problems: [],
    };
  }
  if (typeof http === 'string') {
    // The schema already said what is wrong with a URL of another shape.
    if (/^https?:\/\/\S+$/.test(http) && !isHttpUrl(http)) {
      return {
        problems: [
          {
            where: refOf(src, fields.get('http')?.value),
            message: 'health http must be an http:// or https:// URL without spaces or control characters',
            hint: 'e.g. http: "http://127.0.0.1:8080/health"',
          },
        ],
      };
    }
    return { value: { kind: 'http', url: http, timeoutSec }, problems: [] };
  }
  if (Array.isArray(command) && command.length > 0 && command.every((w) => typeof w === 'string')) {
    return { value: { kind: 'command', argv: command, timeoutSec }, problems: [] };
  }
  if (typeof command === 'string' && command !== '') {
    const split = splitCommand(command);
    if ('argv' in split) return { value: { kind: 'command', argv: split.argv, timeoutSec }, problems: [] };
    return { problems: [{ where: refOf(src, fields.get('command')?.value), ...split }] };
  }
  return { problems: [] };
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** What `nc`/bash's /dev/tcp get as the address: a name, IPv4 or IPv6, never an option or shell text. */
export function isAddress(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  if (HOSTNAME_RE.test(host)) return true;
  return /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/.test(host);
}

/** curl/wget get the URL as one argument; it must be a URL, never something read as an option. */
export function isHttpUrl(url: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (!/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/.test(url)) return false;
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}
