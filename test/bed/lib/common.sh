# Shared by test/bed/up, down, can-boot and capture-fixtures. Sourced, never run.
# shellcheck shell=bash disable=SC2034  # the tables are used by the scripts that source this

BED_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BED_SRC=$(dirname "$BED_LIB")                     # test/bed
REPO_ROOT=$(cd "$BED_SRC/../.." && pwd)
BED=${RUNSTATE_BED_DIR:-$REPO_ROOT/.bed}
CACHE=${RUNSTATE_BED_CACHE:-/var/cache/runstate-bed}

# The four hosts: name, init kind, rootfs kind (which cached tarball), ssh port, index.
# The index picks each host's service port block: 18000 + index*100 + service offset.
BED_HOSTS=(bed-systemd bed-sysv bed-openrc bed-supervisord)
declare -A HOST_INIT=([bed-systemd]=systemd [bed-sysv]=sysv [bed-openrc]=openrc [bed-supervisord]=supervisord)
declare -A HOST_PORT=([bed-systemd]=2221 [bed-sysv]=2222 [bed-openrc]=2223 [bed-supervisord]=2224)
declare -A HOST_INDEX=([bed-systemd]=1 [bed-sysv]=2 [bed-openrc]=3 [bed-supervisord]=4)
declare -A HOST_GROUP=([bed-systemd]=database [bed-sysv]=app [bed-openrc]=network [bed-supervisord]=main)

# CRM services installed on every host, with their port offset, tier and behaviour.
# crm-worker@N (systemd only) uses offset 10+N; crm-masked (systemd only) uses 7.
CRM_SERVICES=(crm-db crm-app crm-proxy crm-main crm-broken crm-flaky)
declare -A SVC_OFFSET=([crm-db]=1 [crm-app]=2 [crm-proxy]=3 [crm-main]=4 [crm-broken]=5 [crm-flaky]=6 [crm-masked]=7)
declare -A SVC_TIER=([crm-db]=database [crm-app]=app [crm-proxy]=network [crm-main]=main
  [crm-broken]=app [crm-flaky]=app [crm-masked]=app [crm-worker]=app)
declare -A SVC_MODE=([crm-db]=httpd [crm-app]=httpd [crm-proxy]=httpd [crm-main]=httpd
  [crm-broken]=broken [crm-flaky]=flaky [crm-masked]=httpd [crm-worker]=httpd)

svc_port() { # host service-offset
  echo $((18000 + HOST_INDEX[$1] * 100 + $2))
}

log() { printf '%s bed: %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'bed: error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with millisecond precision, for timing logs.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

require_root() {
  [[ $(id -u) == 0 ]] || die "must run as root (systemd-nspawn and debootstrap need it)"
}

# rm -rf that never crosses into another file system: a working copy is only ever a plain
# directory tree, so if something is still mounted inside it we leave that part alone.
safe_rm() {
  local dir
  for dir in "$@"; do
    [[ -e $dir ]] || continue
    case $dir in
      / | "" | /usr | /etc | /var | /home | /root) die "refusing to remove '$dir'" ;;
    esac
    rm -rf --one-file-system -- "$dir"
  done
}

# Is PID a systemd-nspawn process that runs the container rooted at DIR? Guards against a
# recorded PID having been reused by some unrelated process.
pid_is_our_nspawn() { # pid dir
  local pid=$1 dir=$2 cmdline
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *systemd-nspawn* && $cmdline == *"-D $dir "* ]]
}

host_root() { echo "$BED/hosts/$1"; }

# Host tools the bed needs. zstd compresses the rootfs cache; iproute2 gives `ss`.
HOST_PKGS=(systemd-container debootstrap openssh-client zstd iproute2 procps)

ensure_host_packages() {
  local missing=() p
  for p in "${HOST_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing on this machine: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The Debian release of this machine; the containers run the same one.
bed_suite() {
  if [[ -n ${RUNSTATE_BED_SUITE:-} ]]; then echo "$RUNSTATE_BED_SUITE"; return; fi
  (. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
}

# The Debian mirror this machine's own apt sources use for SUITE (never hard-coded here):
# deb822 files (/etc/apt/sources.list.d/*.sources: URIs/Suites fields) first, then one-line
# sources.list entries.
bed_mirror() { # suite
  local suite=$1 f uri
  if [[ -n ${RUNSTATE_BED_MIRROR:-} ]]; then echo "$RUNSTATE_BED_MIRROR"; return; fi
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # Print the first URI of the first stanza whose Suites list names SUITE exactly.
    uri=$(awk -v s="$suite" '
      function flush() { if (uris != "" && found && !done) { print uris; done = 1; exit } uris = ""; found = 0 }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/   { uris = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) found = 1 }
      END { flush() }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    # deb [options] URI SUITE components...
    uri=$(awk -v s="$suite" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  die "no apt source for '$suite' found in /etc/apt; set RUNSTATE_BED_MIRROR"
}
