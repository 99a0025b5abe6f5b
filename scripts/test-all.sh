#!/usr/bin/env bash
# Bastion's one test command: bash scripts/test-all.sh
#
# Installs and starts what the tests need when it is missing (PostgreSQL, Chromium, Node.js and
# the e2e packages, schemathesis in a venv), then runs cargo fmt --check, clippy -D warnings (on the
# build itself when both are wanted: see LINT_IN_BUILD), the build, every Rust test (both backends; BASTION_TEST_PG points the PostgreSQL half at a server),
# the browser suite on SQLite and on PostgreSQL, the cluster suite (three nodes behind a real nginx
# on a private PostgreSQL primary with a streaming replica, all on loopback: scripts/lib/cluster.sh,
# e2e/cluster/), and schemathesis against /api/openapi.json of a signed-in demo server on both backends. Every step runs even after a failure; the last line is always
# `N passed, N failed`, and the exit status is 0 only when nothing failed and something passed.
#
# Environment (docs/testing.md has them all):
#   BASTION_TEST_PG          admin URL of a PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
#   BASTION_TEST_STEPS       steps to run (default "fmt clippy build test e2e cluster schemathesis deb")
#   BASTION_TEST_TIMEOUT     seconds cargo test may take (default 1800)
#   BASTION_E2E_BACKENDS     browser-suite backends (default "sqlite postgres")
#   BASTION_E2E_SPECS        spec files to run (default e2e/tests/*.spec.mjs)
#   BASTION_E2E_RUN_TIMEOUT  seconds one browser-suite pass may take (default 900)
#   BASTION_CLUSTER_RUN_TIMEOUT  seconds the cluster suite may take (default 300); BASTION_CLUSTER_* in docs/testing.md
#   BASTION_ST_BACKENDS      schemathesis backends (default "sqlite postgres"); BASTION_ST_* in docs/testing.md
#   BASTION_ST_RUN_TIMEOUT   seconds one schemathesis pass may take (default 300)
#   BASTION_TEST_LOGS        where each step's log goes (default <target dir>/test-all)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
# shellcheck source=scripts/lib/provision.sh
source "$ROOT/scripts/lib/provision.sh"
# shellcheck source=scripts/lib/cluster.sh
source "$ROOT/scripts/lib/cluster.sh"

if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  source "$HOME/.cargo/env"
fi

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
LOG_DIR=${BASTION_TEST_LOGS:-$TARGET_DIR/test-all}
mkdir -p "$LOG_DIR"
STEPS=" ${BASTION_TEST_STEPS:-fmt clippy build test e2e cluster schemathesis deb} "
E2E_BACKENDS=${BASTION_E2E_BACKENDS:-sqlite postgres}
E2E_BACKENDS=${E2E_BACKENDS//,/ }
ST_BACKENDS=${BASTION_ST_BACKENDS:-sqlite postgres}
ST_BACKENDS=${ST_BACKENDS//,/ }
ST_USERS=${BASTION_ST_USERS:-sysadmin secadmin auditadmin commander}
ST_USERS=${ST_USERS//,/ }
export BASTION_ST_USERS=$ST_USERS
export BASTION_ST_VENV=${BASTION_ST_VENV:-$TARGET_DIR/st-venv}
export BASTION_E2E_BIN=${BASTION_E2E_BIN:-$TARGET_DIR/debug/bastion}
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}

PASSED=0
FAILED=0
SUMMARY=()
# What failed, in a few lines each, printed just above the summary (CI keeps only the tail).
DETAILS=()
START=$SECONDS

want() { [[ $STEPS == *" $1 "* ]]; }

# record STEP PASSED FAILED NOTE
record() {
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-22s %6s %6s  %s' "$1" "$2" "$3" "$4")")
}

# run_logged NAME CMD... — runs CMD with its output on the console and in $LOG_DIR/NAME.log; returns CMD's status.
run_logged() {
  local name=$1
  shift
  printf '\n==> [%s] %s\n' "$name" "$*"
  local t0=$SECONDS
  # Not a pipeline: set-up functions must run in this shell so their exports stay.
  "$@" > >(tee "$LOG_DIR/$name.log") 2>&1
  local rc=$?
  # Let tee finish writing ($! is the process substitution's, when bash sets it).
  if [ -n "${!:-}" ]; then wait "$!" 2>/dev/null; fi
  printf '==> [%s] exit %s after %ss\n' "$name" "$rc" "$((SECONDS - t0))"
  return "$rc"
}

# A pass/fail check counted as one test.
one_test() {
  local name=$1
  shift
  if run_logged "$name" "$@"; then
    record "$name" 1 0 ""
  else
    record "$name" 0 1 "see $LOG_DIR/$name.log"
  fi
}

cleanup() {
  cluster_stop
  stop_private_pg
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_browser() { ensure_browser && ensure_node && ensure_e2e_deps "$ROOT/e2e"; }
setup_schemathesis() {
  ensure_schemathesis "$BASTION_ST_VENV" "$ROOT/scripts/schemathesis/requirements.txt" || return 1
  if [[ " $ST_BACKENDS " == *" postgres "* ]]; then ensure_psql || return 1; fi
}

# --- set-up: counted only when it fails ------------------------------------------------------
PG_OK=0
if want test || { want e2e && [[ " $E2E_BACKENDS " == *" postgres "* ]]; } ||
  { want schemathesis && [[ " $ST_BACKENDS " == *" postgres "* ]]; }; then
  if run_logged setup-postgres ensure_postgres; then
    PG_OK=1
    record setup-postgres 0 0 "$BASTION_TEST_PG"
  else
    record setup-postgres 0 1 "no PostgreSQL; see $LOG_DIR/setup-postgres.log"
  fi
fi

E2E_READY=0
if want e2e; then
  if run_logged setup-browser setup_browser; then
    E2E_READY=1
  else
    record setup-browser 0 1 "see $LOG_DIR/setup-browser.log"
  fi
fi

ST_READY=0
if want schemathesis; then
  if run_logged setup-schemathesis setup_schemathesis; then
    ST_READY=1
  else
    record setup-schemathesis 0 1 "see $LOG_DIR/setup-schemathesis.log"
  fi
fi

if want fmt || want clippy; then
  # rustup's default profile has both; a minimal toolchain may not.
  { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1 ||
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

# --- Rust ------------------------------------------------------------------------------------
want fmt && one_test fmt cargo fmt --all --check
# With both clippy and build wanted, the lints ride on the build: clippy-driver is the workspace's
# rustc wrapper (what `cargo clippy` does, but with code generation), so the dependencies are
# compiled once instead of once for `cargo clippy` and again for the build — minutes on a cold
# 2-core machine. `cargo test` runs with the same settings and reuses every artifact.
LINT_IN_BUILD=0
if want clippy && want build; then
  CLIPPY_DRIVER=$(command -v clippy-driver || true)
  if [ -n "$CLIPPY_DRIVER" ]; then
    export RUSTC_WORKSPACE_WRAPPER=$CLIPPY_DRIVER
    export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
    LINT_IN_BUILD=1
  fi
fi
if want clippy && [ "$LINT_IN_BUILD" = 0 ]; then
  one_test clippy cargo clippy --workspace --all-targets -- -D warnings
fi

BUILD_OK=1
if want build; then
  BUILD_ARGS=(--workspace)
  if [ "$LINT_IN_BUILD" = 1 ]; then BUILD_ARGS+=(--all-targets); fi
  if run_logged build cargo build "${BUILD_ARGS[@]}"; then
    record build 0 0 "$BASTION_E2E_BIN"
    if [ "$LINT_IN_BUILD" = 1 ]; then record clippy 1 0 "-D warnings, checked while building all targets"; fi
  else
    BUILD_OK=0
    record build 0 1 "see $LOG_DIR/build.log"
    if [ "$LINT_IN_BUILD" = 1 ]; then
      if grep -q "rust-clippy" "$LOG_DIR/build.log"; then
        record clippy 0 1 "lints failed; see $LOG_DIR/build.log"
      else
        record clippy 0 0 "not judged: the build failed"
      fi
    fi
  fi
fi

if want test; then
  if [ "$PG_OK" = 0 ]; then
    warn "no PostgreSQL: the PostgreSQL half of the Rust tests will fail"
  fi
  # The PDF tests embed a system Chinese font and read the result back with pdftotext.
  if ! run_logged setup-doc-tools ensure_doc_tools; then
    record setup-doc-tools 0 1 "no fonts-noto-cjk/poppler-utils: the PDF tests will fail; see $LOG_DIR/setup-doc-tools.log"
  fi
  run_logged test timeout --kill-after=30 "${BASTION_TEST_TIMEOUT:-1800}" cargo test --workspace --no-fail-fast
  rc=$?
  # test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s
  read -r p f i n < <(sed 's/\x1b\[[0-9;]*m//g' "$LOG_DIR/test.log" | awk '
    /test result: / && match($0, /[0-9]+ passed; [0-9]+ failed; [0-9]+ ignored/) {
      split(substr($0, RSTART, RLENGTH), a, /[^0-9]+/); p += a[1]; f += a[2]; i += a[3]; n++
    }
    END { print p + 0, f + 0, i + 0, n + 0 }')
  note="$n test binaries, $i ignored"
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    f=1
    note="cargo test exited $rc without a failing test (build error or timeout?); see $LOG_DIR/test.log"
  fi
  record "cargo test" "$p" "$f" "$note"
  if [ "$f" != 0 ]; then
    DETAILS+=("$(sed 's/\x1b\[[0-9;]*m//g' "$LOG_DIR/test.log" |
      grep -E -A6 '^---- .* stdout ----$|panicked at' | head -60)")
  fi
fi

# --- Browser suite ---------------------------------------------------------------------------
if want e2e; then
  if [ "$E2E_READY" = 0 ]; then
    record e2e 0 1 "not run: set-up failed"
  elif [ ! -x "$BASTION_E2E_BIN" ] || [ "$BUILD_OK" = 0 ]; then
    record e2e 0 1 "not run: no bastion binary at $BASTION_E2E_BIN"
  else
    # shellcheck disable=SC2206
    specs=(${BASTION_E2E_SPECS:-e2e/tests/*.spec.mjs})
    for backend in $E2E_BACKENDS; do
      name="e2e-$backend"
      tap="$LOG_DIR/$name.tap"
      rm -f "$tap"
      case $backend in
        sqlite) db_env=(-u BASTION_E2E_DATABASE) ;;
        postgres)
          if [ "$PG_OK" = 0 ]; then
            record "$name" 0 1 "not run: no PostgreSQL"
            continue
          fi
          db_env=("BASTION_E2E_DATABASE=${BASTION_E2E_DATABASE:-$BASTION_TEST_PG}")
          ;;
        *)
          record "$name" 0 1 "unknown backend (want sqlite or postgres)"
          continue
          ;;
      esac
      # spec to the console for people, TAP to a file for the counts.
      run_logged "$name" timeout --kill-after=30 "${BASTION_E2E_RUN_TIMEOUT:-900}" env "${db_env[@]}" \
        node --test --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" "${specs[@]}"
      rc=$?
      read -r p f c < <(awk '
        /^# pass /      { p = $3 }
        /^# fail /      { f = $3 }
        /^# cancelled / { c = $3 }
        END { print p + 0, f + 0, c + 0 }' "$tap" 2>/dev/null || echo 0 0 0)
      f=$((f + c))
      note="${#specs[@]} spec file(s)"
      [ "$c" != 0 ] && note="$note, $c cancelled"
      [ "$f" != 0 ] && note="$note; screenshots in e2e/test-results/"
      if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
        note="node --test exited $rc without a failing test; see $LOG_DIR/$name.log"
      fi
      record "$name" "$p" "$f" "$note"
      if [ "$f" != 0 ] && [ -f "$tap" ]; then
        # Each failing test's name and the start of its error (from the TAP file's YAML block).
        DETAILS+=("[$name] $(awk '
          /^ *not ok / { print; show = 1; n = 0; next }
          show && /^ *(error|message|stack): / { grab = 1 }
          show && grab { print; if (++n >= 14) { show = 0; grab = 0 } }
          /^ *\.\.\.$/ { show = 0; grab = 0 }' "$tap" | head -80)")
      fi
    done
  fi
fi

# --- Cluster suite: three nodes behind a real nginx ------------------------------------------------
# scripts/lib/cluster.sh starts a private PostgreSQL primary and a streaming replica of it, seeds the
# demo bureau once, starts three `bastion serve` nodes on it (read_database = the replica,
# trusted_proxies = 127.0.0.1) and nginx in front of them with a configuration generated from
# deploy/nginx/bastion.conf; then node runs e2e/cluster/*.test.mjs, which kill and restart nodes
# through scripts/cluster/ctl.sh. Counted like the browser suite; everything is stopped at the end.
if want cluster; then
  if [ ! -x "$BASTION_E2E_BIN" ] || [ "$BUILD_OK" = 0 ]; then
    record cluster 0 1 "not run: no bastion binary at $BASTION_E2E_BIN"
  else
    setup_cluster() {
      # The browser suite's set-up already put node and e2e/node_modules in place when it ran.
      ensure_nginx && { [ "$E2E_READY" = 1 ] || { ensure_node && ensure_e2e_deps "$ROOT/e2e"; }; } &&
        cluster_start "${BASTION_CLUSTER_DIR:-$TARGET_DIR/cluster}" "$ROOT" "$BASTION_E2E_BIN"
    }
    if ! run_logged setup-cluster setup_cluster; then
      record setup-cluster 0 1 "see $LOG_DIR/setup-cluster.log"
    else
      # shellcheck disable=SC2206
      cluster_specs=(${BASTION_CLUSTER_SPECS:-e2e/cluster/*.test.mjs})
      tap="$LOG_DIR/cluster.tap"
      rm -f "$tap"
      run_logged cluster timeout --kill-after=30 "${BASTION_CLUSTER_RUN_TIMEOUT:-300}" \
        node --test --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" "${cluster_specs[@]}"
      rc=$?
      read -r p f c t < <(awk '
        /^# pass /      { p = $3 }
        /^# fail /      { f = $3 }
        /^# cancelled / { c = $3 }
        /^# todo /      { t = $3 }
        END { print p + 0, f + 0, c + 0, t + 0 }' "$tap" 2>/dev/null || echo 0 0 0 0)
      f=$((f + c))
      note="nginx + 3 nodes + replica"
      [ "$t" != 0 ] && note="$note, $t todo (known defects, not counted)"
      [ "$c" != 0 ] && note="$note, $c cancelled"
      if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
        note="node --test exited $rc without a failing test (timeout?); see $LOG_DIR/cluster.log"
      fi
      record cluster "$p" "$f" "$note"
      if [ "$f" != 0 ] && [ -f "$tap" ]; then
        DETAILS+=("[cluster] $(awk '
          /^ *not ok / && !/# TODO/ { print; show = 1; n = 0; next }
          show && /^ *(error|message): / { grab = 1 }
          show && grab { print; if (++n >= 8) { show = 0; grab = 0 } }
          /^ *\.\.\.$/ { show = 0; grab = 0 }' "$tap" | head -60)")
      fi
    fi
    cluster_stop
  fi
fi

# --- API fuzzing: schemathesis ----------------------------------------------------------------
# One pass per backend (scripts/schemathesis/run.sh): a fresh demo server, one schemathesis run per
# account in $ST_USERS. Each JUnit test case (an API operation, or the stateful phase) of each
# account's run is one test.
if want schemathesis; then
  if [ "$ST_READY" = 0 ]; then
    record schemathesis 0 1 "not run: set-up failed"
  elif [ ! -x "$BASTION_E2E_BIN" ] || [ "$BUILD_OK" = 0 ]; then
    record schemathesis 0 1 "not run: no bastion binary at $BASTION_E2E_BIN"
  else
    for backend in $ST_BACKENDS; do
      name="schemathesis-$backend"
      if [ "$backend" = postgres ] && [ "$PG_OK" = 0 ]; then
        record "$name" 0 1 "not run: no PostgreSQL"
        continue
      fi
      report="$LOG_DIR/$name"
      run_logged "$name" timeout --kill-after=30 "${BASTION_ST_RUN_TIMEOUT:-300}" env \
        BASTION_ST_BIN="$BASTION_E2E_BIN" BASTION_ST_REPORT="$report" \
        bash "$ROOT/scripts/schemathesis/run.sh" "$backend"
      rc=$?
      # shellcheck disable=SC2086
      read -r p f note < <(python3 "$ROOT/scripts/schemathesis/count.py" "$report" $ST_USERS || echo 0 0)
      if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        f=$((f > 0 ? f : 1))
        note="timed out after ${BASTION_ST_RUN_TIMEOUT:-300}s ($note); see $LOG_DIR/$name.log"
      elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
        note="run.sh exited $rc without a failing test (server or sign-in?); see $LOG_DIR/$name.log"
      elif [ "$f" != 0 ]; then
        note="$note; see $LOG_DIR/$name.log"
      fi
      record "$name" "$p" "$f" "$note"
    done
  fi
fi

# --- Debian package: layout, maintainer scripts, systemd unit ---------------------------------
# scripts/check-deb.sh --quick packs the debug binary (no release build) into a temp dir and checks
# the package (a few seconds).
if want deb; then
  if [ ! -x "$TARGET_DIR/debug/bastion" ] || [ "${BUILD_OK:-1}" = 0 ]; then
    record deb 0 1 "not run: no bastion binary at $TARGET_DIR/debug/bastion"
  else
    one_test deb env CARGO_TARGET_DIR="$TARGET_DIR" bash "$ROOT/scripts/check-deb.sh" --quick
  fi
fi

# --- Summary ---------------------------------------------------------------------------------
stop_private_pg
if [ "${#DETAILS[@]}" != 0 ]; then
  printf '\n==> what failed (first lines; whole logs in %s)\n' "$LOG_DIR"
  printf '%s\n' "${DETAILS[@]}"
fi
printf '\n==> summary (%dm%02ds; logs in %s)\n' "$(((SECONDS - START) / 60))" "$(((SECONDS - START) % 60))" "$LOG_DIR"
printf '%-22s %6s %6s  %s\n' step passed failed note
printf '%s\n' "${SUMMARY[@]}"
echo "$PASSED passed, $FAILED failed"
if [ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]; then
  exit 0
fi
exit 1
