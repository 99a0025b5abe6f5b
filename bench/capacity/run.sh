#!/usr/bin/env bash
# Capacity benchmark: the CPU each hot path costs per request, and PostgreSQL's commit capacity —
# the inputs of docs/capacity.md's sizing table. For SQLite, then PostgreSQL:
#   1. examples/recall_bench: the demo bureau + BENCH_N people and one whole-bureau recall order
#      (its personal link tokens written to a file); `bastion serve` on that data;
#   2. for each hot path, wrk (one thread, BENCH_CONNS connections, BENCH_DURATION after a warm-up)
#      while the CPU time (user + system, from /proc/<pid>/stat) of the bastion process — and on
#      PostgreSQL of every server process serving the bench database — is read before and after:
#        registration   POST /api/checkpoints/registrations (bench/checkpoint/register.lua)
#        recall answer  POST /r/{token} (bench/recall/ack.lua, one person per request)
#        page view      GET  /news/{id} (a published article of the demo site)
#        dashboard      GET  /api/dashboard (the commander's every section)
#      CPU ms per request = CPU time / requests answered. CPU time is what a request costs whatever
#      else the machine does, so this figure is far steadier on a shared machine than a rate is;
#   3. in the same run, the bare-stack floor: bare_axum's GET /people (crates/bastion-web/examples)
#      measured the same way;
#   4. PostgreSQL's commit capacity: pgbench, one-row INSERT transactions (each its own durable
#      commit), 16 clients, BENCH_DURATION.
# Results: bench/capacity/results/<date>-<backend>.txt and <date>-pgbench.txt.
#
#   bash bench/capacity/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_SKIP_BUILD=1, BENCH_BACKENDS ("sqlite postgres"), BENCH_N (20000),
# BENCH_DURATION (15s), BENCH_CONNS (16), BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres),
# BENCH_WORK (/tmp/bastion-bench-capacity), BENCH_PORT (18381), BENCH_BARE_PORT (18390).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/capacity"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BASTION="$TARGET/release/bastion"
SETUP="$TARGET/release/examples/recall_bench"
BARE="$TARGET/release/examples/bare_axum"
N=${BENCH_N:-20000}
DURATION=${BENCH_DURATION:-15s}
CONNS=${BENCH_CONNS:-16}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=bastion_bench_capacity
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-capacity}
PORT=${BENCH_PORT:-18381}
BARE_PORT=${BENCH_BARE_PORT:-18390}
DATE=$(date +%Y-%m-%d)
RESULTS="$HERE/results"
TICK_MS=$((1000 / $(getconf CLK_TCK)))
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
export NO_COLOR=1 BENCH_DIR="$ROOT/bench/checkpoint"
mkdir -p "$RESULTS"

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null; true; }
trap cleanup EXIT
die() { echo "run.sh: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
command -v pgbench >/dev/null || die "pgbench is missing (apt-get install -y postgresql-client)"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && cargo build --release -p bastion --bin bastion --example recall_bench)
    (cd "$ROOT" && cargo build --release -p bastion-web --example bare_axum)
fi

# shellcheck source=bench/lib/serve.sh
source "$ROOT/bench/lib/serve.sh"

# CPU ticks (user + system) of the given processes, summed; a process gone counts nothing.
ticks() {
    local sum=0 p s
    for p in "$@"; do
        s=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
        sum=$((sum + ${s% *} + ${s#* }))
    done
    echo "$sum"
}

# PostgreSQL server processes serving the bench database (their titles name it: "postgres:
# [cluster:] user database client state"), and the WAL writer, whose work its commits are.
pg_pids() { pgrep -f "postgres: .*[^ ]+ $PG_DB [0-9.]+\\(" || true; pgrep -f "postgres: .*walwriter" || true; }

# measure NAME URL [wrk args…] — wrk for $DURATION; prints "NAME requests cpu_ms_bastion cpu_ms_pg".
measure() {
    local name=$1 url=$2
    shift 2
    wrk -t1 -c"$CONNS" -d3s --timeout 10s "$@" "$url" >/dev/null 2>&1 || true
    local pg0 pg1 b0 b1 raw n pids
    pids=$(pg_pids)
    # shellcheck disable=SC2086
    pg0=$(ticks $pids)
    b0=$(ticks "$SERVER")
    raw=$(wrk -t1 -c"$CONNS" -d"$DURATION" --timeout 10s --latency "$@" "$url" 2>&1)
    b1=$(ticks "$SERVER")
    # shellcheck disable=SC2086
    pg1=$(ticks $pids)
    n=$(echo "$raw" | awk '/requests in/ {print $1}')
    local non2xx
    non2xx=$(echo "$raw" | awk '/Non-2xx or 3xx responses/ {print $NF}')
    echo "$raw" >>"$OUT"
    [ -n "$non2xx" ] && log "   ($name: $non2xx answers were not 2xx/3xx)"
    awk -v name="$name" -v n="$n" -v b="$((b1 - b0))" -v p="$((pg1 - pg0))" -v t="$TICK_MS" -v secs="${DURATION%s}" \
        'BEGIN { printf "RESULT %-14s %8d requests %8.0f req/s  bastion %.3f CPU-ms/req  postgres %.3f CPU-ms/req\n",
                 name, n, n / secs, b * t / n, p * t / n }' | tee -a "$OUT"
}

for backend in $BACKENDS; do
    OUT="$RESULTS/$DATE-$backend.txt"
    : >"$OUT"
    log() { echo "$*" | tee -a "$OUT"; }
    rm -rf "$WORK" && mkdir -p "$WORK/data"
    DBARGS=()
    if [ "$backend" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
        DBARGS=(--database "$PG_URL")
    fi
    log "== $backend: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$SETUP" --data "$WORK/data" "${DBARGS[@]}" --people "$N" --tokens "$WORK/tokens.txt" >>"$OUT"
    "$BASTION" serve --data "$WORK/data" "${DBARGS[@]}" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
    SERVER=$!
    PIDS+=("$SERVER")
    wait_http "http://127.0.0.1:$PORT/healthz"
    OFFICER=$(demo_session "http://127.0.0.1:$PORT" checkpoint)
    COMMANDER=$(demo_session "http://127.0.0.1:$PORT" commander)
    CP=$(first_checkpoint "http://127.0.0.1:$PORT" "$OFFICER")
    ARTICLE=$(first_article "http://127.0.0.1:$PORT")
    [ -n "$ARTICLE" ] || die "no published article on /news"

    BENCH_COOKIE="$OFFICER" BENCH_CHECKPOINT="$CP" \
        measure registration "http://127.0.0.1:$PORT/api/checkpoints/registrations" -s "$ROOT/bench/checkpoint/register.lua"
    TOKENS_FILE="$WORK/tokens.txt" WRK_THREADS=1 measure recall_answer "http://127.0.0.1:$PORT" -s "$ROOT/bench/recall/ack.lua"
    measure page_view "http://127.0.0.1:$PORT/news/$ARTICLE"
    measure dashboard "http://127.0.0.1:$PORT/api/dashboard" -H "Cookie: $COMMANDER"
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true

    "$BARE" "127.0.0.1:$BARE_PORT" >/dev/null 2>&1 &
    SERVER=$!
    PIDS+=("$SERVER")
    wait_http "http://127.0.0.1:$BARE_PORT/people"
    measure bare_stack "http://127.0.0.1:$BARE_PORT/people"
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
done

if [[ " $BACKENDS " == *" postgres "* ]]; then
    OUT="$RESULTS/$DATE-pgbench.txt"
    : >"$OUT"
    log() { echo "$*" | tee -a "$OUT"; }
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
    psql "$PG_URL" -qc "CREATE TABLE commit_probe (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, body TEXT NOT NULL)"
    echo "INSERT INTO commit_probe (at, body) VALUES (1, repeat('x', 400));" >"$WORK/commit.sql"
    log "== pgbench: one-row INSERT transactions (each a durable commit), 16 clients, $DURATION, load $(cut -d' ' -f1-3 /proc/loadavg)"
    pgbench -n -c 16 -j 2 -T "${DURATION%s}" -f "$WORK/commit.sql" "$PG_URL" 2>&1 | tee -a "$OUT" |
        awk '/^tps/ {printf "RESULT commits %.0f per second\n", $3}' | tee -a "$OUT"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
fi
