import type { Runlevel } from '../model/desired.js';
import { didYouMean, q } from './names.js';

/** OpenRC runlevels a host may be moved to; `sysinit` and `shutdown` are boot and halt stages. */
export const OPENRC_RUNLEVELS = ['default', 'boot', 'nonetwork', 'single'] as const;

/** The systemd targets that stand for a running machine; others need `custom: true`. */
export const SYSTEMD_TARGETS = [
  'multi-user.target',
  'graphical.target',
  'rescue.target',
  'emergency.target',
  'runlevel1.target',
  'runlevel2.target',
  'runlevel3.target',
  'runlevel4.target',
  'runlevel5.target',
] as const;

/**
 * Targets and levels that stop, reboot or suspend the machine, refused even as custom targets.
 * The host resolves aliases too (ctrl-alt-del.target is a link to reboot.target): the systemd
 * driver asks it for the real Id before isolating, since any name can be made an alias there.
 */
const REFUSED: Record<string, string> = {
  '0': 'halts the host',
  '6': 'reboots the host',
  'poweroff.target': 'powers the host off',
  'halt.target': 'halts the host',
  'reboot.target': 'reboots the host',
  'soft-reboot.target': 'reboots the host',
  'kexec.target': 'reboots the host',
  'ctrl-alt-del.target': 'reboots the host',
  'exit.target': 'stops the service manager',
  'shutdown.target': 'shuts the host down',
  'final.target': 'shuts the host down',
  'umount.target': 'unmounts the host',
  'sleep.target': 'suspends the host',
  'suspend.target': 'suspends the host',
  'hibernate.target': 'suspends the host',
  'hybrid-sleep.target': 'suspends the host',
  'suspend-then-hibernate.target': 'suspends the host',
  'runlevel0.target': 'halts the host',
  'runlevel6.target': 'reboots the host',
  shutdown: 'is the OpenRC halt stage',
  sysinit: 'is the OpenRC boot stage',
  reboot: 'reboots the host',
  off: 'halts the host',
};

const CHOICES = `use 1-5, ${SYSTEMD_TARGETS.slice(0, 4).join(', ')}, an OpenRC runlevel (${OPENRC_RUNLEVELS.join(', ')}), or { target: NAME, custom: true } for a runlevel or target of your own`;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9:_.\\@-]{0,254}$/;

/**
 * A runlevel as written (`3`, `"multi-user.target"`, `default`, `{ target: x.target, custom: true }`),
 * or why it is refused. An allowlist: a name not known to mean "the machine runs" needs the
 * explicit opt-in, and the stop/reboot family is refused in every spelling.
 */
export function parseRunlevel(v: unknown): Runlevel | { message: string; hint: string } {
  if (typeof v === 'object' && v !== null && !Array.isArray(v))
    return parseCustom(v as Record<string, unknown>);
  const text = typeof v === 'number' || typeof v === 'string' ? String(v) : undefined;
  if (text === undefined) {
    return { message: 'runlevel must be a number or a name', hint: CHOICES };
  }
  const shown = typeof v === 'number' ? text : q(text);
  const refused = REFUSED[text];
  if (refused) return refusal(shown, refused);
  if (/^\d+$/.test(text)) {
    const level = Number(text);
    if (level >= 1 && level <= 5) return { kind: 'level', level: level as 1 | 2 | 3 | 4 | 5 };
    return { message: `runlevel ${shown} does not exist`, hint: CHOICES };
  }
  if ((SYSTEMD_TARGETS as readonly string[]).includes(text)) return { kind: 'target', name: text };
  if ((OPENRC_RUNLEVELS as readonly string[]).includes(text)) return { kind: 'named', name: text };
  const asTarget = `${text}.target`;
  if ((SYSTEMD_TARGETS as readonly string[]).includes(asTarget)) {
    return { message: `unknown runlevel ${shown}`, hint: `did you mean ${q(asTarget)}?` };
  }
  const close = didYouMean(text, [...OPENRC_RUNLEVELS, ...SYSTEMD_TARGETS]);
  if (close) return { message: `unknown runlevel ${shown}`, hint: close };
  if (NAME_RE.test(text)) {
    return {
      message: `runlevel ${shown} is not one runstate knows to keep the host running`,
      hint: `if it is your own, write runlevel: { target: ${q(text)}, custom: true }; otherwise ${CHOICES}`,
    };
  }
  return { message: `unknown runlevel ${shown}`, hint: CHOICES };
}

function parseCustom(v: Record<string, unknown>): Runlevel | { message: string; hint: string } {
  const hint =
    'write runlevel: { target: NAME, custom: true } (NAME: a systemd target or an OpenRC runlevel)';
  const extra = Object.keys(v).filter((k) => k !== 'target' && k !== 'custom');
  if (extra.length > 0 || v.custom !== true || typeof v.target !== 'string') {
    return { message: 'a custom runlevel needs exactly target: NAME and custom: true', hint };
  }
  const name = v.target;
  const refused = REFUSED[name];
  if (refused) return refusal(q(name), refused);
  if (!NAME_RE.test(name) || /^\d+$/.test(name)) {
    return { message: 'a custom runlevel must be a name of letters, digits and :_.\\@-', hint };
  }
  return name.endsWith('.target')
    ? { kind: 'target', name, custom: true }
    : { kind: 'named', name, custom: true };
}

function refusal(shown: string, why: string): { message: string; hint: string } {
  return {
    message: `runlevel ${shown} ${why}`,
    hint: `runstate never halts, reboots or suspends hosts; ${CHOICES}`,
  };
}

export function runlevelText(r: Runlevel): string {
  return r.kind === 'level' ? String(r.level) : r.name;
}
