#!/usr/bin/env bash
# The commands runstate's CI examples run (GitHub Actions, GitLab CI). They live in this one
# script so the project's own e2e test (test/e2e/ci-examples.test.ts) runs exactly them against
# real hosts. Copy it next to your workflow. Who may run which mode is the point of the examples
# (docs/ci.md): only `plan` on the protected branch and `apply` after an approval hold the keys
# that can change hosts; a pull request never does.
#
#   runstate-ci.sh snapshot       observe only: facts as JSON (snapshot.json), with the observe-only key
#   runstate-ci.sh pull-request   validate + plan from $SNAPSHOT (no credential at all), or live with
#                                 the observe-only key; writes plan.md for a PR comment
#   runstate-ci.sh plan           protected branch: the plan to approve (plan.json + plan.md)
#   runstate-ci.sh apply          after approval: apply exactly plan.json (refused if stale or reused)
#   runstate-ci.sh drift          nightly drift check; writes drift.xml (JUnit) and drift.md
#
# Settings (environment): RUNSTATE (a pinned local binary, never `npx runstate`, which can fetch
# whatever a stranger publishes under that name), INVENTORY, PLAYBOOKS, REPORT_DIR, SNAPSHOT, PLAN.
# Exit codes follow runstate's: 0 ok, 1 input error (or stale/reused plan), 2 drift, 3 partial.
set -euo pipefail
RUNSTATE=${RUNSTATE:-./node_modules/.bin/runstate}
INVENTORY=${INVENTORY:-inventory/}
PLAYBOOKS=${PLAYBOOKS:-playbooks/}
REPORT_DIR=${REPORT_DIR:-runstate-reports}
case "$RUNSTATE" in
  npx\ * | *\ npx\ * | npm\ exec*)
    echo "runstate-ci.sh: RUNSTATE must be a pinned local binary (e.g. ./node_modules/.bin/runstate from your lockfile), not: $RUNSTATE" >&2
    exit 1
    ;;
esac
mkdir -p "$REPORT_DIR"
read -r -a playbooks <<<"$PLAYBOOKS"

# plan with --detailed-exitcode: 2 = there are changes, which is what a plan is for, not a failure.
plan_to() {
  local rc=0
  $RUNSTATE plan -i "$INVENTORY" "${playbooks[@]}" --format markdown --detailed-exitcode --no-color "$@" \
    >"$REPORT_DIR/plan.md" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || exit "$rc"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$REPORT_DIR/plan.md" >>"$GITHUB_STEP_SUMMARY"; fi
}

case "${1:-}" in
  snapshot)
    $RUNSTATE facts -i "$INVENTORY" "${playbooks[@]}" --format json --no-color >"$REPORT_DIR/snapshot.json"
    ;;
  pull-request)
    $RUNSTATE validate -i "$INVENTORY" "${playbooks[@]}"
    if [ -n "${SNAPSHOT:-}" ]; then plan_to --observed "$SNAPSHOT"; else plan_to; fi
    ;;
  plan)
    plan_to --out "$REPORT_DIR/plan.json"
    ;;
  apply)
    # Never plan afresh here: what runs is what was reviewed, or nothing.
    plan=${PLAN:-$REPORT_DIR/plan.json}
    if [ ! -f "$plan" ]; then
      echo "error: no reviewed plan at $plan; run the plan job (runstate-ci.sh plan) first and pass on its plan.json" >&2
      exit 1
    fi
    $RUNSTATE apply -i "$INVENTORY" --plan "$plan" --yes --no-color
    ;;
  drift)
    rc=0
    $RUNSTATE drift -i "$INVENTORY" "${playbooks[@]}" --format junit --out "$REPORT_DIR/drift.xml" --no-color || rc=$?
    $RUNSTATE drift -i "$INVENTORY" "${playbooks[@]}" --format markdown --no-color >"$REPORT_DIR/drift.md" || true
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$REPORT_DIR/drift.md" >>"$GITHUB_STEP_SUMMARY"; fi
    exit "$rc"
    ;;
  *)
    echo "usage: $0 snapshot|pull-request|plan|apply|drift" >&2
    exit 1
    ;;
esac
