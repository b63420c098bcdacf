#!/usr/bin/env bash
# `npm run demo`: the main job end to end. Brings up real hosts on this machine (systemd, SysV init,
# OpenRC and supervisord, each with its own sshd on 127.0.0.1), then validates, observes and plans
# plans, applies, checks drift and heals the CRM playbook on them. Tears the hosts down at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rs() { echo; echo "\$ runstate $*"; node bin/runstate.js "$@"; }

echo "== 1. Offline: plan the example fleet from a committed observed snapshot"
rs validate -i inventory/crm.yml playbooks/site.yml
rs plan -i inventory/crm.yml playbooks/site.yml --observed examples/observed/crm.json || true

echo
echo "== 2. Real hosts: bring up the test bed"
if ! bash test/bed/can-boot; then
  echo "demo: this machine cannot boot containers; stopping after the offline part" >&2
  exit 0
fi
trap 'bash test/bed/down' EXIT
bash test/bed/up
INV=.bed/inventory.yml
rs validate -i "$INV" examples/bed/playbook.yml
rs facts -i "$INV" examples/bed/playbook.yml || true
rs plan -i "$INV" examples/bed/playbook.yml --detailed-exitcode || true
rs apply -i "$INV" examples/bed/playbook.yml --dry-run
rs apply -i "$INV" examples/bed/playbook.yml --yes
echo; echo "== 3. Apply again: nothing to do"
rs apply -i "$INV" examples/bed/playbook.yml --yes

echo; echo "== 4. Drift: stop crm-db by hand on the systemd host, then report and heal"
ssh -o BatchMode=yes -o UserKnownHostsFile=.bed/known_hosts -o LogLevel=ERROR -i .bed/id_ed25519 \
  -p 2221 root@127.0.0.1 systemctl stop crm-db
rs drift -i "$INV" examples/bed/playbook.yml || true
rs watch -i "$INV" examples/bed/playbook.yml --every 5s --heal --max-runs 1
rs drift -i "$INV" examples/bed/playbook.yml
