#!/usr/bin/env bash
# Foundation benchmark: for SQLite, then PostgreSQL,
#   1. `bastion serve --demo` on an empty data directory: seconds from spawn to the first /healthz 200;
#   2. `bastion import` of N (default 100,000) generated people from .xlsx (server stopped);
#   3. `bastion export` of everyone to .xlsx and to .csv;
#   4. the server again, a session from POST /api/login, one sequential pass over the filters
#      (where the time goes), then wrk on GET /api/people (filters + pages, bench/foundation/people.lua);
#   5. in the same run, the same wrk load on bare_axum (crates/bastion-web/examples/bare_axum.rs),
#      the bare-stack limit of this machine.
# Raw output: bench/foundation/results/<date>-<backend>.txt; a summary table at the end
# (also bench/foundation/results/<date>-summary.md).
#
#   bash bench/foundation/run.sh
#
# Environment: BENCH_SRC (source tree to build, default this checkout), BENCH_USER (commander),
# CARGO_TARGET_DIR (where the release build goes; default <repo>/target),
# BENCH_N (100000), BENCH_DURATION (20s), BENCH_WARMUP (5s), BENCH_BACKENDS ("sqlite postgres"),
# BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres), BENCH_PG_DB (bastion_bench),
# BENCH_WORK (/tmp/bastion-bench-foundation), BENCH_PORT (18181), BENCH_BARE_PORT (18190),
# BENCH_SKIP_BUILD=1 to use existing binaries, BENCH_KEEP=1 to keep the work dir and database.
# Loads go to 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/foundation"
# The tree to build (default: this checkout). A clean snapshot (git archive HEAD) keeps the figures
# tied to one commit while others edit the working tree.
SRC=${BENCH_SRC:-$ROOT}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BASTION="$TARGET/release/bastion"
BARE="$TARGET/release/examples/bare_axum"
N=${BENCH_N:-100000}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-5s}
THREADS=2
CONNS=32
# A second, lighter pass: a handful of officers paging the list at once (latency below saturation).
LIGHT_CONNS=${BENCH_LIGHT_CONNS:-4}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=${BENCH_PG_DB:-bastion_bench}
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-foundation}
PORT=${BENCH_PORT:-18181}
BARE_PORT=${BENCH_BARE_PORT:-18190}
ADDR="127.0.0.1:$PORT"
BARE_ADDR="127.0.0.1:$BARE_PORT"
DATE=$(date +%Y-%m-%d)
RESULTS="$HERE/results"
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
# The API caller: the commander reads every person (全部) and needs no second factor
# (the three administrators must give a TOTP code).
USER_NAME=${BENCH_USER:-commander}
export NO_COLOR=1

SERVER_PID=""
BARE_PID=""
LIGHT_LINES=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$BARE_PID" ] && kill "$BARE_PID" 2>/dev/null && wait "$BARE_PID" 2>/dev/null
    true
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
log() { echo "$*" | tee -a "$OUT"; }
die() { echo "run.sh: $*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is missing"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    # Two invocations: a target flag (--example) limits a build to the named targets only.
    echo "== cargo build --release -p bastion; cargo build --release -p bastion-web --example bare_axum (CARGO_TARGET_DIR=$TARGET)"
    (cd "$SRC" && CARGO_TARGET_DIR="$TARGET" cargo build --release -p bastion)
    (cd "$SRC" && CARGO_TARGET_DIR="$TARGET" cargo build --release -p bastion-web --example bare_axum)
fi
[ -x "$BASTION" ] || die "missing $BASTION"
[ -x "$BARE" ] || die "missing $BARE"

mkdir -p "$WORK" "$RESULTS"
DATA_FILES="$WORK/people-$N"
if [ ! -s "$DATA_FILES/people.xlsx" ]; then
    echo "== generating $N people into $DATA_FILES"
    python3 "$HERE/gen_people.py" --n "$N" --out "$DATA_FILES"
fi

# Wait for http://$1/healthz to answer 200; fail if the process $2 dies or 120 s pass.
wait_healthz() {
    local deadline=$(( $(date +%s) + 120 ))
    until curl -fsS -o /dev/null "http://$1/healthz" 2>/dev/null; do
        kill -0 "$2" 2>/dev/null || return 1
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.01
    done
}

# serve with the backend's flags; sets SERVER_PID. Extra args (e.g. --demo) pass through.
start_server() {
    local logfile=$1; shift
    "$BASTION" serve "${DB_ARGS[@]}" --listen "$ADDR" "$@" >>"$logfile" 2>&1 &
    SERVER_PID=$!
}
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

# Run a command under /usr/bin/time; print its output into $OUT; set SECS (wall seconds).
timed() {
    local tf; tf=$(mktemp)
    local t0; t0=$(now)
    if ! /usr/bin/time -f "(%e s wall, %U s user, %S s sys, %M KB max RSS)" -o "$tf" "$@" >>"$OUT" 2>&1; then
        cat "$tf" >>"$OUT"; rm -f "$tf"
        return 1
    fi
    SECS=$(since "$t0")
    cat "$tf" | tee -a "$OUT"
    rm -f "$tf"
}

# wrk with the people script; $1 label, $2 URL base, $3 path; prints and records RESULT line in LAST_RESULT.
run_wrk() {
    local label=$1 base=$2 path=$3
    log "-- $label: warm-up $WARMUP (not recorded)"
    BENCH_PATH=$path wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" --timeout 10s -s "$HERE/people.lua" "$base" >/dev/null
    log "-- $label: wrk -t$THREADS -c$CONNS -d$DURATION --timeout 10s --latency -s bench/foundation/people.lua $base (path $path)"
    log "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    local raw; raw=$(BENCH_PATH=$path wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s "$HERE/people.lua" "$base")
    echo "$raw" | tee -a "$OUT"
    LAST_RESULT=$(echo "$raw" | grep '^RESULT' | tail -1)
    if [ "$(field "$LAST_RESULT" errors)" != 0 ]; then
        log "   WARNING: $label had errors or non-2xx answers: $LAST_RESULT"
    fi
}

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }

SUMMARY="$RESULTS/$DATE-summary.md"
{
    echo "# Foundation benchmark, $DATE"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "N = $N people (plus the demo bureau's 956); wrk -t$THREADS -c$CONNS -d$DURATION --timeout 10s --latency after a $WARMUP warm-up"
    echo
    echo "| backend | serve --demo → /healthz (s) | import .xlsx (s) | export .xlsx (s) | export .csv (s) | /api/people req/s | p50 ms | p99 ms | bare-axum req/s | p50 ms | p99 ms |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
} >"$SUMMARY"

for BACKEND in $BACKENDS; do
    OUT="$RESULTS/$DATE-$BACKEND.txt"
    : >"$OUT"
    DIR="$WORK/$BACKEND"
    rm -rf "$DIR"
    mkdir -p "$DIR"
    DATA="$DIR/data"
    case $BACKEND in
        sqlite) DB_ARGS=(--data "$DATA") ;;
        postgres)
            psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
            psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" >/dev/null
            DB_ARGS=(--data "$DATA" --database "$PG_URL")
            ;;
        *) die "unknown backend $BACKEND" ;;
    esac
    log "# Foundation benchmark — $BACKEND — $(date -Is)"
    log "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    if [ -f "$SRC/.bench-commit" ]; then
        log "source: $SRC, snapshot of commit $(cat "$SRC/.bench-commit")"
    else
        log "source: $SRC, commit $(cd "$SRC" && git rev-parse --short HEAD) ($(cd "$SRC" && git status --porcelain -- crates | wc -l) modified files under crates/)"
    fi
    log "bastion: $BASTION; flags: ${DB_ARGS[*]}"
    [ "$BACKEND" = postgres ] && log "postgres: $(psql "$PG_ADMIN" -tAc 'SELECT version()')"
    log

    # 1. Cold start with the demo bureau.
    log "== 1. serve --demo on an empty data directory → first /healthz 200"
    t0=$(now)
    start_server "$DIR/serve-demo.log" --demo
    wait_healthz "$ADDR" "$SERVER_PID" || { cat "$DIR/serve-demo.log" >>"$OUT"; die "server did not come up (see $OUT)"; }
    STARTUP=$(since "$t0")
    log "startup_s=$STARTUP"
    sed -e 's/^/   | /' "$DIR/serve-demo.log" | grep -v -i -e password -e '密码' -e '密钥' | head -40 >>"$OUT" || true
    stop_server

    # 2. Import (server stopped; the import is one all-or-nothing transaction).
    log
    log "== 2. bastion import $(basename "$DATA_FILES")/people.xlsx ($(du -h "$DATA_FILES/people.xlsx" | cut -f1)) — server stopped"
    timed "$BASTION" import "$DATA_FILES/people.xlsx" "${DB_ARGS[@]}" || die "import failed (see $OUT)"
    IMPORT=$SECS
    log "import_xlsx_s=$IMPORT"

    # 3. Export everyone, both formats.
    log
    log "== 3. bastion export (everyone, masked)"
    timed "$BASTION" export "$DIR/export.xlsx" "${DB_ARGS[@]}" || die "export .xlsx failed (see $OUT)"
    EXPORT_XLSX=$SECS
    log "export_xlsx_s=$EXPORT_XLSX ($(du -h "$DIR/export.xlsx" | cut -f1))"
    timed "$BASTION" export "$DIR/export.csv" "${DB_ARGS[@]}" || die "export .csv failed (see $OUT)"
    EXPORT_CSV=$SECS
    log "export_csv_s=$EXPORT_CSV ($(du -h "$DIR/export.csv" | cut -f1), $(($(wc -l <"$DIR/export.csv") - 1)) rows)"

    # 4. The people list under load.
    log
    log "== 4. GET /api/people under wrk"
    start_server "$DIR/serve.log"
    wait_healthz "$ADDR" "$SERVER_PID" || { cat "$DIR/serve.log" >>"$OUT"; die "server did not come up (see $OUT)"; }
    curl -fsS -c "$DIR/cookies" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$USER_NAME\",\"password\":\"$BASTION_DEMO_PASSWORD\"}" "http://$ADDR/api/login" >/dev/null \
        || die "login failed"
    COOKIE="bastion_session=$(awk '$6 == "bastion_session" { print $7 }' "$DIR/cookies")"
    [ "$COOKIE" != "bastion_session=" ] || die "no session cookie"
    UNITS=$(curl -fsS -H "Cookie: $COOKIE" "http://$ADDR/api/units" | python3 -c '
import json, sys
d = json.load(sys.stdin)
units = d["items"] if isinstance(d, dict) else d
by = {u["code"]: u["id"] for u in units}
print(",".join(str(by[c]) for c in ["D07", "S01", "BUREAU"]))')
    log "unit ids (D07, S01, BUREAU): $UNITS"
    export BENCH_COOKIE=$COOKIE BENCH_UNITS=$UNITS
    IFS=, read -r U_D07 U_S01 U_BUREAU <<<"$UNITS"

    # One sequential pass per filter: median curl time_total of pages 1, 10, 25, 40, 50 (no other load).
    log "-- sequential, one request at a time: filter, total matches, median ms of pages 1/10/25/40/50"
    WANG=%E7%8E%8B; POLICE=%E6%B0%91%E8%AD%A6
    for f in "" "name=$WANG" "category=$POLICE" "unit_id=$U_BUREAU" "unit_id=$U_D07" "unit_id=$U_S01" \
             "unit_id=$U_D07&category=$POLICE" "unit_id=$U_BUREAU&name=$WANG"; do
        times=()
        for p in 1 10 25 40 50; do
            times+=("$(curl -fsS -o /dev/null -w '%{time_total}' -H "Cookie: $COOKIE" "http://$ADDR/api/people?$f&page=$p&size=10")")
        done
        total=$(curl -fsS -H "Cookie: $COOKIE" "http://$ADDR/api/people?$f&page=1&size=10" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
        med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }')
        log "   [${f:-no filter}] total=$total median_ms=$med"
    done
    API_BYTES=$(curl -fsS -H "Cookie: $COOKIE" "http://$ADDR/api/people?page=1&size=10" | wc -c)
    log "   one page of 10 = $API_BYTES bytes"

    run_wrk "bastion $BACKEND /api/people" "http://$ADDR" /api/people
    API_RESULT=$LAST_RESULT
    SAVED_CONNS=$CONNS; CONNS=$LIGHT_CONNS
    run_wrk "bastion $BACKEND /api/people (light, $LIGHT_CONNS connections)" "http://$ADDR" /api/people
    API_LIGHT=$LAST_RESULT; CONNS=$SAVED_CONNS
    log "   server RSS after load: $(awk '/VmRSS/ { print $2 " " $3 }' /proc/"$SERVER_PID"/status)"
    stop_server

    # 5. Bare-stack limit, same machine, same run.
    log
    log "== 5. bare_axum (same wrk load, same run)"
    "$BARE" "$BARE_ADDR" >"$DIR/bare.log" 2>&1 &
    BARE_PID=$!
    until curl -fsS -o /dev/null "http://$BARE_ADDR/people"; do
        kill -0 "$BARE_PID" 2>/dev/null || die "bare_axum did not start"
        sleep 0.01
    done
    log "   $(head -1 "$DIR/bare.log")"
    BENCH_COOKIE="" run_wrk "bare_axum" "http://$BARE_ADDR" /people
    BARE_RESULT=$LAST_RESULT
    SAVED_CONNS=$CONNS; CONNS=$LIGHT_CONNS
    BENCH_COOKIE="" run_wrk "bare_axum (light, $LIGHT_CONNS connections)" "http://$BARE_ADDR" /people
    BARE_LIGHT=$LAST_RESULT; CONNS=$SAVED_CONNS
    kill "$BARE_PID" 2>/dev/null || true
    wait "$BARE_PID" 2>/dev/null || true
    BARE_PID=""

    log
    log "SUMMARY $BACKEND startup_s=$STARTUP import_xlsx_s=$IMPORT export_xlsx_s=$EXPORT_XLSX export_csv_s=$EXPORT_CSV"
    log "SUMMARY $BACKEND api $API_RESULT"
    log "SUMMARY $BACKEND bare $BARE_RESULT"
    log "SUMMARY $BACKEND api-light $API_LIGHT"
    log "SUMMARY $BACKEND bare-light $BARE_LIGHT"
    LIGHT_LINES+="| $BACKEND | $LIGHT_CONNS | $(field "$API_LIGHT" rps) | $(field "$API_LIGHT" p50_ms) | $(field "$API_LIGHT" p99_ms) | $(field "$BARE_LIGHT" rps) | $(field "$BARE_LIGHT" p50_ms) | $(field "$BARE_LIGHT" p99_ms) |"$'\n'
    echo "| $BACKEND | $STARTUP | $IMPORT | $EXPORT_XLSX | $EXPORT_CSV | $(field "$API_RESULT" rps) | $(field "$API_RESULT" p50_ms) | $(field "$API_RESULT" p99_ms) | $(field "$BARE_RESULT" rps) | $(field "$BARE_RESULT" p50_ms) | $(field "$BARE_RESULT" p99_ms) |" >>"$SUMMARY"

    if [ "$BACKEND" = postgres ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
    fi
done

[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"/sqlite "$WORK"/postgres
echo
{
    echo
    echo "Light load ($LIGHT_CONNS connections):"
    echo
    echo "| backend | connections | /api/people req/s | p50 ms | p99 ms | bare-axum req/s | p50 ms | p99 ms |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s' "$LIGHT_LINES"
} >>"$SUMMARY"
cat "$SUMMARY"
echo
echo "Goals: serve --demo → /healthz < 3 s; import 100k .xlsx < 30 s; export < 10 s; /api/people p99 < 50 ms."
echo "Raw output: $RESULTS/$DATE-<backend>.txt"
