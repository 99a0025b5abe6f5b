#!/usr/bin/env bash
# OR-Tools CP-SAT (2 workers) on the same instances and limit, for docs/benchmarks.md.
#   bench/roster/cpsat.sh [SECONDS=60] [FIRST=1] [LAST=24]
# Needs `pip install ortools` (set PYTHON to a venv's python if it lives there).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
DIR=${ROSTER_BENCH_DIR:-bench/roster/instances}   # the in-repo copy (after the cd above)
nice -n 10 "$PY" bench/roster/cpsat.py "$DIR" "${1:-60}" "${2:-1}" "${3:-24}"
