#!/usr/bin/env bash
# The command dashboard and the daily report at scale, over HTTP to an in-process server:
# builds crates/bastion/examples/dashboard_bench.rs and runs it on SQLite, then on a fresh
# PostgreSQL database (createdb/dropdb on 127.0.0.1, user postgres). Each run fills the demo bureau
# with BENCH_SCREENINGS registrations over the last 30 days (the server's batched insert path),
# then times GET /readyz (the floor: the stack and one SELECT 1), the dashboard's data endpoint,
# its page and trends, today's report assembled and its PDF rendered, and a registration reaching
# the big screen's live feed.
#
#   bash bench/dashboard/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_PROFILE (debug | release; default release), BENCH_BACKENDS
# ("sqlite postgres"), BENCH_SCREENINGS (10000000), BENCH_PEOPLE (0: the demo's 956; P adds P synthetic
# people and a drill recall of everybody), BENCH_ROUNDS (200), BENCH_WORK
# (/tmp/bastion-bench-dashboard), BENCH_SKIP_BUILD=1, BENCH_KEEP=1 (keep the filled data and
# database for another run), BENCH_MODULES=1 (first grow the other modules to province scale on the
# same database with their own benchmarks, few rounds each: party 1,000 branches and 100,000
# members, supplies 1,000,000 ledger movements at 100 posts, inspections 100,000 with 300,000
# findings — so every dashboard section runs at scale together), BENCH_POSTS (duty posts of three
# shifts, yesterday's and today's held by BENCH_PEOPLE's people; default 1,000 with BENCH_MODULES=1,
# else 0; needs BENCH_PEOPLE of at least 9 per post).
# Results: bench/dashboard/results/<date>-<backend>-<profile>[-modules].txt
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/dashboard"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PROFILE=${BENCH_PROFILE:-release}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
WORK=${BENCH_WORK:-/tmp/bastion-bench-dashboard}
PG_DB=${BENCH_PG_DB:-bastion_bench_dashboard}
DATE=$(date +%Y-%m-%d)
MODULES=${BENCH_MODULES:-0}
POSTS=${BENCH_POSTS:-$([ "$MODULES" = 1 ] && echo 1000 || echo 0)}
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
if [ "$MODULES" = 1 ]; then
    # The module benchmarks create the demo bureau with their own password (examples/common).
    export BASTION_DEMO_PASSWORD='Bench-Demo-2026!'
fi
MODULE_BENCHES=(party_bench supplies_stock_bench inspection_bench)
mkdir -p "$HERE/results"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    if [ "$PROFILE" = release ]; then
        (cd "$ROOT" && cargo build --release -p bastion --example dashboard_bench)
        if [ "$MODULES" = 1 ]; then
            (cd "$ROOT" && cargo build --release -p bastion-app "${MODULE_BENCHES[@]/#/--example=}")
        fi
    else
        (cd "$ROOT" && cargo build -p bastion --example dashboard_bench)
    fi
fi
BENCH="$TARGET/$PROFILE/examples/dashboard_bench"
[ -x "$BENCH" ] || { echo "run.sh: $BENCH not built" >&2; exit 1; }

for backend in $BACKENDS; do
    OUT="$HERE/results/$DATE-$backend-$PROFILE$([ "$MODULES" = 1 ] && echo -modules).txt"
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        rm -rf "$WORK-$backend"
    fi
    mkdir -p "$WORK-$backend"
    args=(--data "$WORK-$backend" --rounds "${BENCH_ROUNDS:-200}" --screenings "${BENCH_SCREENINGS:-10000000}"
        --people "${BENCH_PEOPLE:-0}" --posts "$POSTS")
    if [ "$backend" = postgres ]; then
        if [ "${BENCH_KEEP:-0}" != 1 ] || ! psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw "$PG_DB"; then
            dropdb -h 127.0.0.1 -U postgres --if-exists "$PG_DB"
            createdb -h 127.0.0.1 -U postgres "$PG_DB"
        fi
        args+=(--database "postgres://postgres@127.0.0.1:5432/$PG_DB")
    fi
    {
        echo "== $backend: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, $PROFILE build"
        echo "load: $(cut -d' ' -f1-3 /proc/loadavg); other builds or servers running: $(pgrep -c -f 'rustc|cargo |bastion serve' || true)"
        if [ "$MODULES" = 1 ]; then
            db=("${args[@]:0:2}")
            if [ "$backend" = postgres ]; then db+=(--database "postgres://postgres@127.0.0.1:5432/$PG_DB"); fi
            echo "-- party at province scale (party_bench, 3 rounds)"
            "$TARGET/$PROFILE/examples/party_bench" "${db[@]}" --rounds 3
            echo "-- supplies at a million ledger movements (supplies_stock_bench, 3 rounds)"
            "$TARGET/$PROFILE/examples/supplies_stock_bench" "${db[@]}" --rounds 3 --issue-rounds 3
            echo "-- inspections at 100,000 (inspection_bench, 3 rounds)"
            "$TARGET/$PROFILE/examples/inspection_bench" "${db[@]}" --rounds 3
            echo "-- the dashboard over all of it"
        fi
        "$BENCH" "${args[@]}"
    } 2>&1 | tee "$OUT"
    if [ "$backend" = postgres ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
        dropdb -h 127.0.0.1 -U postgres --if-exists "$PG_DB"
    fi
done
