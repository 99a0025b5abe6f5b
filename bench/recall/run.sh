#!/usr/bin/env bash
# Recall benchmark, for SQLite then PostgreSQL:
#   1. examples/recall_bench: the demo bureau + N (default 100,000) people; one whole-bureau order
#      timed from the request to its commit (audience rows written and one SMS per person queued);
#      every personal link token written to a file;
#   2. `bastion serve` on that data; a commander's board event stream (SSE) open the whole time;
#      wrk POSTs acknowledgements to /r/{token} (a different person each request) for DURATION;
#      the board must still answer and its stream must have carried updates during the load;
#   3. in the same run, wrk on bare_axum (crates/bastion-web/examples/bare_axum.rs): the bare-stack
#      limit of this machine.
# Results: bench/recall/results/<date>-<backend>.txt and a summary at the end.
#
#   bash bench/recall/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_N (100000), BENCH_DURATION (20s), BENCH_CONNS (32),
# BENCH_BACKENDS ("sqlite postgres"), BENCH_PG_ADMIN, BENCH_WORK, BENCH_PORT (18281),
# BENCH_BARE_PORT (18290), BENCH_SKIP_BUILD=1, BENCH_PERF=1 (perf record of the server during the load).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/recall"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BASTION="$TARGET/release/bastion"
SETUP="$TARGET/release/examples/recall_bench"
BARE="$TARGET/release/examples/bare_axum"
N=${BENCH_N:-100000}
DURATION=${BENCH_DURATION:-20s}
CONNS=${BENCH_CONNS:-32}
THREADS=2
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=${BENCH_PG_DB:-bastion_bench_recall}
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-recall}
PORT=${BENCH_PORT:-18281}
BARE_PORT=${BENCH_BARE_PORT:-18290}
DATE=$(date +%Y-%m-%d)
RESULTS="$HERE/results"
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
export NO_COLOR=1
mkdir -p "$RESULTS"

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null; true; }
trap cleanup EXIT
die() { echo "run.sh: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && cargo build --release -p bastion --bin bastion --example recall_bench)
    (cd "$ROOT" && cargo build --release -p bastion-web --example bare_axum)
fi

wait_http() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; die "no answer from $1"; }

SUMMARY=""
for backend in $BACKENDS; do
    OUT="$RESULTS/$DATE-$backend.txt"
    : > "$OUT"
    log() { echo "$*" | tee -a "$OUT"; }
    rm -rf "$WORK" && mkdir -p "$WORK/data"
    DBARGS=()
    if [ "$backend" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
        DBARGS=(--database "$PG_URL")
    fi
    log "== $backend: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, machine shared with other builds"
    "$SETUP" --data "$WORK/data" "${DBARGS[@]}" --people "$N" --tokens "$WORK/tokens.txt" | tee -a "$OUT"
    ORDER=$(grep '^ORDER ' "$OUT" | tail -1 | cut -d' ' -f2)
    CREATE=$(grep '^RESULT order' "$OUT" | tail -1 | sed 's/^RESULT //')

    "$BASTION" serve --data "$WORK/data" "${DBARGS[@]}" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$PORT/healthz"
    curl -fs -c "$WORK/cookies" -H 'Content-Type: application/json' \
        -d "{\"username\":\"commander\",\"password\":\"$BASTION_DEMO_PASSWORD\"}" "http://127.0.0.1:$PORT/api/login" >/dev/null
    # The board stays open and live during the load.
    curl -sN -b "$WORK/cookies" "http://127.0.0.1:$PORT/recall/$ORDER/events" >"$WORK/sse.txt" &
    SSE_PID=$!
    PIDS+=($SSE_PID)
    sleep 1
    if [ -n "${BENCH_PERF:-}" ]; then # profile the server during the load (perf.data in the work dir)
        (sleep 2; perf record -e cpu-clock -F 499 --call-graph dwarf,16384 -p "${PIDS[-2]}" -o "$WORK/perf-$backend.data" -- sleep 4 >/dev/null 2>&1) &
    fi
    log "-- acknowledgements: wrk -t$THREADS -c$CONNS -d$DURATION --latency -s bench/recall/ack.lua (POST /r/{token}, one person per request)"
    RAW=$(TOKENS_FILE="$WORK/tokens.txt" WRK_THREADS=$THREADS wrk -t$THREADS -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s "$HERE/ack.lua" "http://127.0.0.1:$PORT")
    echo "$RAW" | tee -a "$OUT"
    EVENTS=$(grep -c '^event: board' "$WORK/sse.txt" || true)
    BOARD_MS=$(curl -fs -o /dev/null -w '%{time_total}' -b "$WORK/cookies" "http://127.0.0.1:$PORT/api/recall/$ORDER")
    HEADLINE=$(curl -fs -b "$WORK/cookies" "http://127.0.0.1:$PORT/api/recall/$ORDER" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["headline"], "acked", d["tally"]["acked"])')
    log "board: $EVENTS SSE updates during the load; after it GET /api/recall/$ORDER took ${BOARD_MS}s: $HEADLINE"
    kill "$SSE_PID" 2>/dev/null || true
    kill "${PIDS[-2]}" 2>/dev/null || true
    wait "${PIDS[-2]}" 2>/dev/null || true

    BRAW=""
    if [ -x "$BARE" ]; then
        "$BARE" "127.0.0.1:$BARE_PORT" >/dev/null 2>&1 &
        PIDS+=($!)
        wait_http "http://127.0.0.1:$BARE_PORT/people"
        log "-- bare stack: wrk -t$THREADS -c$CONNS -d$DURATION --latency http://127.0.0.1:$BARE_PORT/people"
        BRAW=$(wrk -t$THREADS -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$BARE_PORT/people")
        echo "$BRAW" | tee -a "$OUT"
        kill "${PIDS[-1]}" 2>/dev/null || true
    else
        log "-- bare stack: NOT MEASURED ($BARE missing)"
    fi

    RPS=$(echo "$RAW" | awk '/Requests\/sec/ {print $2}')
    P99=$(echo "$RAW" | awk '$1 == "99%" {print $2}')
    BRPS=$(echo "$BRAW" | awk '/Requests\/sec/ {print $2}')
    BP99=$(echo "$BRAW" | awk '$1 == "99%" {print $2}')
    SUMMARY+="| $backend | $CREATE | $RPS | $P99 | $EVENTS | $BRPS | $BP99 |"$'\n'
    if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null || true; fi
done
{
    echo
    echo "| backend | order creation | acks/s | ack p99 | board updates (SSE) | bare-stack req/s | bare p99 |"
    echo "|---|---|---|---|---|---|---|"
    printf "%s" "$SUMMARY"
} | tee "$RESULTS/$DATE-summary.md"
