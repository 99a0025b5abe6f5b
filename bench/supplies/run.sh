#!/usr/bin/env bash
# Supplies at scale (examples/supplies_stock_bench.rs), for SQLite then PostgreSQL: the demo bureau
# grown to 100 post stores, the warehouse and 30 items, 1,000,000 generated ledger movements over
# 60 days (balances checked against the ledger), then through the use cases (no HTTP): the stock
# page of each post, the bureau's stock page, the forecast for all posts and a 40-person shift
# issued in one submission, with the floor (`SELECT 1` on the same read pool) in the same run.
# Results: bench/supplies/results/<date>-<backend>.txt and the RESULT lines at the end.
#
#   bash bench/supplies/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_PROFILE (release | debug), BENCH_MOVEMENTS (1000000),
# BENCH_ROUNDS (10), BENCH_ISSUE_ROUNDS (30), BENCH_BACKENDS ("sqlite postgres"), BENCH_PG_ADMIN,
# BENCH_WORK, BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/supplies"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE=${BENCH_PROFILE:-release}
BENCH="$TARGET/$PROFILE/examples/supplies_stock_bench"
MOVEMENTS=${BENCH_MOVEMENTS:-1000000}
ROUNDS=${BENCH_ROUNDS:-10}
ISSUE_ROUNDS=${BENCH_ISSUE_ROUNDS:-30}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=${BENCH_PG_DB:-bastion_bench_supplies}
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-supplies}
DATE=$(date +%Y-%m-%d)
RESULTS="$HERE/results"
mkdir -p "$RESULTS"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    FLAG=()
    [ "$PROFILE" = release ] && FLAG=(--release)
    (cd "$ROOT" && cargo build "${FLAG[@]}" -p bastion-app --example supplies_stock_bench)
fi

SUMMARY=""
for backend in $BACKENDS; do
    OUT="$RESULTS/$DATE-$backend.txt"
    : > "$OUT"
    rm -rf "$WORK" && mkdir -p "$WORK"
    DBARGS=()
    if [ "$backend" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
        DBARGS=(--database "$PG_URL")
    fi
    echo "== $backend: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, $PROFILE build, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
    "$BENCH" --data "$WORK" "${DBARGS[@]}" --movements "$MOVEMENTS" --rounds "$ROUNDS" --issue-rounds "$ISSUE_ROUNDS" | tee -a "$OUT"
    if [ "$backend" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    fi
    SUMMARY+="$(grep -E '^(backend=|RESULT)' "$OUT")"$'\n'
done
printf '\n%s' "$SUMMARY"
