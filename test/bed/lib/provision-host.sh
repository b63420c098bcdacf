#!/bin/bash
# Makes a fresh working copy of one host's root file system and configures it for this run:
# hostname, sshd on its own port, keys, the `deploy` user, and every CRM service (stopped,
# not enabled). Run by test/bed/up once per host (in parallel); BED and the key must exist.
#
#   provision-host.sh HOST TARBALL
set -euo pipefail
# shellcheck source=lib/common.sh source-path=SCRIPTDIR/..
source "$(dirname "$0")/common.sh"

host=$1 tarball=$2
init=${HOST_INIT[$host]}
root=$(host_root "$host")
svcsrc=$BED_SRC/services
lib=/usr/local/lib/runstate-bed

safe_rm "$root"
mkdir -p "$root"
# apt's package lists (about 50 MB a host) stay in the cache: the tests never run apt.
tar --numeric-owner --xattrs --xattrs-include='*' -I zstd -C "$root" -xpf "$tarball" \
  --exclude='./var/lib/apt/lists/*'

# --- identity ---------------------------------------------------------------------------
echo "$host" >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
  "$host" >"$root/etc/hosts"
# A fixed, valid machine id: an empty one would make systemd treat every boot as a first boot.
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
echo >>"$root/etc/machine-id"

# --- sshd -------------------------------------------------------------------------------
# Debian's sshd_config includes sshd_config.d/*.conf first, and the first value wins.
cat >"$root/etc/ssh/sshd_config.d/runstate-bed.conf" <<CONF
# runstate test bed: every container shares this machine's network, so each has its own port.
Port ${HOST_PORT[$host]}
ListenAddress 127.0.0.1
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
# Tests open many sessions at once (runstate --forks); don't throttle them.
MaxStartups 200
MaxSessions 100
CONF
rm -f "$root"/etc/ssh/ssh_host_*
ssh-keygen -q -A -f "$root" # fresh host keys for this run, in $root/etc/ssh
install -d -m 700 "$root/root/.ssh"
install -m 600 "$BED/id_ed25519.pub" "$root/root/.ssh/authorized_keys"

# --- CRM services -----------------------------------------------------------------------
install -d "$root$lib"
install -m 755 "$svcsrc"/bin/crm-event "$svcsrc"/bin/crm-run "$svcsrc"/bin/crm-supervise "$root$lib/"
install -d -m 755 "$root/var/log/runstate-bed"

render() { # template name > output
  local startsecs=1 type=simple
  [[ $2 == crm-broken ]] && type=forking # its ExecStart exits 1, so the start job fails
  [[ $2 == crm-flaky ]] && startsecs=0   # "started" at once, then it dies after ~1 s
  sed -e "s/@NAME@/$2/g" -e "s/@TIER@/${SVC_TIER[${2%%@*}]}/g" \
    -e "s/@TYPE@/$type/g" -e "s/@STARTSECS@/$startsecs/g" "$1"
}

write_service_config() { # service port
  local svc=$1
  install -d "$root/srv/crm/$svc"
  echo ok >"$root/srv/crm/$svc/health"
  echo "$svc on $host" >"$root/srv/crm/$svc/index.html"
  printf '# runstate test bed: read by %s/crm-run\nCRM_PORT=%s\nCRM_MODE=%s\nCRM_TIER=%s\n' \
    "$lib" "$2" "${SVC_MODE[$svc]}" "${SVC_TIER[$svc]}" >"$root/etc/default/$svc"
}

services=("${CRM_SERVICES[@]}")
for svc in "${services[@]}"; do
  write_service_config "$svc" "$(svc_port "$host" "${SVC_OFFSET[$svc]}")"
done

case $init in
  systemd)
    for svc in "${services[@]}"; do
      render "$svcsrc/systemd/crm.service.in" "$svc" >"$root/etc/systemd/system/$svc.service"
    done
    install -m 644 "$svcsrc/systemd/crm-worker@.service" "$root/etc/systemd/system/"
    write_service_config crm-worker "$(svc_port "$host" 10)" # crm-worker@N: this + N
    # crm-masked: a real unit in the vendor-ish directory, masked by the /dev/null link in /etc
    # (systemctl refuses to mask a unit whose file is itself in /etc/systemd/system).
    write_service_config crm-masked "$(svc_port "$host" "${SVC_OFFSET[crm-masked]}")"
    install -d "$root/usr/local/lib/systemd/system"
    render "$svcsrc/systemd/crm.service.in" crm-masked >"$root/usr/local/lib/systemd/system/crm-masked.service"
    ln -sfn /dev/null "$root/etc/systemd/system/crm-masked.service"
    ;;
  sysv)
    for svc in "${services[@]}"; do
      render "$svcsrc/sysv/crm.init.in" "$svc" >"$root/etc/init.d/$svc"
      chmod 755 "$root/etc/init.d/$svc"
    done
    ;;
  openrc)
    for svc in "${services[@]}"; do
      render "$svcsrc/openrc/crm.openrc.in" "$svc" >"$root/etc/init.d/$svc"
      chmod 755 "$root/etc/init.d/$svc"
    done
    ;;
  supervisord)
    for svc in "${services[@]}"; do
      render "$svcsrc/supervisord/crm.conf.in" "$svc" >"$root/etc/supervisor/conf.d/$svc.conf"
    done
    ;;
esac

# --- SysV-style init (sysv, openrc, supervisord hosts) ------------------------------------
if [[ $init != systemd ]]; then
  # test/bed/down stops a container by SIGTERM to its nspawn, which then sends SIGINT
  # (--kill-signal) to the container's init: make ctrl-alt-del halt instead of reboot. The
  # gettys would only respawn-loop: a container has no ttys.
  sed -i -e 's|^ca:.*|ca:12345:ctrlaltdel:/sbin/shutdown -t1 -h now|' \
    -e 's|^\([1-6]:[0-9]*:respawn:/sbin/getty.*\)|#\1|' "$root/etc/inittab"
  # The container shares this machine's network and clock: its halt must not take network
  # interfaces down (`halt -i`; nspawn also withholds CAP_NET_ADMIN) and its boot and shutdown
  # scripts must not touch the hardware clock.
  sed -i 's/^NETDOWN=.*/NETDOWN=no/' "$root/etc/default/halt"
  sed -i '/^### END INIT INFO/a exit 0 # runstate test bed: never touch the shared hardware clock' \
    "$root/etc/init.d/hwclock.sh"
fi

# --- inside the tree: deploy user and boot links --------------------------------------------
cat >"$root/root/bed-setup.sh" <<SETUP
set -eu
# deploy: unprivileged, same key as root, passwordless sudo (for become tests). '*' rather than
# a locked '!' password so no sshd setting can mistake it for a locked account.
id deploy >/dev/null 2>&1 || useradd -m -s /bin/bash deploy
usermod -p '*' deploy
install -d -m 700 -o deploy -g deploy /home/deploy/.ssh
install -m 600 -o deploy -g deploy /root/.ssh/authorized_keys /home/deploy/.ssh/authorized_keys
echo 'deploy ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/deploy
chmod 440 /etc/sudoers.d/deploy
if [ "$init" = sysv ]; then
  # Boot links exist but every one is a K link: installed, not enabled.
  for svc in ${services[*]}; do update-rc.d "\$svc" defaults-disabled >/dev/null; done
fi
SETUP
systemd-nspawn --register=no --keep-unit --quiet --machine="$host-setup" -D "$root" \
  /bin/sh /root/bed-setup.sh
rm -f "$root/root/bed-setup.sh"
