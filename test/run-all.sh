#!/usr/bin/env bash
# `npm test`: every test — lint, type check, unit, and e2e against real hosts brought up here.
# Works on a fresh machine: it does its own set-up. Ends with "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p reports
status=0

# The real-host bed: brought up once for the whole e2e run and always torn down.
if bash test/bed/can-boot; then
  trap 'bash test/bed/down >/dev/null 2>&1 || true' EXIT
  if bash test/bed/up; then
    export RUNSTATE_BED_DIR="${RUNSTATE_BED_DIR:-$PWD/.bed}"
  else
    echo "test: the bed did not come up; e2e tests that need it will FAIL" >&2
    export RUNSTATE_BED_FAILED=1
  fi
else
  echo "test: SKIPPING bed e2e tests: this machine cannot boot containers (see above)" >&2
  export RUNSTATE_BED_SKIP="cannot boot containers"
fi

npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json || status=1
# The benchmark's smoke (N = 5, planner at 1,000 hosts, 1 run, no Ansible): only that it still runs
# end to end; no timing is asserted. It needs root for its own login user and loopback sshd.
if [ "$(id -u)" -eq 0 ]; then
  timeout 300 npm run -s bench -- --quick --no-build --out reports/bench-smoke.json >reports/bench-smoke.txt 2>&1 \
    || { echo "test: bench smoke failed (see reports/bench-smoke.txt)" >&2; tail -20 reports/bench-smoke.txt >&2; status=1; }
  # The host-side bench (no sshd, a private mount namespace), 3 runs: that it still runs.
  timeout 120 npm run -s bench:host -- --runs 3 --rounds 1 >reports/bench-host-smoke.txt 2>&1 \
    || { echo "test: bench:host smoke failed (see reports/bench-host-smoke.txt)" >&2; tail -20 reports/bench-host-smoke.txt >&2; status=1; }
else
  echo "test: SKIPPING the bench smoke: it needs root (own login user and sshd)" >&2
fi
npx tsc --noEmit || { echo "test: tsc --noEmit failed" >&2; status=1; }
npx biome check . || { echo "test: biome check failed (npm run format fixes formatting)" >&2; status=1; }
node test/summary.mjs reports/vitest.json || status=1
exit "$status"
