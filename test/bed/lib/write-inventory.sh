#!/bin/bash
# Prints $BED/inventory.yml: Ansible-style YAML, which runstate reads as is. Each host sits in
# the group of the CRM example that it plays (database, app, network, main) and carries its
# init kind and the 127.0.0.1 port of every CRM service installed on it.
set -euo pipefail
# shellcheck source=lib/common.sh source-path=SCRIPTDIR/..
source "$(dirname "$0")/common.sh"

# Paths go in single-quoted YAML scalars, where a ' is written ''.
bed_yaml=${BED//\'/\'\'}

cat <<YAML
# Written by test/bed/up for the runstate test bed; rewritten on every up. Do not edit.
all:
  vars:
    ansible_user: root
    ansible_ssh_private_key_file: '$bed_yaml/id_ed25519'
    runstate_known_hosts: '$bed_yaml/known_hosts'
    # Unprivileged user on every host: same key, passwordless sudo (for become tests).
    bed_deploy_user: deploy
  children:
YAML
for host in "${BED_HOSTS[@]}"; do
  cat <<YAML
    ${HOST_GROUP[$host]}:
      hosts:
        $host:
          ansible_host: 127.0.0.1
          ansible_port: ${HOST_PORT[$host]}
          bed_init: ${HOST_INIT[$host]}
          crm_ports:
YAML
  for svc in "${CRM_SERVICES[@]}"; do
    echo "            $svc: $(svc_port "$host" "${SVC_OFFSET[$svc]}")"
  done
  if [[ ${HOST_INIT[$host]} == systemd ]]; then
    echo "            crm-masked: $(svc_port "$host" "${SVC_OFFSET[crm-masked]}")"
    echo "            \"crm-worker@1\": $(svc_port "$host" 11)"
  fi
done
