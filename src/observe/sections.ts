export interface Section {
  name: string;
  body: string;
  /** The fragment's exit status, from its end marker. */
  code: number;
}

export interface SplitOutput {
  sections: Map<string, Section>;
  /** The script's last line arrived: the output is complete. */
  done: boolean;
}

/**
 * Splits observe output into its sections. Only whole lines `@@runstate:<nonce>:…` with THIS run's
 * nonce count; anything else — a marker with another nonce, one embedded in a line, an unmatched
 * end — is ordinary text of whatever section it sits in. A section that never ends is dropped.
 */
export function splitSections(stdout: string, nonce: string): SplitOutput {
  const prefix = `@@runstate:${nonce}:`;
  const sections = new Map<string, Section>();
  let open: { name: string; lines: string[] } | undefined;
  let done = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const marker = line.startsWith(prefix) ? line.slice(prefix.length) : undefined;
    const begin = marker === undefined ? undefined : /^begin:([a-z][a-z0-9-]*)$/.exec(marker);
    const end = marker === undefined ? undefined : /^end:([a-z][a-z0-9-]*):(\d+)$/.exec(marker);
    if (begin && !open) {
      open = { name: begin[1] as string, lines: [] };
    } else if (end && open && end[1] === open.name) {
      if (!sections.has(open.name)) {
        sections.set(open.name, { name: open.name, body: open.lines.join('\n'), code: Number(end[2]) });
      }
      open = undefined;
    } else if (marker === 'done' && !open) {
      done = true;
    } else if (open) {
      open.lines.push(line);
    }
  }
  return { sections, done };
}
