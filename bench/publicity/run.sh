#!/usr/bin/env bash
# Publicity benchmark: the public article page, served and counted, against the
# bare-stack limit measured in the same run. For SQLite, then PostgreSQL:
#   1. `bastion serve --demo` on an empty data directory (the demo stories);
#   2. wrk on GET /news/1 (an article page: rendered once, cached; every request counted in memory);
#   3. the count check: the views the server stored (read back after the 1-second flush) against the
#      requests wrk completed (warm-up + run). wrk does not count requests in flight when it stops,
#      so the stored figure may exceed wrk's by at most the connection count;
#   4. in the same run, the same wrk load on bare_axum (crates/bastion-web/examples/bare_axum.rs).
# Raw output: bench/publicity/results/<date>-<backend>.txt; summary: bench/publicity/results/<date>-summary.md.
#
#   bash bench/publicity/run.sh
#
# Environment: CARGO_TARGET_DIR (release build), BENCH_DURATION (20s), BENCH_WARMUP (5s),
# BENCH_CONNS (32), BENCH_BACKENDS ("sqlite postgres"),
# BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres), BENCH_PG_DB (bastion_bench_publicity),
# BENCH_WORK (/tmp/bastion-bench-publicity), BENCH_PORT (18281), BENCH_BARE_PORT (18290),
# BENCH_SKIP_BUILD=1 to use existing binaries. Loads go to 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/publicity"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BASTION="$TARGET/release/bastion"
BARE="$TARGET/release/examples/bare_axum"
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-5s}
THREADS=2
CONNS=${BENCH_CONNS:-32}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=${BENCH_PG_DB:-bastion_bench_publicity}
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-publicity}
PORT=${BENCH_PORT:-18281}
BARE_PORT=${BENCH_BARE_PORT:-18290}
ADDR="127.0.0.1:$PORT"
BARE_ADDR="127.0.0.1:$BARE_PORT"
DATE=$(date +%Y-%m-%d)
RESULTS="$HERE/results"
ARTICLE=${BENCH_ARTICLE:-/news/1}
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
export NO_COLOR=1

SERVER_PID=""
BARE_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$BARE_PID" ] && kill "$BARE_PID" 2>/dev/null && wait "$BARE_PID" 2>/dev/null
    true
}
trap cleanup EXIT

log() { echo "$*" | tee -a "$OUT"; }
die() { echo "run.sh: $*" >&2; exit 1; }
field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }

command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is missing"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --release -p bastion)
    (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --release -p bastion-web --example bare_axum)
fi
[ -x "$BASTION" ] || die "missing $BASTION"
[ -x "$BARE" ] || die "missing $BARE"
mkdir -p "$WORK" "$RESULTS"

wait_up() {
    local deadline=$(( $(date +%s) + 180 ))
    until curl -fsS -o /dev/null "$1" 2>/dev/null; do
        kill -0 "$2" 2>/dev/null || return 1
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# $1 label, $2 base URL, $3 path. Sets LAST_RESULT and WARM_REQUESTS.
run_wrk() {
    local label=$1 base=$2 path=$3
    local warm; warm=$(BENCH_PATH=$path wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" --timeout 10s -s "$HERE/result.lua" "$base")
    WARM_REQUESTS=$(field "$(echo "$warm" | grep '^RESULT')" requests)
    log "-- $label: wrk -t$THREADS -c$CONNS -d$DURATION --latency $base$path (after a $WARMUP warm-up of $WARM_REQUESTS requests)"
    log "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    local raw; raw=$(BENCH_PATH=$path wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s "$HERE/result.lua" "$base")
    echo "$raw" | tee -a "$OUT"
    LAST_RESULT=$(echo "$raw" | grep '^RESULT' | tail -1)
}

views_of() { curl -fsS "http://$ADDR$ARTICLE/views" | sed -E 's/.*"views":([0-9]+).*/\1/'; }

SUMMARY="$RESULTS/$DATE-summary.md"
{
    echo "# Publicity benchmark, $DATE ($(nproc) cores, shared and loaded machine)"
    echo
    echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency after a $WARMUP warm-up; article page $ARTICLE of the demo site."
    echo
    echo "| backend | article page req/s | p50 ms | p99 ms | bare-axum req/s | p50 ms | p99 ms | ratio | views counted | requests sent |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$SUMMARY"

for backend in $BACKENDS; do
    OUT="$RESULTS/$DATE-$backend.txt"
    : >"$OUT"
    log "== $backend $(date -u +%FT%TZ) $(git -C "$ROOT" rev-parse --short HEAD)"
    rm -rf "$WORK/data-$backend"
    DB_ARGS=(--data "$WORK/data-$backend")
    if [ "$backend" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
        psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" >/dev/null
        DB_ARGS+=(--database "$PG_URL")
    fi
    "$BASTION" serve "${DB_ARGS[@]}" --listen "$ADDR" --demo >>"$OUT" 2>&1 &
    SERVER_PID=$!
    wait_up "http://$ADDR/healthz" "$SERVER_PID" || die "server did not start (see $OUT)"
    curl -fsS -o /dev/null "http://$ADDR$ARTICLE"
    before=$(views_of)
    run_wrk "bastion $backend" "http://$ADDR" "$ARTICLE"
    main=$LAST_RESULT
    sent=$(( WARM_REQUESTS + $(field "$main" requests) ))
    sleep 2.5
    after=$(views_of)
    counted=$(( after - before ))
    log "   views stored before $before, after $after: counted $counted; wrk completed $sent requests"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

    "$BARE" "$BARE_ADDR" >>"$OUT" 2>&1 &
    BARE_PID=$!
    wait_up "http://$BARE_ADDR/people" "$BARE_PID" || die "bare_axum did not start"
    run_wrk "bare_axum" "http://$BARE_ADDR" "/people"
    bare=$LAST_RESULT
    kill "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true; BARE_PID=""

    ratio=$(awk -v a="$(field "$main" rps)" -v b="$(field "$bare" rps)" 'BEGIN { printf "%.0f%%", 100 * a / b }')
    echo "| $backend | $(field "$main" rps) | $(field "$main" p50_ms) | $(field "$main" p99_ms) | $(field "$bare" rps) | $(field "$bare" p50_ms) | $(field "$bare" p99_ms) | $ratio | $counted | $sent |" >>"$SUMMARY"
done
echo
cat "$SUMMARY"
