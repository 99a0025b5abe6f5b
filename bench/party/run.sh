#!/usr/bin/env bash
# Party registry at province scale (1,000 branches, 100,000 members), through the use cases:
# builds crates/bastion-app/examples/party_bench.rs and runs it on SQLite, then on a fresh
# PostgreSQL database (createdb/dropdb on 127.0.0.1, user postgres). Each run generates the
# registry, then times the branch tree with member counts, the compliance view and the pipeline
# page of a branch with 300 candidates, beside the bare-stack floor (SELECT 1 through the store's
# read pool) measured in the same run.
#
#   bash bench/party/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_PROFILE (debug | release; default debug), BENCH_BACKENDS
# ("sqlite postgres"), BENCH_ROUNDS (100), BENCH_BRANCHES (1000), BENCH_MEMBERS (100000),
# BENCH_CANDIDATES (300), BENCH_WORK (/tmp/bastion-bench-party), BENCH_SKIP_BUILD=1.
# Results: bench/party/results/<date>-<backend>-<profile>.txt
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/party"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE=${BENCH_PROFILE:-debug}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
ROUNDS=${BENCH_ROUNDS:-100}
WORK=${BENCH_WORK:-/tmp/bastion-bench-party}
PG_DB=${BENCH_PG_DB:-bastion_bench_party}
DATE=$(date +%Y-%m-%d)
mkdir -p "$HERE/results"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    if [ "$PROFILE" = release ]; then
        (cd "$ROOT" && cargo build --release -p bastion-app --example party_bench)
    else
        (cd "$ROOT" && cargo build --workspace --all-targets)
    fi
fi
BENCH="$TARGET/$PROFILE/examples/party_bench"
[ -x "$BENCH" ] || { echo "run.sh: $BENCH not built" >&2; exit 1; }

for backend in $BACKENDS; do
    OUT="$HERE/results/$DATE-$backend-$PROFILE.txt"
    rm -rf "$WORK-$backend"
    mkdir -p "$WORK-$backend"
    args=(--data "$WORK-$backend" --rounds "$ROUNDS" --branches "${BENCH_BRANCHES:-1000}"
          --members "${BENCH_MEMBERS:-100000}" --candidates "${BENCH_CANDIDATES:-300}")
    if [ "$backend" = postgres ]; then
        dropdb -h 127.0.0.1 -U postgres --if-exists "$PG_DB"
        createdb -h 127.0.0.1 -U postgres "$PG_DB"
        args+=(--database "postgres://postgres@127.0.0.1:5432/$PG_DB")
    fi
    {
        echo "== $backend: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, $PROFILE build"
        echo "load: $(cut -d' ' -f1-3 /proc/loadavg); other builds or servers running: $(pgrep -c -f 'rustc|cargo |bastion serve' || true)"
        "$BENCH" "${args[@]}"
    } 2>&1 | tee "$OUT"
    if [ "$backend" = postgres ]; then
        dropdb -h 127.0.0.1 -U postgres --if-exists "$PG_DB"
    fi
done
