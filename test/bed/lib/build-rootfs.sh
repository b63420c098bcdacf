#!/bin/bash
# Builds one cached root file system tarball. Run by test/bed/up; the cache key is a hash of
# this file (it holds every package list), the suite and the architecture, so editing a
# package list here rebuilds the tarballs on the next `up`.
#
#   build-rootfs.sh KIND OUT.tar.zst MIRROR SUITE [BASE.tar.zst]
#
# KIND systemd|sysv are debootstrapped; openrc|supervisord start from BASE (the sysv tarball)
# and add packages with apt inside it.
set -euo pipefail

kind=$1 out=$2 mirror=$3 suite=$4 base=${5:-}

# sudo is in every recipe: the unprivileged `deploy` user needs it for `become` tests.
# busybox gives the services their tiny HTTP server (busybox httpd).
# libpam-systemd: pam_systemd, without which a user's manager (user@UID.service, started by
# `loginctl enable-linger`) fails at once — systemd user units need it (Debian installs it with
# systemd's Recommends; minbase does not). Nothing else is needed for them: runstate reaches a
# user's manager through its private socket, so neither dbus-user-session nor systemd-container.
SYSTEMD_PKGS=systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,busybox,sudo,procps
SYSV_PKGS=sysvinit-core,openssh-server,procps,busybox,sudo
OPENRC_EXTRA=(openrc)          # conflicts with sysv-rc, so it cannot be a debootstrap --include
SUPERVISORD_EXTRA=(supervisor) # runs under SysV init, started at boot by its own init script

work=$(mktemp -d "${out%/*}/.build-$kind.XXXXXX")
root=$work/rootfs
cleanup() { rm -rf --one-file-system -- "$work"; }
trap cleanup EXIT

# Run a command inside the tree. nspawn (not chroot) gives it private /proc, /dev and a private
# PID namespace, so nothing it starts can outlive it or leak mounts onto this machine.
in_root() {
  systemd-nspawn --register=no --keep-unit --quiet --machine="bed-build-$kind" -D "$root" \
    -E DEBIAN_FRONTEND=noninteractive "$@"
}

# apt inside the tree must never start daemons: policy-rc.d = 101 forbids invoke-rc.d actions.
deny_service_starts() {
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
}

apt_add() {
  deny_service_starts
  in_root apt-get install -y --no-install-recommends "$@"
}

case $kind in
  systemd | sysv)
    pkgs=$SYSTEMD_PKGS
    [[ $kind == sysv ]] && pkgs=$SYSV_PKGS
    debootstrap --variant=minbase --include="$pkgs" "$suite" "$root" "$mirror"
    ;;
  openrc | supervisord)
    [[ -f $base ]] || { echo "build-rootfs: $kind needs the sysv tarball" >&2; exit 1; }
    mkdir "$root"
    tar --numeric-owner --xattrs --xattrs-include='*' -I zstd -C "$root" -xpf "$base"
    if [[ $kind == openrc ]]; then apt_add "${OPENRC_EXTRA[@]}"; else apt_add "${SUPERVISORD_EXTRA[@]}"; fi
    ;;
  *) echo "build-rootfs: unknown kind '$kind'" >&2; exit 2 ;;
esac

# Leave out what every run regenerates (host keys, machine id) and the downloaded .debs.
rm -f "$root"/usr/sbin/policy-rc.d "$root"/etc/ssh/ssh_host_*
rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin
: >"$root/etc/machine-id"

tar --numeric-owner --xattrs --xattrs-include='*' -I 'zstd -T0 -3' -C "$root" -cf "$work/out.tar.zst" .
mv "$work/out.tar.zst" "$out"
