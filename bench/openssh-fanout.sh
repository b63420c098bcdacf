#!/bin/sh
# N parallel OpenSSH `ssh` processes, one per host, each running COMMAND; exits 1 if any failed.
#   sh bench/openssh-fanout.sh PORTS USER KEYFILE KNOWN_HOSTS N CONNECT_TIMEOUT_S COMMAND
# PORTS: one port, or several separated by commas (host i connects to the (i mod k)-th).
ports=$1 user=$2 key=$3 known=$4 n=$5 connect=$6 cmd=$7
i=0 pids=
set -f; IFS=,; set -- $ports; IFS=' '; k=$#
while [ "$i" -lt "$n" ]; do
  j=$((i % k + 1)); eval "port=\${$j}"
  ssh -q -T -p "$port" -i "$key" -o BatchMode=yes -o ConnectTimeout="$connect" -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$known" -o ControlMaster=no "$user@127.0.0.1" "$cmd" >/dev/null 2>&1 </dev/null &
  pids="$pids $!"
  i=$((i + 1))
done
failed=0
for pid in $pids; do wait "$pid" || failed=$((failed + 1)); done
[ "$failed" -eq 0 ] || { echo "$failed of $n ssh processes failed" >&2; exit 1; }
