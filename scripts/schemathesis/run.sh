#!/usr/bin/env bash
# One schemathesis pass against a fresh Bastion: bash scripts/schemathesis/run.sh sqlite|postgres
#
# Starts `bastion serve --data <fresh temp dir> --listen 127.0.0.1:0 --demo` (on PostgreSQL with
# `--database` pointing at a database created for this run on BASTION_TEST_PG), then for each
# account in BASTION_ST_USERS signs in through `POST /api/login` and runs schemathesis with that
# session cookie against the operations of `/api/openapi.json` the account may reach (its
# permissions from `GET /api/me`; reachable.py). The server is stopped, the database dropped and the
# data dir removed on every exit path (also on a failure, a timeout's SIGTERM or Ctrl-C).
# Exit status: 0 when every pass found nothing; 1 when a pass failed or could not sign in; 2 when
# the server could not be started.
#
# scripts/test-all.sh runs this once per backend (step `schemathesis`) and counts the JUnit reports
# ($BASTION_ST_REPORT/junit-<account>.xml) with count.py; docs/testing.md lists the variables.
set -uo pipefail

BACKEND=${1:-sqlite}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac

BIN=${BASTION_ST_BIN:-${BASTION_E2E_BIN:-$TARGET_DIR/debug/bastion}}
VENV=${BASTION_ST_VENV:-$TARGET_DIR/st-venv}
REPORT=${BASTION_ST_REPORT:-$TARGET_DIR/test-all/schemathesis-$BACKEND}
# Accounts to sign in as, one pass each: together they hold every permission the API checks
# (the bootstrap admin is disabled once the three admins exist; 三员分立 splits the rest).
USERS=${BASTION_ST_USERS:-sysadmin secadmin auditadmin commander}
PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
MAX_EXAMPLES=${BASTION_ST_MAX_EXAMPLES:-20}
SEED=${BASTION_ST_SEED:-20200124}
# One worker: with two, hypothesis on CPython 3.11 intermittently aborts operations that have many
# query parameters ("AST constructor recursion depth mismatch"), a tool fault counted as a failure.
WORKERS=${BASTION_ST_WORKERS:-1}
READY_TIMEOUT=${BASTION_ST_READY_TIMEOUT:-60}
# The checks (see docs/testing.md for why these): no 5xx, status codes / content types / bodies
# as the document says.
CHECKS=${BASTION_ST_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance}
# Operations that would end the session a pass depends on: PATH for every pass, ACCOUNT:PATH for
# that account's pass only (the security admin may revoke sessions, its own included).
DEFAULT_EXCLUDES='/api/logout secadmin:/api/sessions/{id}/revoke'
EXCLUDE_PATHS=${BASTION_ST_EXCLUDE_PATHS:-$DEFAULT_EXCLUDES}

# The demo's three admins must give a TOTP code at sign-in: fix their secret so we can compute it.
TOTP_SECRET=${BASTION_DEMO_TOTP_SECRET:-JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP}
export BASTION_DEMO_PASSWORD=$PASSWORD BASTION_DEMO_TOTP_SECRET=$TOTP_SECRET

say() { printf '==> %s\n' "$*"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bastion-st.XXXXXX") || exit 2
SERVER_PID=
DB_NAME=
ADMIN_URL=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      say "server $SERVER_PID ignored SIGTERM; SIGKILL"
      kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    wait "$SERVER_PID" 2>/dev/null
  fi
  if [ -n "$DB_NAME" ]; then
    PGCONNECT_TIMEOUT=10 psql "$ADMIN_URL" -XAtq -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1 ||
      say "WARNING: could not drop database $DB_NAME on $ADMIN_URL"
  fi
  if [ "${BASTION_ST_KEEP:-0}" = 1 ]; then
    say "kept $WORK (server log: $WORK/server.err)"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

die() {
  say "ERROR: $*"
  exit 2
}

[ -x "$BIN" ] || die "no bastion binary at $BIN (cargo build -p bastion)"
[ -x "$VENV/bin/schemathesis" ] ||
  die "no schemathesis in $VENV (python3 -m venv $VENV && $VENV/bin/pip install -r scripts/schemathesis/requirements.txt)"

args=(serve --data "$WORK/data" --listen 127.0.0.1:0 --demo)
case $BACKEND in
  sqlite) ;;
  postgres)
    ADMIN_URL=${BASTION_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
    command -v psql >/dev/null 2>&1 || die "psql is needed to create the test database"
    name="bastion_st_$(date +%s)_$$"
    PGCONNECT_TIMEOUT=10 psql "$ADMIN_URL" -XAtq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$name\"" ||
      die "CREATE DATABASE $name on $ADMIN_URL failed"
    DB_NAME=$name
    # Same server and credentials, other database; keep any ?query.
    base=${ADMIN_URL%%\?*}
    query=${ADMIN_URL#"$base"}
    args+=(--database "${base%/*}/$DB_NAME$query")
    ;;
  *) die "unknown backend '$BACKEND' (want sqlite or postgres)" ;;
esac

# --- server ---------------------------------------------------------------------------------
say "$BIN ${args[*]}"
# Output to files, never to our stdout: test-all.sh tees our stdout and would wait for the server.
"$BIN" "${args[@]}" </dev/null >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
ADDR=
deadline=$((SECONDS + READY_TIMEOUT))
while [ "$SECONDS" -lt "$deadline" ]; do
  ADDR=$(sed -n 's|^listening on http://\([^ ]*\).*|\1|p' "$WORK/server.out" | head -n1)
  [ -n "$ADDR" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ADDR" ]; then
  tail -n 30 "$WORK/server.out" "$WORK/server.err"
  die "the server did not print 'listening on http://…' within ${READY_TIMEOUT}s"
fi
BASE=http://$ADDR
say "server $SERVER_PID at $BASE ($BACKEND)"

# --- one schemathesis pass per account -------------------------------------------------------
mkdir -p "$REPORT" || die "cannot create $REPORT"
REPORT=$(cd "$REPORT" && pwd)
rm -rf "$REPORT"/junit-*.xml "$REPORT"/events-*.ndjson "$REPORT/.schemathesis"

# login USER — prints the session token of USER, or fails. Sends the current TOTP code of the demo
# secret too (the server ignores it for accounts without a second factor).
login() {
  local body status token code
  code=$(python3 "$ROOT/scripts/schemathesis/totp.py" "$TOTP_SECRET") || return 1
  body=$(printf '{"username":"%s","password":"%s","totp":"%s"}' "$1" "$PASSWORD" "$code")
  status=$(curl -sS -o "$WORK/login.json" -D "$WORK/login.headers" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary "$body" "$BASE/api/login") || return 1
  token=$(tr -d '\r' <"$WORK/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *bastion_session=\([^;]*\).*/\1/p' | tail -n1)
  if [ "$status" != 200 ] || [ -z "$token" ]; then
    say "POST /api/login as $1 → HTTP $status: $(cat "$WORK/login.json")" >&2
    return 1
  fi
  say "signed in as $1: $(cat "$WORK/login.json")" >&2
  printf '%s\n' "$token"
}

overall=0
for user in ${USERS//,/ }; do
  printf '\n==> schemathesis as %s on %s\n' "$user" "$BACKEND"
  # Sign in right before the pass: an earlier pass may have ended sessions (强退) of other accounts.
  if ! token=$(login "$user"); then
    # No junit file: test-all.sh counts this pass as one failure.
    say "ERROR: could not sign in as $user; its pass is skipped"
    overall=1
    continue
  fi
  # Only the operations this account may reach (scripts/schemathesis/reachable.py says why).
  spec="$WORK/openapi-$user.json"
  if ! curl -fsS "$BASE/api/openapi.json" -o "$WORK/openapi.json" ||
    ! curl -fsS -H "Cookie: bastion_session=$token" "$BASE/api/me" -o "$WORK/me-$user.json" ||
    ! python3 "$ROOT/scripts/schemathesis/reachable.py" "$WORK/openapi.json" "$WORK/me-$user.json" >"$spec"; then
    say "ERROR: no API document within reach of $user; its pass is skipped"
    overall=1
    continue
  fi
  excludes=()
  for p in ${EXCLUDE_PATHS//,/ }; do
    case $p in
      /*) excludes+=(--exclude-path "$p") ;;
      "$user":/*) excludes+=(--exclude-path "${p#*:}") ;;
    esac
  done
  st=(
    "$VENV/bin/schemathesis" --no-color run "$spec" --url "$BASE"
    --header "Cookie: bastion_session=$token"
    --checks "$CHECKS"
    "${excludes[@]}"
    --max-examples "$MAX_EXAMPLES"
    --workers "$WORKERS"
    --request-timeout 30
    --generation-database none
    --report junit,ndjson --report-dir "$REPORT"
    --report-junit-path "$REPORT/junit-$user.xml" --report-ndjson-path "$REPORT/events-$user.ndjson"
  )
  [ "$SEED" != random ] && st+=(--seed "$SEED")
  # shellcheck disable=SC2206
  st+=(${BASTION_ST_ARGS:-})
  say "schemathesis $(printf '%q ' "${st[@]:3}" | sed "s/bastion_session=$token/bastion_session=…/")"
  # In the foreground (not `exec`): the trap must still stop the server afterwards. From the
  # report dir: schemathesis keeps its crash cache in ./.schemathesis (`st replay ID` reads it).
  (cd "$REPORT" && "${st[@]}")
  rc=$?
  [ "$rc" = 0 ] || overall=1
  # A session that ended during the run turns every later request into a 401: say so plainly.
  me=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: bastion_session=$token" "$BASE/api/me")
  [ "$me" = 200 ] || say "WARNING: the session of $user was no longer valid at the end of its pass (GET /api/me → $me)"
done

if grep -aq 'panicked at' "$WORK/server.err"; then
  printf '\n'
  say "the server panicked during the run (a dropped connection, not a 500):"
  grep -a -A1 'panicked at' "$WORK/server.err" | head -n 40
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  say "the server died during the run; last lines of its log:"
  tail -n 30 "$WORK/server.err"
  overall=1
fi
exit "$overall"
