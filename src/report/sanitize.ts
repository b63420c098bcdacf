/*
 * Text that came from a host (service output, lock owners, stderr tails) or from a file someone
 * else wrote (a saved plan) must not act on the terminal it is printed to: an ESC sequence can
 * rewrite earlier lines, retitle the window or, on some terminals, answer back as typed input.
 */

// C0 controls except tab and newline, DEL, C1 controls (U+009B is a one-byte CSI), line and
// paragraph separators, and the bidirectional overrides that can reorder what a reader sees.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Every unsafe character as a visible `\uXXXX`; tabs and newlines stay. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// CSI sequences, OSC strings (ended by BEL or ST) and the two-byte escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;

/** Host output for a terminal: ANSI sequences dropped whole, other controls made visible. */
export function sanitizeHostText(text: string): string {
  return escapeControls(text.replace(ANSI, '').replace(/\r\n/g, '\n'));
}
