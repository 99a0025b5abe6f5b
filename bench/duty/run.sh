#!/usr/bin/env bash
# Duty sign-in benchmark, for SQLite then PostgreSQL:
#   1. examples/duty_sign_in_bench setup: the demo bureau + N (default 500) officers, each with an
#      account, a session and a shift running now at one of ten posts;
#   2. `bastion serve` on that data; N concurrent clients (one connection each) sign their officer
#      in (POST /api/duty/assignments/{id}/sign-in), arriving evenly within SPREAD (60 s: "N officers
#      within a minute"); latency percentiles; every assignment checked signed in (nothing lost);
#   3. the same again on a fresh set-up with all N released at the same instant (the worst case);
#   4. in the same run, both against bare_axum (crates/bastion-web/examples/bare_axum.rs): the
#      bare-stack limit of this machine for the same N clients.
# Results: bench/duty/results/<date>-<backend>.txt and a summary at the end.
#
#   bash bench/duty/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_N (500), BENCH_SPREAD_MS (60000), BENCH_BACKENDS ("sqlite postgres"), BENCH_PG_ADMIN,
# BENCH_WORK, BENCH_PORT (18381), BENCH_BARE_PORT (18390), BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/duty"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BASTION="$TARGET/release/bastion"
BENCH="$TARGET/release/examples/duty_sign_in_bench"
BARE="$TARGET/release/examples/bare_axum"
N=${BENCH_N:-500}
SPREAD_MS=${BENCH_SPREAD_MS:-60000}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=${BENCH_PG_DB:-bastion_bench_duty}
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-duty}
PORT=${BENCH_PORT:-18381}
BARE_PORT=${BENCH_BARE_PORT:-18390}
DATE=$(date +%Y-%m-%d)
RESULTS="$HERE/results"
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
export NO_COLOR=1
mkdir -p "$RESULTS"
# N clients hold N sockets at once (and the server as many).
ulimit -n 65536 2>/dev/null || true

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null; true; }
trap cleanup EXIT
die() { echo "run.sh: $*" >&2; exit 1; }

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && cargo build --release -p bastion --bin bastion --example duty_sign_in_bench)
    (cd "$ROOT" && cargo build --release -p bastion-web --example bare_axum)
fi

wait_http() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; die "no answer from $1"; }

SUMMARY=""
for backend in $BACKENDS; do
    OUT="$RESULTS/$DATE-$backend.txt"
    : > "$OUT"
    log() { echo "$*" | tee -a "$OUT"; }
    log "== $backend: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, release build, nothing else running"
    for mode in spread burst; do
        rm -rf "$WORK" && mkdir -p "$WORK/data"
        DBARGS=()
        if [ "$backend" = postgres ]; then
            psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
            DBARGS=(--database "$PG_URL")
        fi
        FIRE=()
        [ "$mode" = spread ] && FIRE=(--spread-ms "$SPREAD_MS")
        "$BENCH" setup --data "$WORK/data" "${DBARGS[@]}" --people "$N" --out "$WORK/sessions.txt" | tee -a "$OUT"
        "$BASTION" serve --data "$WORK/data" "${DBARGS[@]}" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
        SERVE=$!
        PIDS+=($SERVE)
        wait_http "http://127.0.0.1:$PORT/healthz"
        "$BENCH" fire "${FIRE[@]}" --base "http://127.0.0.1:$PORT" --input "$WORK/sessions.txt" | tee -a "$OUT"
        kill "$SERVE" && wait "$SERVE" 2>/dev/null || true
        "$BENCH" check --data "$WORK/data" "${DBARGS[@]}" --input "$WORK/sessions.txt" | tee -a "$OUT"

        "$BARE" "127.0.0.1:$BARE_PORT" >"$WORK/bare.log" 2>&1 &
        BARE_PID=$!
        PIDS+=($BARE_PID)
        wait_http "http://127.0.0.1:$BARE_PORT/people"
        "$BENCH" fire --bare "${FIRE[@]}" --base "http://127.0.0.1:$BARE_PORT" --input "$WORK/sessions.txt" | tee -a "$OUT"
        kill "$BARE_PID" && wait "$BARE_PID" 2>/dev/null || true
    done
    SUMMARY+="$backend:"$'\n'"$(grep -E '^(RESULT|CHECK)' "$OUT")"$'\n'
done
printf '\n%s' "$SUMMARY"
