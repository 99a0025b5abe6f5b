#!/usr/bin/env bash
# Iteration-budget A/B of a built bench binary (deterministic, insensitive to machine load).
#   bench/roster/ab.sh BINARY ITERS "INSTANCES" "SEEDS"   e.g. ab.sh ./bench 12000000 "3 5 6" "1 2 3 4"
# One line per (instance, seed): instance, seed, objective, on/off/under/over, wall seconds, CPU
# seconds (user + system, both threads: the cost of the iterations, less sensitive to the load
# than the wall clock — compare it too, a change that wins per iteration may lose per second).
set -euo pipefail
BIN=$1; ITERS=$2; INSTS=$3; SEEDS=$4
DIR=${ROSTER_BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)/instances}   # the in-repo copy
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
for i in $INSTS; do
  for s in $SEEDS; do
    start=$(date +%s.%N)
    line=$( { ROSTER_ITERS=$ITERS ROSTER_SEED=$s /usr/bin/time -f '%U %S' -o "$TMP" nice -n 10 "$BIN" "$DIR" 1 2 "$i" "$i"; } | tail -1)
    end=$(date +%s.%N)
    cpu=$(awk '{print $1 + $2}' "$TMP")
    echo -e "$(echo "$line" | cut -f1)\t$s\t$(echo "$line" | cut -f2)\t$(echo "$line" | cut -f7)\t$(echo "$end - $start" | bc)\t$cpu"
  done
done
