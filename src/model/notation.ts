/**
 * How every message names a service on a host: "bed-systemd:crm-worker@1", the spelling a
 * playbook's `requires` uses. Service names may hold "@" (templates) but never ":", so the last
 * ":" always splits it, whatever the host is called.
 */
export function serviceOnHost(host: string, service: string): string {
  return `${host}:${service}`;
}

/** A host's runlevel, in the same messages: "bed-sysv (runlevel)". */
export function runlevelOnHost(host: string): string {
  return `${host} (runlevel)`;
}
