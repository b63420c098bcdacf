import { shellWord } from '../drivers/fragment.js';
import { ALL_DRIVERS } from '../drivers/index.js';
import type { ManagerKind } from '../model/desired.js';
import type { ObservedResources, ServiceResources } from '../model/observed.js';

/**
 * The opt-in resources section of the observe script: it is added only for a host whose playbook
 * declares `resources:` or `limits:` (or for `facts --resources`), so other hosts pay nothing.
 * Lines: `load|<loadavg>`, `mem|<meminfo line>`, `df|<mount>|<df -P line or error>`,
 * `svc|<name>|<source>|<memory bytes>|<cpu µs>|<uptime s>` (or `svc|<name>|none|<why>`), and for
 * services with a `cpu` limit a second `cpu|…` line of the same shape one second later. Mounts and names
 * enter as quoted words; everything the host prints is data for the pure parser below.
 */
export interface ResourceRequest {
  /** Host-wide figures (load, memory, swap). */
  host: boolean;
  mounts: readonly string[];
  /**
   * Services with limits, and the manager their playbook names (auto when it names none); `cpu`:
   * read again after a second, so a rate can be told from the two readings.
   */
  services: readonly { name: string; manager: ManagerKind | 'auto'; cpu?: boolean }[];
}

/**
 * Reads a service's memory and CPU from what its driver's `resourceSource` printed: `cgroup PATH`
 * (memory.current and cpu.stat there when the controller is on, else the cgroup's processes) or
 * `pid N…` (those processes and their children). Processes are summed from /proc: VmRSS, utime+stime.
 */
const READ_SH = `rs_v2=/sys/fs/cgroup; [ -f /sys/fs/cgroup/cgroup.procs ] && [ ! -d /sys/fs/cgroup/unified ] || rs_v2=/sys/fs/cgroup/unified
rs_hz=$(getconf CLK_TCK 2>/dev/null); case $rs_hz in ''|*[!0-9]*) rs_hz=100 ;; esac
rs_kids() { for rs_k in "$@"; do echo "$rs_k"; rs_ch=$(cat /proc/"$rs_k"/task/*/children 2>/dev/null); [ -z "$rs_ch" ] || rs_kids $rs_ch; done; }
rs_procs() { rs_pm=0; rs_pc=0; for rs_k in "$@"; do
  rs_m=$(awk '/^VmRSS:/ { print $2 * 1024 }' /proc/"$rs_k"/status 2>/dev/null); rs_pm=$((rs_pm + \${rs_m:-0}))
  rs_tk=$(sed 's/^.*) //' /proc/"$rs_k"/stat 2>/dev/null | awk '{ print $12 + $13 }'); rs_pc=$((rs_pc + \${rs_tk:-0}))
done; rs_pc=$((rs_pc * 1000000 / rs_hz)); }
rs_res() {
  read -r rs_up rs_x </proc/uptime 2>/dev/null || rs_up=
  set -- $2
  case $1 in
    cgroup) rs_d=$rs_v2$2; [ -d "$rs_d" ] || { echo "svc|$rs_n|none|no cgroup $2"; return; }
      rs_procs $(cat "$rs_d/cgroup.procs" 2>/dev/null)
      [ -r "$rs_d/memory.current" ] && rs_pm=$(cat "$rs_d/memory.current")
      rs_u=$(awk '$1 == "usage_usec" { print $2 }' "$rs_d/cpu.stat" 2>/dev/null); [ -z "$rs_u" ] || rs_pc=$rs_u
      echo "svc|$rs_n|cgroup|$rs_pm|$rs_pc|$rs_up" ;;
    pid) shift; case "$*" in ''|*[!0-9\\ ]*|0) echo "svc|$rs_n|none|no running process found"; return ;; esac
      rs_procs $(rs_kids "$@"); echo "svc|$rs_n|pids|$rs_pm|$rs_pc|$rs_up" ;;
    *) echo "svc|$rs_n|none|no running process found" ;;
  esac
}`;

/** The sh that prints a service's `cgroup …` / `pid …` line: its declared driver's, else the host's. */
function sourceFor(name: string, manager: ManagerKind | 'auto'): string {
  const own = ALL_DRIVERS.find((d) => d.kind === manager)?.resourceSource?.(name);
  if (own !== undefined) return `rs_src=$(${own})`;
  // auto: the init's driver, then each driver found beside it, the first that names a process.
  const lines = ['rs_src=', 'case $rs_init in'];
  for (const d of ALL_DRIVERS.filter((x) => x.detection.role === 'init' && x.resourceSource)) {
    lines.push(`  ${d.kind}) rs_src=$(${d.resourceSource?.(name)}) ;;`);
  }
  lines.push('esac');
  for (const d of ALL_DRIVERS.filter(
    (x) => x.detection.role === 'beside' && !x.detection.declaredOnly && x.resourceSource,
  )) {
    const v = d.kind.replace(/[^a-z0-9]/g, '_');
    lines.push(`[ -n "$rs_src" ] || [ "$rs_on_${v}" != yes ] || rs_src=$(${d.resourceSource?.(name)})`);
  }
  return lines.join('\n');
}

export function resourcesFragment(req: ResourceRequest): string {
  const lines: string[] = [];
  if (req.host) {
    lines.push(
      `{ read -r rs_l </proc/loadavg && echo "load|$rs_l"; } 2>/dev/null`,
      `grep -E '^(MemTotal|MemAvailable|SwapTotal|SwapFree):' /proc/meminfo 2>/dev/null | sed 's/^/mem|/'`,
    );
  }
  for (const mount of req.mounts) {
    const m = shellWord(mount);
    // The mount itself, not the file system of its parent: df names what holds the path.
    lines.push(
      `if [ -d ${m} ]; then rs_o=$(df -P -k ${m} 2>&1 | tail -n 1); printf 'df|%s|%s\\n' ${m} "$rs_o"; else printf 'df|%s|error: no such directory\\n' ${m}; fi`,
    );
  }
  if (req.services.length > 0) {
    lines.push(READ_SH);
    for (const s of req.services) {
      lines.push(`rs_n=${shellWord(s.name)}`, sourceFor(s.name, s.manager), 'rs_res "$rs_n" "$rs_src"');
    }
    // CPU time is a counter: a rate needs a second reading. One sleep per host, not per service.
    const cpu = req.services.filter((s) => s.cpu);
    if (cpu.length > 0) {
      lines.push('sleep 1');
      for (const s of cpu) {
        lines.push(
          `rs_n=${shellWord(s.name)}`,
          sourceFor(s.name, s.manager),
          `rs_res "$rs_n" "$rs_src" | sed 's/^svc|/cpu|/'`,
        );
      }
    }
  }
  return lines.join('\n');
}

const num = (s: string | undefined): number | undefined =>
  s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined;

/** The section's lines → ObservedResources; anything malformed is left out, never guessed. */
export function parseResources(body: string): ObservedResources {
  const out: ObservedResources = {};
  const mem = new Map<string, number>();
  const firstCpu = new Map<string, { source: string | undefined; usec: number; at: number }>();
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const bar = line.indexOf('|');
    const tag = line.slice(0, bar);
    const rest = line.slice(bar + 1);
    if (tag === 'load') {
      const [a, b, c] = rest.trim().split(/\s+/).map(num);
      if (a !== undefined && b !== undefined && c !== undefined) out.load = [a, b, c];
    } else if (tag === 'mem') {
      const m = /^(\w+):\s+(\d+) kB$/.exec(rest.trim());
      if (m) mem.set(m[1] as string, Number(m[2]));
    } else if (tag === 'df') {
      const cut = rest.indexOf('|');
      const mount = rest.slice(0, cut);
      const text = rest.slice(cut + 1);
      out.disks ??= {};
      // Filesystem 1024-blocks Used Available Capacity Mounted-on (POSIX df -P).
      const m = /^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+\/.*$/.exec(text);
      out.disks[mount] = m
        ? { sizeKiB: Number(m[1]), usedKiB: Number(m[2]), availableKiB: Number(m[3]) }
        : { error: text.replace(/^error: /, '').slice(0, 200) || 'df printed nothing' };
    } else if (tag === 'svc') {
      const [name, source, a, b, up] = rest.split('|');
      if (!name) continue;
      out.services ??= {};
      const memory = num(a);
      const cpu = num(b);
      out.services[name] =
        (source === 'cgroup' || source === 'pids') && memory !== undefined
          ? { source, memoryBytes: memory, ...(cpu !== undefined ? { cpuUsec: cpu } : {}) }
          : { error: a ?? 'not read' };
      const at = num(up);
      if (cpu !== undefined && at !== undefined) firstCpu.set(name, { source, usec: cpu, at });
    } else if (tag === 'cpu') {
      const [name, source, , b, up] = rest.split('|');
      const first = name ? firstCpu.get(name) : undefined;
      const usec = num(b);
      const at = num(up);
      const seen = name ? out.services?.[name] : undefined;
      if (!first || !seen || usec === undefined || at === undefined || source !== first.source) continue;
      // A process set that changed between the readings (one exited) can count backwards: no rate then.
      if (at > first.at && usec >= first.usec)
        seen.cpuPercent = Math.round(((usec - first.usec) / ((at - first.at) * 1e6)) * 1000) / 10;
    }
  }
  const total = mem.get('MemTotal');
  const available = mem.get('MemAvailable');
  if (total !== undefined && available !== undefined) {
    out.memory = {
      totalKiB: total,
      availableKiB: available,
      swapTotalKiB: mem.get('SwapTotal') ?? 0,
      swapFreeKiB: mem.get('SwapFree') ?? 0,
    };
  }
  return out;
}

export type { ServiceResources };
