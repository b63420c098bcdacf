import type { Runlevel } from '../model/desired.js';
import { didYouMean, q } from './names.js';

export const OPENRC_RUNLEVELS = ['default', 'boot', 'nonetwork', 'single', 'sysinit', 'shutdown'] as const;

const COMMON_TARGETS = ['multi-user.target', 'graphical.target', 'rescue.target', 'emergency.target'];

/** Targets and levels that stop or restart the machine: runstate keeps hosts running, never that. */
const REFUSED: Record<string, string> = {
  '0': 'halts the host',
  '6': 'reboots the host',
  'poweroff.target': 'powers the host off',
  'halt.target': 'halts the host',
  'reboot.target': 'reboots the host',
  'kexec.target': 'reboots the host',
  'runlevel0.target': 'halts the host',
  'runlevel6.target': 'reboots the host',
};

const CHOICES = `use 1-5, a systemd target such as multi-user.target, or an OpenRC runlevel (${OPENRC_RUNLEVELS.join(', ')})`;

/** A runlevel as written (`3`, `"multi-user.target"`, `default`), or why it is refused. */
export function parseRunlevel(v: unknown): Runlevel | { message: string; hint: string } {
  const text = typeof v === 'number' || typeof v === 'string' ? String(v) : undefined;
  if (text === undefined) {
    return { message: 'runlevel must be a number or a name', hint: CHOICES };
  }
  const shown = typeof v === 'number' ? text : q(text);
  const refused = REFUSED[text];
  if (refused) {
    return {
      message: `runlevel ${shown} ${refused}`,
      hint: `runstate never halts or reboots hosts; ${CHOICES}`,
    };
  }
  if (/^\d+$/.test(text)) {
    const level = Number(text);
    if (level >= 1 && level <= 5) return { kind: 'level', level: level as 1 | 2 | 3 | 4 | 5 };
    return { message: `runlevel ${shown} does not exist`, hint: CHOICES };
  }
  if (/^[A-Za-z0-9:_.\\@-]+\.target$/.test(text)) return { kind: 'target', name: text };
  if ((OPENRC_RUNLEVELS as readonly string[]).includes(text)) return { kind: 'named', name: text };
  const asTarget = `${text}.target`;
  const hint = COMMON_TARGETS.includes(asTarget)
    ? `did you mean ${q(asTarget)}?`
    : (didYouMean(text, [...OPENRC_RUNLEVELS, ...COMMON_TARGETS]) ?? CHOICES);
  return { message: `unknown runlevel ${shown}`, hint };
}

export function runlevelText(r: Runlevel): string {
  return r.kind === 'level' ? String(r.level) : r.name;
}
