import { createColors } from 'picocolors';
import type { ExecEvent } from '../apply/types.js';
import { sanitizeHostText } from '../report/sanitize.js';
import type { Io } from './context.js';

/**
 * Progress on stderr, so stdout stays the report. On a terminal: one live status line per
 * running host, redrawn in place; elsewhere (CI): plain timestamped lines.
 */
export function progressPrinter(
  io: Io,
  color: boolean,
): { onEvent: (e: ExecEvent) => void; done: () => void } {
  const c = createColors(color);
  if (!io.isTTY) {
    return {
      onEvent: (e) => io.err(`${stamp(e.at)} ${plainLine(e)}\n`),
      done: () => {},
    };
  }
  const running = new Map<string, string>();
  let drawn = 0;
  const redraw = (finished?: string) => {
    let out = drawn > 0 ? `\x1b[${drawn}A\x1b[J` : '';
    if (finished) out += `${finished}\n`;
    const lines = [...running.entries()].sort().map(([host, what]) => `${c.cyan('⠿')} ${host}: ${what}`);
    out += lines.map((l) => `${l}\n`).join('');
    drawn = lines.length;
    io.err(out);
  };
  return {
    onEvent: (e) => {
      if (e.kind === 'step-end') {
        running.delete(e.outcome.step.host);
        redraw(`${stamp(e.at)} ${plainLine(e)}`);
      } else {
        running.set(e.step.host, e.kind === 'health-wait' ? `waiting for ${e.detail}` : describe(e.step));
        redraw();
      }
    },
    done: () => {
      running.clear();
      redraw();
    },
  };
}

function describe(step: { kind: string; service?: string; target?: string }): string {
  return `${step.kind} ${step.service ?? step.target ?? ''}`.trim();
}

function plainLine(e: ExecEvent): string {
  switch (e.kind) {
    case 'step-start':
      return `${e.step.host}: ${describe(e.step)} …`;
    case 'health-wait':
      return `${e.step.host}: waiting for health gate ${e.detail}`;
    case 'step-end': {
      const o = e.outcome;
      const what = `${o.step.host}: ${describe(o.step)}`;
      if (o.kind === 'ok') return `${what} ok (${(o.durationMs / 1000).toFixed(1)}s)`;
      if (o.kind === 'failed') return `${what} FAILED: ${sanitizeHostText(o.message)}`;
      if (o.kind === 'skipped') return `${what} skipped: ${sanitizeHostText(o.cause)}`;
      return `${what} ${o.kind}`;
    }
  }
}

function stamp(at: Date): string {
  return at.toISOString().slice(11, 19);
}
