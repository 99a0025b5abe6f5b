#!/usr/bin/env bash
# Soak benchmark: BENCH_MINUTES (30) of steady mixed traffic at BENCH_RATE requests/s — about 30 %
# of what this machine serves of that mix (docs/capacity.md) — against one `bastion serve`:
# registrations, public article views, recall answers through personal links (each a different
# person) and the commander's dashboard data (bench/soak/soak.mjs). Once a minute: resident
# memory, open files, p50/p99, errors. At the end, what was acknowledged against what is stored,
# and the verdict:
#   - memory and open files flat: growth < 10 % from the end of minute 5 to the end — memory as the
#     process's own (RssAnon; RSS is printed too, but on SQLite it also holds mapped database pages),
#     open files not counting the load generator's own connections to the server, whose number is
#     the generator's;
#   - p99 of every later minute within 2× the p99 of the first five minutes;
#   - nothing lost: stored registrations, recall answers and views equal the acknowledged ones.
# Results: bench/soak/results/<date>-<backend>.txt.
#
#   bash bench/soak/run.sh
#
# Environment: CARGO_TARGET_DIR, BENCH_SKIP_BUILD=1, BENCH_BACKENDS ("sqlite postgres"), BENCH_MINUTES (30),
# BENCH_RATE (500), BENCH_N (people, 200000: every recall answer a different person), BENCH_PG_ADMIN,
# BENCH_WORK (/tmp/bastion-bench-soak), BENCH_PORT (18481).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/soak"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BASTION="$TARGET/release/bastion"
SETUP="$TARGET/release/examples/recall_bench"
MINUTES=${BENCH_MINUTES:-30}
RATE=${BENCH_RATE:-500}
N=${BENCH_N:-200000}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_ADMIN=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=bastion_bench_soak
PG_URL="${PG_ADMIN%/*}/$PG_DB"
WORK=${BENCH_WORK:-/tmp/bastion-bench-soak}
PORT=${BENCH_PORT:-18481}
DATE=$(date +%Y-%m-%d)
export BASTION_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
export NO_COLOR=1
mkdir -p "$HERE/results"

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null; true; }
trap cleanup EXIT
die() { echo "run.sh: $*" >&2; exit 1; }

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && cargo build --release -p bastion --bin bastion --example recall_bench)
fi
# shellcheck source=bench/lib/serve.sh
source "$ROOT/bench/lib/serve.sh"

for backend in $BACKENDS; do
    OUT="$HERE/results/$DATE-$backend.txt"
    : >"$OUT"
    log() { echo "$*" | tee -a "$OUT"; }
    rm -rf "$WORK" && mkdir -p "$WORK/data"
    DBARGS=()
    if [ "$backend" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
        DBARGS=(--database "$PG_URL")
    fi
    log "== $backend: $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    log "-- $MINUTES minutes at $RATE requests/s: 55 % registrations, 25 % article views, 15 % recall answers, 5 % dashboard"
    "$SETUP" --data "$WORK/data" "${DBARGS[@]}" --people "$N" --tokens "$WORK/tokens.txt" >>"$OUT"
    ORDER=$(grep '^ORDER ' "$OUT" | tail -1 | cut -d' ' -f2)
    "$BASTION" serve --data "$WORK/data" "${DBARGS[@]}" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
    SERVER=$!
    PIDS+=("$SERVER")
    wait_http "http://127.0.0.1:$PORT/healthz"
    OFFICER=$(demo_session "http://127.0.0.1:$PORT" checkpoint)
    COMMANDER=$(demo_session "http://127.0.0.1:$PORT" commander)
    CP=$(first_checkpoint "http://127.0.0.1:$PORT" "$OFFICER")
    ARTICLE=$(first_article "http://127.0.0.1:$PORT")
    registrations() {
        curl -fs -b "$COMMANDER" "http://127.0.0.1:$PORT/api/checkpoints" | python3 -c 'import json,sys; print(sum(c["live"]["today"] for c in json.load(sys.stdin)))'
    }
    answered() {
        curl -fs -b "$COMMANDER" "http://127.0.0.1:$PORT/api/recall/$ORDER" | python3 -c 'import json,sys; t=json.load(sys.stdin)["tally"]; print(t["acked"] + t["on_post"])'
    }
    views() { curl -fs "http://127.0.0.1:$PORT/news/$ARTICLE/views" | python3 -c 'import json,sys; print(json.load(sys.stdin)["views"])'; }
    R0=$(registrations)
    A0=$(answered)
    V0=$(views)
    SOAK_WINDOWS="$WORK/windows.json" node "$HERE/soak.mjs" "http://127.0.0.1:$PORT" "$SERVER" "$RATE" "$MINUTES" \
        "$OFFICER" "$COMMANDER" "$CP" "$ARTICLE" "$WORK/tokens.txt" | tee -a "$OUT"
    sleep 3 # one view flush
    R1=$(registrations)
    A1=$(answered)
    V1=$(views)
    ACKED=$(grep '^ACKED ' "$OUT" | tail -1 | cut -d' ' -f2-)
    python3 - "$WORK/windows.json" "$ACKED" "$((R1 - R0))" "$((A1 - A0))" "$((V1 - V0))" <<'PY' | tee -a "$OUT"
import json, sys
windows = json.load(open(sys.argv[1]))
acked = json.loads(sys.argv[2])
stored = {"registration": int(sys.argv[3]), "recall_answer": int(sys.argv[4]), "page_view": int(sys.argv[5])}
full = [w for w in windows if w["n"] > 0]
warm = full[4] if len(full) > 5 else full[0]
last = full[-2] if len(full) > 1 else full[-1]  # the last whole minute
first_p99 = max(w["p99"] for w in full[:5])
rss = (last["rss"] - warm["rss"]) / warm["rss"] * 100
fds = (last["fds"] - warm["fds"]) / warm["fds"] * 100
worst = max(w["p99"] for w in full[5:-1]) if len(full) > 6 else last["p99"]
anon = (last.get("anon", 0) - warm.get("anon", 0)) / max(warm.get("anon", 0), 1e-9) * 100
print(f"RESULT anonymous memory (heap; the rest of RSS is mapped files) {warm.get('anon', 0):.1f} → {last.get('anon', 0):.1f} MiB ({anon:+.1f} %)")
print(f"RESULT memory {warm['rss']:.1f} → {last['rss']:.1f} MiB after warm-up ({rss:+.1f} %), open files {warm['fds']} → {last['fds']} ({fds:+.1f} %; "
      f"besides the load generator's connections: {warm.get('conns', 0)} → {last.get('conns', 0)})")
print(f"RESULT p99 first five minutes {first_p99:.1f} ms, worst later minute {worst:.1f} ms ({worst / first_p99:.2f}×)")
later = [w for w in full[5:-1] if isinstance(w.get("cores"), (int, float))] or [{"cores": 0, "busy": 0}]
print(f"RESULT CPU after warm-up: server {sum(w.get('cores', 0) for w in later) / len(later):.2f} cores, "
      f"machine {sum(w.get('busy', 0) for w in later) / len(later):.0f} % busy (of {__import__('os').cpu_count()} cores; database server and load generator included)")
for k, v in stored.items():
    print(f"RESULT {k}: acknowledged {acked[k]}, stored {v}{'' if acked[k] == v else '  ← differs'}")
# The process's own memory decides: on SQLite, RSS also holds the database file's pages mapped in
# (up to 256 MiB), which come and go with the data and the kernel's page cache.
ok = anon < 10 and fds < 10 and worst <= 2 * first_p99 and all(acked[k] == v for k, v in stored.items())
print("RESULT verdict: " + ("met" if ok else "NOT met"))
PY
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
done
