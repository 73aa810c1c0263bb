#!/usr/bin/env bash
# The whole test gate: format, lint (module boundaries included), types, unit and integration
# suites. Integration tests start their own Redis, ClickHouse and Kafka-compatible broker.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true

step() { echo; echo "== $*"; }

step "format"; npx prettier --check . --log-level warn
step "project graph"; npx nx show projects >/dev/null
step "lint"; npx eslint . --max-warnings=0
step "typecheck"; npx tsc -p tsconfig.json --noEmit

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
step "unit tests"
npx jest --selectProjects unit --json --outputFile="$results/unit.json" || status=1
step "integration tests"
# In band: the suites share the broker's topics and read them from the beginning; one at a
# time keeps each suite's backlog small (two workers measured slower and flakier here).
npx jest --selectProjects integration --runInBand --json --outputFile="$results/integration.json" || status=1

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed += 1; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
' "$results/unit.json" "$results/integration.json"
exit $status
