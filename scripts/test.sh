#!/usr/bin/env bash
# The whole test suite: installs missing peers where it can (and says so), builds, checks the
# dependency rule (dependency-cruiser, docs/architecture.md), runs vitest, and
# ends with one line "vitest: N passed, N failed, N skipped". Extra arguments go to vitest.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup-peers.sh
npm run --silent build || { echo "test: the TypeScript build failed"; exit 1; }
npm run --silent lint:deps || { echo "test: an import breaks the dependency rule (docs/architecture.md; npm run lint:deps)"; exit 1; }
mkdir -p .cache
rm -f .cache/vitest-report.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@"
rc=$?
node scripts/test-summary.mjs .cache/vitest-report.json || rc=1
exit $rc
