#!/usr/bin/env bash
# The commands runstate's CI examples run (GitHub Actions, GitLab CI). They live in this one
# script so the project's own e2e test (test/e2e/ci-examples.test.ts) runs exactly them against
# real hosts. Copy it next to your workflow.
#
#   runstate-ci.sh pull-request   validate + plan; writes plan.md (for a PR comment or the job
#                                 summary a reviewer reads) and plan.json (what apply will run)
#   runstate-ci.sh apply          apply exactly the reviewed plan.json (on the main branch); runstate
#                                 refuses it (exit 1, nothing changed) if a host moved since
#   runstate-ci.sh drift          nightly drift check; writes drift.xml (JUnit) and drift.md
#
# Settings (environment): RUNSTATE (how to call it), INVENTORY, PLAYBOOKS, REPORT_DIR, PLAN.
# Exit codes follow runstate's: 0 ok, 1 input error, 2 drift (drift job only), 3 partial.
set -euo pipefail
RUNSTATE=${RUNSTATE:-npx runstate}
INVENTORY=${INVENTORY:-inventory/}
PLAYBOOKS=${PLAYBOOKS:-playbooks/}
REPORT_DIR=${REPORT_DIR:-runstate-reports}
mkdir -p "$REPORT_DIR"
read -r -a playbooks <<<"$PLAYBOOKS"

case "${1:-}" in
  pull-request)
    $RUNSTATE validate -i "$INVENTORY" "${playbooks[@]}"
    # --detailed-exitcode: 2 = there are changes, which is what a PR is for — not a failure.
    rc=0
    $RUNSTATE plan -i "$INVENTORY" "${playbooks[@]}" --format markdown --out "$REPORT_DIR/plan.json" \
      --detailed-exitcode --no-color >"$REPORT_DIR/plan.md" || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || exit "$rc"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$REPORT_DIR/plan.md" >>"$GITHUB_STEP_SUMMARY"; fi
    ;;
  apply)
    # Never plan afresh here: what runs is what was reviewed, or nothing.
    plan=${PLAN:-$REPORT_DIR/plan.json}
    if [ ! -f "$plan" ]; then
      echo "error: no reviewed plan at $plan; run the plan job (runstate-ci.sh pull-request) first and pass on its plan.json" >&2
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
    echo "usage: $0 pull-request|apply|drift" >&2
    exit 1
    ;;
esac
