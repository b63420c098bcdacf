import { escapeControls } from './sanitize.js';

/**
 * Text from the inputs (service names, reasons, host output, waiver notes) as HTML text or an
 * attribute value: the five markup characters become entities, and control characters are made
 * visible, so nothing an input says can open a tag, close an attribute or start a script.
 */
export function esc(value: unknown): string {
  return escapeControls(String(value ?? ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** At most `max` characters, with an ellipsis: labels inside the graph's fixed-width boxes. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
