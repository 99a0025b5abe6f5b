#!/usr/bin/env bash
# The bytes a phone downloads for the screening entry page (测温登记), cold (nothing cached) and
# warm (the hashed assets in the browser cache: only the page itself travels), each with and
# without compression. Starts a demo server on SQLite in a temporary directory.
#
#   bash bench/web/page_weight.sh            # target/debug/bastion
#   BASTION_BIN=target/release/bastion bash bench/web/page_weight.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BASTION_BIN:-$ROOT/target/debug/bastion}
PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -x "$BIN" ] || { echo "no bastion binary at $BIN (cargo build -p bastion)" >&2; exit 2; }
BASTION_DEMO_PASSWORD=$PASSWORD "$BIN" serve --data "$WORK/data" --listen 127.0.0.1:0 --demo </dev/null >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 300); do
  ADDR=$(sed -n 's|^listening on http://\([^ ]*\).*|\1|p' "$WORK/out" | head -n1)
  [ -n "$ADDR" ] && break
  sleep 0.2
done
[ -n "${ADDR:-}" ] || { cat "$WORK/err" >&2; echo "the server did not start" >&2; exit 1; }
BASE=http://$ADDR
curl -sS -c "$WORK/jar" -o /dev/null -H 'Content-Type: application/json' \
  --data-binary "{\"username\":\"checkpoint\",\"password\":\"$PASSWORD\"}" "$BASE/api/login"
# bytes URL ENCODING — bytes on the wire for one GET (ENCODING: identity, gzip or br).
bytes() {
  curl -sS -b "$WORK/jar" -o /dev/null -H "Accept-Encoding: $2" -w '%{size_download}' "$1"
}
PAGE=$BASE/checkpoints/entry
curl -sS -b "$WORK/jar" -o "$WORK/page.html" "$PAGE"
ASSETS=$(grep -o '/assets/[^"]*' "$WORK/page.html" | sort -u)
printf '%-44s %10s %10s %10s\n' "what" "identity" "gzip" "br"
total_i=0 total_g=0 total_b=0
for u in "$PAGE" $(for a in $ASSETS; do echo "$BASE$a"; done); do
  i=$(bytes "$u" identity) g=$(bytes "$u" gzip) b=$(bytes "$u" br)
  printf '%-44s %10s %10s %10s\n' "${u#$BASE}" "$i" "$g" "$b"
  total_i=$((total_i + i)) total_g=$((total_g + g)) total_b=$((total_b + b))
  [ "$u" = "$PAGE" ] && page_i=$i page_g=$g page_b=$b
done
printf '%-44s %10s %10s %10s\n' "cold (page + every asset)" "$total_i" "$total_g" "$total_b"
printf '%-44s %10s %10s %10s\n' "warm (page only; assets immutable)" "$page_i" "$page_g" "$page_b"
