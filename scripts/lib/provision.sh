# shellcheck shell=bash
# Installs and starts what the tests need when it is missing: PostgreSQL, Chromium, Node.js.
# Sourced by scripts/test-all.sh; every function returns non-zero instead of exiting.

log() { printf '==> %s\n' "$*"; }
warn() { printf '==> WARNING: %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

# Runs a command as root: directly when we are root (CI), through passwordless sudo otherwise.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    warn "need root to run: $* (run as root, or give this user passwordless sudo)"
    return 1
  fi
}

APT_UPDATED=0
# apt_install PKG... — non-interactive; runs `apt-get update` once per run first.
apt_install() {
  local apt_opts=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update || return 1
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install "$@"
}

deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# --- PostgreSQL --------------------------------------------------------------------------------

# url_host_port URL — prints "HOST PORT" of a postgres:// URL (host 127.0.0.1 and port 5432 when absent).
url_host_port() {
  local rest=${1#*://}
  rest=${rest%%/*}
  rest=${rest%%\?*}
  rest=${rest##*@}
  local host port
  if [[ $rest == \[* ]]; then # [::1]:5432
    host=${rest%%]*}
    host=${host#[}
    port=${rest##*]}
    port=${port#:}
  else
    host=${rest%%:*}
    port=${rest#"$host"}
    port=${port#:}
  fi
  printf '%s %s\n' "${host:-127.0.0.1}" "${port:-5432}"
}

# tcp_open HOST PORT — true when something accepts a TCP connection there.
tcp_open() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# pg_answers URL — psql runs `select 1` when psql exists; otherwise a TCP probe of host:port.
pg_answers() {
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=5 psql "$1" -XAtqc 'select 1' >/dev/null 2>&1
  else
    local hp
    read -r -a hp <<<"$(url_host_port "$1")"
    tcp_open "${hp[0]}" "${hp[1]}"
  fi
}

# Newest PostgreSQL server bin dir that has initdb and pg_ctl, or nothing.
pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

PRIVATE_PG_STARTED=0
PRIVATE_PG_DIR=${BASTION_PG_DIR:-/tmp/bastion-pg}

# Runs a command as the cluster's owner: user postgres when we are root (initdb refuses root).
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# ensure_postgres — leaves BASTION_TEST_PG exported and answering, or returns 1.
ensure_postgres() {
  export BASTION_TEST_PG=${BASTION_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
  if pg_answers "$BASTION_TEST_PG"; then
    log "PostgreSQL answers at $BASTION_TEST_PG"
    return 0
  fi
  log "no PostgreSQL answers at $BASTION_TEST_PG; starting a private cluster in $PRIVATE_PG_DIR"

  local bindir
  if ! bindir=$(pg_bindir); then
    apt_install postgresql || return 1
    # Debian's package may have created and started its own cluster on 5432.
    if pg_answers "$BASTION_TEST_PG"; then
      log "PostgreSQL answers at $BASTION_TEST_PG (started by the package)"
      return 0
    fi
    bindir=$(pg_bindir) || {
      warn "postgresql installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
      return 1
    }
  fi
  if is_root && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres || return 1
  fi

  local data=$PRIVATE_PG_DIR/data
  local version
  version=$("$bindir/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')

  # Reuse a cluster a previous run left running.
  if [ -f "$data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    local port
    port=$(sed -n 4p "$data/postmaster.pid")
    export BASTION_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres"
    if pg_answers "$BASTION_TEST_PG"; then
      log "reusing the running private cluster: $BASTION_TEST_PG"
      return 0
    fi
    as_pg "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1
  fi

  if [ "$(cat "$data/PG_VERSION" 2>/dev/null)" != "$version" ]; then
    rm -rf "$PRIVATE_PG_DIR"
    mkdir -p "$PRIVATE_PG_DIR" || return 1
    if is_root; then chown postgres: "$PRIVATE_PG_DIR" || return 1; fi
    chmod 700 "$PRIVATE_PG_DIR"
    log "initdb $data (PostgreSQL $version, trust auth)"
    as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >"$PRIVATE_PG_DIR/initdb.log" 2>&1 || {
      cat "$PRIVATE_PG_DIR/initdb.log"
      return 1
    }
  fi

  local port=5433
  while tcp_open 127.0.0.1 "$port" || [ -e "/tmp/.s.PGSQL.$port" ]; do
    port=$((port + 1))
    if [ "$port" -gt 5600 ]; then
      warn "no free port in 5433-5600"
      return 1
    fi
  done

  # A throwaway test cluster: durability off for speed, socket in its own directory.
  log "pg_ctl start on 127.0.0.1:$port"
  # In a subshell with every inherited descriptor closed: the server outlives this script and must
  # not hold the pipe of the step's log (tee would never see end-of-file).
  if ! (
    exec </dev/null >>"$PRIVATE_PG_DIR/pg_ctl.log" 2>&1
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    as_pg "$bindir/pg_ctl" -D "$data" -l "$PRIVATE_PG_DIR/server.log" -w -t 60 \
      -o "-p $port -k $PRIVATE_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start
  ); then
    tail -n 5 "$PRIVATE_PG_DIR/pg_ctl.log" 2>/dev/null
    tail -n 30 "$PRIVATE_PG_DIR/server.log" 2>/dev/null
    return 1
  fi
  PRIVATE_PG_STARTED=1
  PRIVATE_PG_BINDIR=$bindir
  export BASTION_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres"
  if ! pg_answers "$BASTION_TEST_PG"; then
    warn "the private cluster started but does not answer at $BASTION_TEST_PG"
    return 1
  fi
  log "PostgreSQL answers at $BASTION_TEST_PG (private cluster, log $PRIVATE_PG_DIR/server.log)"
}

# Stops the cluster ensure_postgres started in this run (BASTION_KEEP_PG=1 leaves it running).
stop_private_pg() {
  if [ "$PRIVATE_PG_STARTED" = 1 ] && [ "${BASTION_KEEP_PG:-0}" != 1 ]; then
    as_pg "$PRIVATE_PG_BINDIR/pg_ctl" -D "$PRIVATE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    PRIVATE_PG_STARTED=0
  fi
}

# --- Documents ---------------------------------------------------------------------------------

# ensure_doc_tools — what the document engine's tests need: a Chinese font to embed in PDFs
# (fonts-noto-cjk) and poppler's pdftotext/pdfinfo/pdfimages to read the PDFs back.
ensure_doc_tools() {
  local need=()
  deb_installed fonts-noto-cjk || need+=(fonts-noto-cjk)
  deb_installed poppler-utils || need+=(poppler-utils)
  if [ "${#need[@]}" -gt 0 ]; then
    apt_install "${need[@]}" || return 1
  fi
  command -v pdftotext >/dev/null 2>&1 || { warn "no pdftotext after installing poppler-utils"; return 1; }
}

# --- Browser and Node.js -----------------------------------------------------------------------

# ensure_browser — Debian's chromium (+ chromium-driver) and CJK fonts for Chinese screenshots.
ensure_browser() {
  local need=()
  local chromium=${BASTION_E2E_CHROMIUM:-/usr/bin/chromium}
  if [ ! -x "$chromium" ]; then
    need+=(chromium)
  fi
  deb_installed chromium-driver || need+=(chromium-driver)
  deb_installed fonts-noto-cjk || need+=(fonts-noto-cjk)
  if [ "${#need[@]}" -gt 0 ]; then
    apt_install "${need[@]}" || return 1
  fi
  if [ ! -x "$chromium" ]; then
    warn "no Chromium at $chromium"
    return 1
  fi
  log "browser: $("$chromium" --version 2>/dev/null | head -n1)"
}

# ensure_node — node >= 20 and npm (playwright-core needs Node.js 20).
ensure_node() {
  command -v node >/dev/null 2>&1 || apt_install nodejs || return 1
  command -v npm >/dev/null 2>&1 || apt_install npm || return 1
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
  if [ "${major:-0}" -lt 20 ]; then
    warn "Node.js $(node --version) is too old: the browser tests need Node.js >= 20"
    return 1
  fi
  log "node $(node --version), npm $(npm --version)"
}

# ensure_e2e_deps — `npm ci` in e2e/ (`npm install` when there is no lock file); never downloads a browser.
ensure_e2e_deps() {
  local dir=$1
  (
    cd "$dir" || exit 1
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    if [ -f package-lock.json ]; then
      npm ci --prefer-offline --no-progress
    else
      npm install --no-progress
    fi
  )
}

# --- schemathesis --------------------------------------------------------------------------------

# ensure_schemathesis VENV REQUIREMENTS — a venv with the pinned schemathesis (Debian 12's python3,
# plus python3-venv when `python3 -m venv` cannot work). Reinstalls when REQUIREMENTS changes.
ensure_schemathesis() {
  local venv=$1 req=$2
  command -v python3 >/dev/null 2>&1 || apt_install python3 || return 1
  local stamp=$venv/.bastion-requirements
  if [ -x "$venv/bin/schemathesis" ] && cmp -s "$req" "$stamp"; then
    log "schemathesis: $("$venv/bin/schemathesis" --version 2>/dev/null) in $venv"
    return 0
  fi
  # Debian's python3 lacks ensurepip (and so venv) until python3-venv is installed.
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install python3-venv || return 1
  fi
  rm -rf "$venv"
  log "python3 -m venv $venv && pip install -r $req"
  python3 -m venv "$venv" || return 1
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$req" || return 1
  cp "$req" "$stamp"
  log "schemathesis: $("$venv/bin/schemathesis" --version 2>/dev/null) in $venv"
}

# ensure_psql — the PostgreSQL client (the schemathesis step creates and drops its database with it).
ensure_psql() {
  command -v psql >/dev/null 2>&1 || apt_install postgresql-client || return 1
}
