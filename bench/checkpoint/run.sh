#!/usr/bin/env bash
# Checkpoint registration benchmark. For SQLite, then PostgreSQL:
#   1. `bastion serve --demo` on a fresh store; a checkpoint officer's session;
#   2. wrk: sustained authenticated POST /api/checkpoints/registrations (a fresh client id per request,
#      bench/checkpoint/register.lua), every request answered after its group commit is durable;
#   3. fixed_rate.mjs: 5,000 registrations/s for BENCH_FIXED_SECS, p50/p90/p99 from the scheduled start;
#   4. in the same run, the two limits: the bare axum JSON POST handler (crates/bastion-web/examples/
#      checkpoint_bare.rs) under the same wrk load, and bare batched inserts of the same rows into the
#      same store (crates/bastion-app/examples/checkpoint_insert_bench.rs, server stopped);
#   5. with BENCH_BIG=N (e.g. 10000000): fill the store to N registrations, restart, and measure
#      GET /api/checkpoints (live counts) and POST /api/checkpoints/trace (blind index) with wrk.
# Raw output in bench/checkpoint/results/<date>-<backend>.txt.
#
#   bash bench/checkpoint/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_SKIP_BUILD=1, BENCH_BACKENDS ("sqlite postgres"), BENCH_DURATION (20s),
# BENCH_CONNS (64), BENCH_FIXED_RATE (5000), BENCH_FIXED_SECS (20), BENCH_INSERT_ROWS (200000),
# BENCH_BIG (0), BENCH_TAG (added to the results' file names, e.g. a variant being compared), BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres), BENCH_WORK (/tmp/bastion-bench-checkpoint).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/checkpoint"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
# BENCH_PROFILE=debug measures the debug build (only to check the harness: not the figures of record).
PROFILE=${BENCH_PROFILE:-release}
BASTION="$TARGET/$PROFILE/bastion"
BARE="$TARGET/$PROFILE/examples/checkpoint_bare"
INSERT="$TARGET/$PROFILE/examples/checkpoint_insert_bench"
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
DURATION=${BENCH_DURATION:-20s}
CONNS=${BENCH_CONNS:-64}
FIXED_RATE=${BENCH_FIXED_RATE:-5000}
FIXED_SECS=${BENCH_FIXED_SECS:-20}
INSERT_ROWS=${BENCH_INSERT_ROWS:-200000}
BIG=${BENCH_BIG:-0}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=bastion_bench_checkpoint
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-checkpoint}
PORT=18281
BARE_PORT=18291
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
export BENCH_DIR="$HERE" NO_COLOR=1
mkdir -p "$HERE/results"
DATE=$(date +%Y-%m-%d)-$PROFILE${BENCH_TAG:+-$BENCH_TAG}
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; true; }
trap cleanup EXIT

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    FLAG=""; [ "$PROFILE" = release ] && FLAG=--release
    (cd "$ROOT" && cargo build $FLAG -p bastion)
    (cd "$ROOT" && cargo build $FLAG -p bastion-web --example checkpoint_bare)
    (cd "$ROOT" && cargo build $FLAG -p bastion-app --example checkpoint_insert_bench)
fi

db_args() { if [ "$1" = postgres ]; then echo "--database $PG_URL"; fi; }

start_server() { # backend extra-args…
    local be=$1; shift
    # shellcheck disable=SC2046
    "$BASTION" serve --data "$WORK/$be" --listen "127.0.0.1:$PORT" $(db_args "$be") "$@" >"$WORK/$be-server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
    echo "server did not start" >&2; cat "$WORK/$be-server.log" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }
session() { # user → cookie
    curl -fs -c - -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$BASTION_DEMO_PASSWORD\"}" "http://127.0.0.1:$PORT/api/login" |
        awk '$6=="bastion_session"{print "bastion_session="$7}'
}

for be in $BACKENDS; do
    OUT="$HERE/results/$DATE-$be.txt"
    : >"$OUT"
    log() { echo "$*" | tee -a "$OUT"; }
    rm -rf "${WORK:?}/$be"; mkdir -p "$WORK/$be"
    if [ "$be" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
    fi
    log "== $be $(date -u +%FT%TZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
    start_server "$be" --demo
    COOKIE=$(session checkpoint)
    export BENCH_COOKIE="$COOKIE"
    CP=$(curl -fs -b "$COOKIE" "http://127.0.0.1:$PORT/api/checkpoints" | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin) if "G319" in c["name"]][0])')
    export BENCH_CHECKPOINT="$CP"
    log "-- registrations: wrk -t2 -c$CONNS -d$DURATION (group commit, synchronous=FULL on SQLite)"
    wrk -t2 -c"$CONNS" -d5s -s "$HERE/register.lua" "http://127.0.0.1:$PORT/api/checkpoints/registrations" >/dev/null 2>&1 || true
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$HERE/register.lua" "http://127.0.0.1:$PORT/api/checkpoints/registrations" 2>&1 | tee -a "$OUT"
    log "-- registrations at a fixed $FIXED_RATE/s for ${FIXED_SECS}s"
    node "$HERE/fixed_rate.mjs" "http://127.0.0.1:$PORT" "$COOKIE" "$CP" "$FIXED_RATE" "$FIXED_SECS" 2>&1 | tee -a "$OUT"
    STORED=$(curl -fs -b "$COOKIE" "http://127.0.0.1:$PORT/api/checkpoints" | python3 -c "import json,sys; print(sum(c['live']['today'] for c in json.load(sys.stdin)))")
    log "-- stored today (all checkpoints): $STORED"
    stop_server
    log "-- bare batched inserts of the same rows into the same store (batch 1000, $INSERT_ROWS rows)"
    # shellcheck disable=SC2046
    "$INSERT" --data "$WORK/$be" $(db_args "$be") --rows "$INSERT_ROWS" --batch 1000 --checkpoint "$CP" --offset 1000000000 2>&1 | tee -a "$OUT"
    log "-- bare axum JSON POST handler: wrk -t2 -c$CONNS -d$DURATION"
    "$BARE" "127.0.0.1:$BARE_PORT" >/dev/null 2>&1 &
    BARE_PID=$!
    sleep 0.5
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s "$HERE/register.lua" "http://127.0.0.1:$BARE_PORT/registrations" 2>&1 | tee -a "$OUT"
    kill "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true
    if [ "$BIG" -gt 0 ]; then
        log "-- filling to $BIG registrations (bare batched inserts, 20 checkpoints' worth on one)"
        # shellcheck disable=SC2046
        "$INSERT" --data "$WORK/$be" $(db_args "$be") --rows "$BIG" --batch 5000 --checkpoint "$CP" --offset 2000000000 2>&1 | tee -a "$OUT"
        start_server "$be"
        COOKIE=$(session commander)
        log "-- at $BIG rows: GET /api/checkpoints (live counts), wrk -t2 -c8 -d$DURATION"
        wrk -t2 -c8 -d"$DURATION" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/checkpoints" 2>&1 | tee -a "$OUT"
        log "-- at $BIG rows: POST /api/checkpoints/trace (blind index), wrk -t2 -c8 -d$DURATION"
        cat >"$WORK/trace.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"phone":"13900000123","reason":"基准测试"}'
LUA
        wrk -t2 -c8 -d"$DURATION" --latency -H "Cookie: $COOKIE" -s "$WORK/trace.lua" "http://127.0.0.1:$PORT/api/checkpoints/trace" 2>&1 | tee -a "$OUT"
        stop_server
    fi
done
