#!/usr/bin/env bash
# One-time set-up on a fresh Debian 12 machine: npm packages (and the compiled CLI) plus the Debian
# packages the tests and the demo need. Safe to run again; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need_apt+=(openssh-client)
# ansible-inventory (Debian's ansible-core) is what `runstate inventory` is compared against.
command -v ansible-inventory >/dev/null 2>&1 || [ -x /usr/bin/ansible-inventory ] || need_apt+=(ansible-core)
# A container engine for the docker driver's e2e test (test/e2e/containers.test.ts starts its own
# dockerd); busybox-static is the one binary its offline test image holds. About a minute on a
# fresh machine; RUNSTATE_NO_DOCKER=1 leaves it (and podman) out (the test then says it was skipped and why).
if [ -z "${RUNSTATE_NO_DOCKER-}" ]; then
  command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need_apt+=(docker.io)
  [ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || need_apt+=(busybox-static)
  # manager: podman (test/e2e/podman.test.ts): daemonless, the test points it at a store of its own.
  command -v podman >/dev/null 2>&1 || need_apt+=(podman)
fi
# Headless Chromium opens the HTML report in test/e2e/report-html.test.ts.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need ${need_apt[*]} (apt-get install as root)" >&2
    exit 1
  fi
  echo "setup: apt-get install ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile; "prepare" compiles dist/.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
[ -f dist/cli/main.js ] && [ -z "$(find src -newer dist/cli/main.js -name '*.ts' | head -1)" ] || npm run -s build
