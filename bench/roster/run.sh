#!/usr/bin/env bash
# Bastion roster engine on the Curtois–Qu benchmark (a benchmark, not a test).
#   bench/roster/run.sh [SECONDS=60] [FIRST=1] [LAST=24]
# Two search threads, one line per instance: instance, objective, best known, gap %, seconds,
# iterations, objective parts (on/off/under/over). Runs under nice: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
LIMIT=${1:-60}
FIRST=${2:-1}
LAST=${3:-24}
DIR=${ROSTER_BENCH_DIR:-bench/roster/instances}   # the in-repo copy (after the cd above)
[ -f "$DIR/Instance1.txt" ] || { echo "instances not found in $DIR (set ROSTER_BENCH_DIR)" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-roster}
cargo build --release -p bastion-roster --example bench -j 1
nice -n 10 "$CARGO_TARGET_DIR/release/examples/bench" "$DIR" "$LIMIT" 2 "$FIRST" "$LAST"
