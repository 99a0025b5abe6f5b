# shellcheck shell=bash
# The cluster suite's machinery: a real nginx in front of three `bastion serve` nodes that share one
# private PostgreSQL primary, with a streaming replica of it as their read database; all on loopback.
# Sourced (after scripts/lib/provision.sh) by scripts/test-all.sh, step `cluster`, and by
# scripts/cluster/ctl.sh, which the tests in e2e/cluster/ call to kill, restart and inspect parts.
# Every function returns non-zero instead of exiting.
#
# Everything lives in one directory, CLUSTER_DIR (default <target dir>/cluster, emptied first):
#   cluster.env, cluster.json   what was chosen (ports, URLs, binary): for ctl.sh and for the tests
#   pg/primary, pg/replica      the two PostgreSQL data directories (owner postgres when run as root);
#                               their sockets and logs in pg/
#   node1 … node3               each node's --data directory (one key file, copied from node1)
#   nodeN.log, nodeN.pid        each node's output and process id (the tests restart nodes through
#                               ctl.sh, which rewrites the pid file)
#   nginx/                      nginx.conf (generated), bastion.conf (generated from the shipped
#                               deploy/nginx/bastion.conf), logs, temp files
# The machine's own PostgreSQL (if any) is never touched: the primary and the replica run on free
# ports of their own.

CLUSTER_NODES=3
CLUSTER_DEMO_PASSWORD=${BASTION_DEMO_PASSWORD:-Demo#2026pass}
CLUSTER_TOTP_SECRET=${BASTION_DEMO_TOTP_SECRET:-JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP}

# ensure_nginx — Debian's nginx when there is none (nginx-light, else nginx).
ensure_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    log "nginx: $(cluster_nginx_bin -v 2>&1)"
    return 0
  fi
  apt_install nginx-light || apt_install nginx || return 1
  log "nginx: $(cluster_nginx_bin -v 2>&1)"
}

cluster_nginx_bin() {
  if command -v nginx >/dev/null 2>&1; then nginx "$@"; else /usr/sbin/nginx "$@"; fi
}

# cluster_free_port FROM — the first port at or above FROM that nothing listens on (and that no
# PostgreSQL socket of that number exists for).
cluster_free_port() {
  local port=$1
  while tcp_open 127.0.0.1 "$port" || [ -e "/tmp/.s.PGSQL.$port" ]; do
    port=$((port + 1))
    if [ "$port" -gt 65000 ]; then
      warn "no free port from $1"
      return 1
    fi
  done
  echo "$port"
}

# cluster_detach LOG PIDFILE CMD... — starts CMD in the background with every inherited descriptor
# closed (a process that outlives this step must not hold the pipe of its log, or tee never ends),
# output appended to LOG; its process id goes to PIDFILE.
cluster_detach() {
  local out=$1 pidfile=$2
  shift 2
  (
    exec </dev/null >>"$out" 2>&1
    for fd in "/proc/$BASHPID"/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null; fi
    done
    "$@" &
    echo $! >"$pidfile"
  )
}

# cluster_wait_line FILE OFFSET PATTERN SECONDS PID — waits until FILE, past byte OFFSET, has a line
# matching PATTERN (grep -E); fails early when process PID ends.
cluster_wait_line() {
  local file=$1 offset=$2 pattern=$3 seconds=$4 pid=$5
  local deadline=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if tail -c +"$((offset + 1))" "$file" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -Eq "$pattern"; then
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# cluster_load DIR — reads what cluster_start chose (for ctl.sh).
cluster_load() {
  CLUSTER_DIR=$1
  # shellcheck disable=SC1091
  source "$CLUSTER_DIR/cluster.env"
}

# --- PostgreSQL: a private primary and its streaming replica --------------------------------------

cluster_pg_ctl() { as_pg "$CLUSTER_PG_BINDIR/pg_ctl" "$@"; }

# cluster_pg_start WHICH PORT — starts pg/WHICH (primary or replica) on 127.0.0.1:PORT.
cluster_pg_start() {
  local which=$1 port=$2
  # A throwaway cluster: no fsync (the tests kill Bastion nodes, never PostgreSQL).
  if ! (
    exec </dev/null >>"$CLUSTER_PG_DIR/$which-pg_ctl.log" 2>&1
    for fd in "/proc/$BASHPID"/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null; fi
    done
    cluster_pg_ctl -D "$CLUSTER_PG_DIR/$which" -l "$CLUSTER_PG_DIR/$which.log" -w -t 60 \
      -o "-p $port -k $CLUSTER_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on -c hot_standby_feedback=on" \
      start
  ); then
    tail -n 5 "$CLUSTER_PG_DIR/$which-pg_ctl.log" 2>/dev/null
    tail -n 30 "$CLUSTER_PG_DIR/$which.log" 2>/dev/null
    return 1
  fi
}

# cluster_pg_stop WHICH — stops pg/WHICH at once (its data is thrown away anyway).
cluster_pg_stop() {
  [ -f "$CLUSTER_PG_DIR/$1/postmaster.pid" ] || return 0
  cluster_pg_ctl -D "$CLUSTER_PG_DIR/$1" -m immediate -w -t 30 stop >/dev/null 2>&1
}

cluster_psql() { PGCONNECT_TIMEOUT=5 psql "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"; }

cluster_pg_setup() {
  local bindir
  if ! bindir=$(pg_bindir); then
    apt_install postgresql || return 1
    bindir=$(pg_bindir) || {
      warn "postgresql installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
      return 1
    }
  fi
  [ -x "$bindir/pg_basebackup" ] || { warn "no pg_basebackup in $bindir"; return 1; }
  ensure_psql || return 1
  if is_root && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres || return 1
  fi
  CLUSTER_PG_BINDIR=$bindir
  CLUSTER_PG_DIR=$CLUSTER_DIR/pg
  mkdir -p "$CLUSTER_PG_DIR" || return 1
  if is_root; then chown postgres: "$CLUSTER_PG_DIR" || return 1; fi
  chmod 700 "$CLUSTER_PG_DIR"
  # The server runs as postgres, who may not be able to reach a target dir under a private home.
  if ! as_pg test -w "$CLUSTER_PG_DIR"; then
    CLUSTER_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bastion-cluster-pg.XXXXXX") || return 1
    if is_root; then chown postgres: "$CLUSTER_PG_DIR" || return 1; fi
    log "postgres cannot write under $CLUSTER_DIR: PostgreSQL's directories are in $CLUSTER_PG_DIR"
  fi
  local pg=$CLUSTER_PG_DIR

  log "initdb $pg/primary ($("$bindir/postgres" --version))"
  as_pg "$bindir/initdb" -D "$pg/primary" -U postgres --auth=trust -E UTF8 --no-locale >"$pg/initdb.log" 2>&1 || {
    cat "$pg/initdb.log"
    return 1
  }
  # Loopback only; the replica streams as the superuser over loopback too.
  as_pg tee "$pg/primary/pg_hba.conf" >/dev/null <<'EOF'
local   all           all                 trust
host    all           all   127.0.0.1/32  trust
host    replication   all   127.0.0.1/32  trust
EOF

  CLUSTER_PG_PORT=$(cluster_free_port 15432) || return 1
  log "PostgreSQL primary on 127.0.0.1:$CLUSTER_PG_PORT"
  cluster_pg_start primary "$CLUSTER_PG_PORT" || return 1
  CLUSTER_PG_ADMIN="postgres://postgres@127.0.0.1:$CLUSTER_PG_PORT/postgres"
  cluster_psql "$CLUSTER_PG_ADMIN" 'CREATE DATABASE bastion' || return 1
  CLUSTER_DATABASE="postgres://postgres@127.0.0.1:$CLUSTER_PG_PORT/bastion"

  CLUSTER_REPLICA_PORT=$(cluster_free_port $((CLUSTER_PG_PORT + 1))) || return 1
  log "pg_basebackup -R → replica on 127.0.0.1:$CLUSTER_REPLICA_PORT"
  as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U postgres -D "$pg/replica" \
    -R -X stream -c fast >"$pg/basebackup.log" 2>&1 || {
    cat "$pg/basebackup.log"
    return 1
  }
  cluster_pg_start replica "$CLUSTER_REPLICA_PORT" || return 1
  CLUSTER_READ_DATABASE="postgres://postgres@127.0.0.1:$CLUSTER_REPLICA_PORT/bastion"
  if [ "$(cluster_psql "$CLUSTER_READ_DATABASE" 'SELECT pg_is_in_recovery()')" != t ]; then
    warn "the replica on port $CLUSTER_REPLICA_PORT is not in recovery"
    return 1
  fi
  local streaming
  streaming=$(cluster_psql "$CLUSTER_PG_ADMIN" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
  log "replica in recovery; primary reports $streaming streaming replica(s)"
}

# --- Bastion nodes ---------------------------------------------------------------------------------

# cluster_node_start N — starts node N (port CLUSTER_NODE_PORT_N) and waits until it listens.
cluster_node_start() {
  local n=$1
  local port_var="CLUSTER_NODE_PORT_$n"
  local port=${!port_var}
  local out=$CLUSTER_DIR/node$n.log
  local offset
  offset=$(stat -c %s "$out" 2>/dev/null || echo 0)
  # read_database / BASTION_READ_DATABASE: the replica, for read-only work.
  cluster_detach "$out" "$CLUSTER_DIR/node$n.pid" env \
    BASTION_TRUSTED_PROXIES=127.0.0.1 \
    BASTION_READ_DATABASE="$CLUSTER_READ_DATABASE" \
    BASTION_LOG="${BASTION_CLUSTER_LOG:-info}" \
    "$CLUSTER_BIN" serve --data "$CLUSTER_DIR/node$n" --database "$CLUSTER_DATABASE" --listen "127.0.0.1:$port"
  local pid
  pid=$(cat "$CLUSTER_DIR/node$n.pid")
  if ! cluster_wait_line "$out" "$offset" "listening on http://127\.0\.0\.1:$port" 60 "$pid"; then
    warn "node $n (pid $pid) did not listen on 127.0.0.1:$port; its log:"
    tail -c +"$((offset + 1))" "$out" | tail -n 30
    return 1
  fi
  log "node $n: pid $pid, http://127.0.0.1:$port"
}

# cluster_node_alive N — true when node N's recorded process runs (and is a bastion node).
cluster_node_alive() {
  local pid
  pid=$(cat "$CLUSTER_DIR/node$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa "$CLUSTER_DIR/node$1" "/proc/$pid/cmdline" 2>/dev/null
}

# cluster_node_stop N [SIGNAL] — TERM (default) or KILL; waits until the process is gone.
cluster_node_stop() {
  local n=$1 sig=${2:-TERM}
  cluster_node_alive "$n" || return 0
  local pid
  pid=$(cat "$CLUSTER_DIR/node$n.pid")
  kill -s "$sig" "$pid" 2>/dev/null
  local i
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    if [ "$i" = 50 ]; then kill -KILL "$pid" 2>/dev/null; fi
    sleep 0.1
  done
  warn "node $n (pid $pid) did not end"
  return 1
}

cluster_nodes_setup() {
  local n port=18081
  for n in $(seq 1 "$CLUSTER_NODES"); do
    port=$(cluster_free_port "$port") || return 1
    printf -v "CLUSTER_NODE_PORT_$n" '%s' "$port"
    port=$((port + 1))
    mkdir -p "$CLUSTER_DIR/node$n" && chmod 700 "$CLUSTER_DIR/node$n" || return 1
  done
  # The demo bureau, once, on the shared database; its key file is every node's key file.
  log "bastion demo (seeding the shared database)"
  env BASTION_DEMO_PASSWORD="$CLUSTER_DEMO_PASSWORD" BASTION_DEMO_TOTP_SECRET="$CLUSTER_TOTP_SECRET" \
    "$CLUSTER_BIN" demo --data "$CLUSTER_DIR/node1" --database "$CLUSTER_DATABASE" >"$CLUSTER_DIR/demo.log" 2>&1 || {
    tail -n 30 "$CLUSTER_DIR/demo.log"
    return 1
  }
  local keys=$CLUSTER_DIR/node1/keys/bastion.keys
  [ -f "$keys" ] || { warn "bastion demo wrote no key file at $keys"; return 1; }
  for n in $(seq 2 "$CLUSTER_NODES"); do
    install -D -m 600 "$keys" "$CLUSTER_DIR/node$n/keys/bastion.keys" || return 1
  done
  for n in $(seq 1 "$CLUSTER_NODES"); do
    cluster_node_start "$n" || return 1
  done
}

# --- nginx -----------------------------------------------------------------------------------------

# cluster_nginx_conf EXAMPLE OUT PORT NODE_ADDR... — the shipped example with the test's nodes as the
# upstream's servers (each server line's parameters kept from the example's first one), the test's
# address as the listen line, the `>>> tls` … `<<< tls` parts left out, and nginx connecting to the
# nodes from 127.0.0.1 (proxy_bind). Everything else verbatim.
cluster_nginx_conf() {
  local example=$1 out=$2 port=$3
  shift 3
  awk -v port="$port" -v nodes="$*" '
    /^[[:space:]]*#[[:space:]]*>>>[[:space:]]*tls/ { skip = 1; next }
    /^[[:space:]]*#[[:space:]]*<<<[[:space:]]*tls/ { skip = 0; next }
    skip { next }
    /^[[:space:]]*upstream[[:space:]]/ { in_up = 1 }
    in_up && /^[[:space:]]*}/ { in_up = 0 }
    in_up && /^[[:space:]]*#?[[:space:]]*server[[:space:]]+[0-9]/ {
      if (!done_up) {
        line = $0
        sub(/^[[:space:]]*#?[[:space:]]*server[[:space:]]+[^[:space:];]+/, "", line)
        sub(/;.*$/, "", line)
        n = split(nodes, addr, " ")
        for (i = 1; i <= n; i++) printf "    server %s%s;\n", addr[i], line
        done_up = 1
      }
      next
    }
    /^[[:space:]]*listen[[:space:]]/ {
      printf "    listen 127.0.0.1:%s;\n", port
      print "    # The nodes trust 127.0.0.1 (trusted_proxies): nginx connects to them from there."
      print "    proxy_bind 127.0.0.1;"
      listens++
      next
    }
    { print }
    END {
      if (!done_up) { print "cluster_nginx_conf: no upstream server lines in the example" > "/dev/stderr"; exit 1 }
      if (listens != 1) { print "cluster_nginx_conf: want one listen line outside the tls marks, found " listens > "/dev/stderr"; exit 1 }
    }' "$example" >"$out"
}

cluster_nginx_setup() {
  local dir=$CLUSTER_DIR/nginx
  mkdir -p "$dir/tmp" || return 1
  CLUSTER_NGINX_PORT=$(cluster_free_port 18080) || return 1
  local addrs=() n port_var
  for n in $(seq 1 "$CLUSTER_NODES"); do
    port_var="CLUSTER_NODE_PORT_$n"
    addrs+=("127.0.0.1:${!port_var}")
  done
  cluster_nginx_conf "$CLUSTER_ROOT/deploy/nginx/bastion.conf" "$dir/bastion.conf" "$CLUSTER_NGINX_PORT" "${addrs[@]}" || return 1
  {
    # Workers run as the user running the tests (root in CI: nginx would switch to nobody, who
    # cannot write the temp directories here).
    if is_root; then echo "user root root;"; fi
    cat <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log notice;
events { worker_connections 1024; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    # The shipped example (deploy/nginx/bastion.conf), nodes and listen address substituted.
    include $dir/bastion.conf;
}
EOF
  } >"$dir/nginx.conf"
  cluster_nginx_bin -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" || {
    warn "nginx -t refused the generated configuration:"
    cat "$dir/bastion.conf"
    return 1
  }
  local offset
  offset=$(stat -c %s "$dir/error.log" 2>/dev/null || echo 0)
  local bin
  bin=$(command -v nginx || echo /usr/sbin/nginx)
  # The binary itself (not a shell function) in the background: the recorded pid is nginx's master.
  cluster_detach "$dir/stdout.log" "$dir/master.pid" "$bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
  local pid deadline=$((SECONDS + 20))
  pid=$(cat "$dir/master.pid")
  until tcp_open 127.0.0.1 "$CLUSTER_NGINX_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      warn "nginx did not start"
      tail -c +"$((offset + 1))" "$dir/error.log" | tail -n 20
      return 1
    fi
    sleep 0.1
  done
  log "nginx $CLUSTER_NGINX_PORT → ${addrs[*]} (config $dir/bastion.conf, from deploy/nginx/bastion.conf)"
}

# --- the whole cluster -------------------------------------------------------------------------------

# cluster_write_env — cluster.env (for ctl.sh) and cluster.json (for the tests).
cluster_write_env() {
  local n port_var
  {
    printf 'CLUSTER_ROOT=%q\n' "$CLUSTER_ROOT"
    printf 'CLUSTER_BIN=%q\n' "$CLUSTER_BIN"
    printf 'CLUSTER_PG_BINDIR=%q\n' "$CLUSTER_PG_BINDIR"
    printf 'CLUSTER_PG_DIR=%q\n' "$CLUSTER_PG_DIR"
    printf 'CLUSTER_PG_PORT=%q\n' "$CLUSTER_PG_PORT"
    printf 'CLUSTER_REPLICA_PORT=%q\n' "$CLUSTER_REPLICA_PORT"
    printf 'CLUSTER_DATABASE=%q\n' "$CLUSTER_DATABASE"
    printf 'CLUSTER_READ_DATABASE=%q\n' "$CLUSTER_READ_DATABASE"
    printf 'CLUSTER_NGINX_PORT=%q\n' "$CLUSTER_NGINX_PORT"
    for n in $(seq 1 "$CLUSTER_NODES"); do
      port_var="CLUSTER_NODE_PORT_$n"
      printf 'CLUSTER_NODE_PORT_%s=%q\n' "$n" "${!port_var}"
    done
  } >"$CLUSTER_DIR/cluster.env"
  local nodes=()
  for n in $(seq 1 "$CLUSTER_NODES"); do
    port_var="CLUSTER_NODE_PORT_$n"
    nodes+=("{\"n\": $n, \"url\": \"http://127.0.0.1:${!port_var}\", \"port\": ${!port_var}, \"data\": \"$CLUSTER_DIR/node$n\", \"pidFile\": \"$CLUSTER_DIR/node$n.pid\", \"log\": \"$CLUSTER_DIR/node$n.log\"}")
  done
  local joined
  joined=$(printf '%s,\n    ' "${nodes[@]}")
  cat >"$CLUSTER_DIR/cluster.json" <<EOF
{
  "dir": "$CLUSTER_DIR",
  "bin": "$CLUSTER_BIN",
  "ctl": "$CLUSTER_ROOT/scripts/cluster/ctl.sh",
  "nginx": "http://127.0.0.1:$CLUSTER_NGINX_PORT",
  "nginxConf": "$CLUSTER_DIR/nginx/bastion.conf",
  "database": "$CLUSTER_DATABASE",
  "readDatabase": "$CLUSTER_READ_DATABASE",
  "demoPassword": "$CLUSTER_DEMO_PASSWORD",
  "totpSecret": "$CLUSTER_TOTP_SECRET",
  "nodes": [
    ${joined%,*}
  ]
}
EOF
}

# cluster_start DIR ROOT BIN — the whole cluster, fresh; exports BASTION_CLUSTER_DIR for the tests.
cluster_start() {
  CLUSTER_DIR=$1
  CLUSTER_ROOT=$2
  CLUSTER_BIN=$3
  [ -x "$CLUSTER_BIN" ] || { warn "no bastion binary at $CLUSTER_BIN"; return 1; }
  # What a previous run may have left (killed before its trap ran).
  if [ -f "$CLUSTER_DIR/cluster.env" ]; then
    cluster_stop_dir "$CLUSTER_DIR"
  fi
  rm -rf "$CLUSTER_DIR"
  mkdir -p "$CLUSTER_DIR" || return 1
  CLUSTER_STARTED=1
  local t0=$SECONDS
  cluster_pg_setup || return 1
  cluster_nodes_setup || return 1
  cluster_nginx_setup || return 1
  cluster_write_env || return 1
  export BASTION_CLUSTER_DIR=$CLUSTER_DIR
  log "cluster ready in $((SECONDS - t0))s: $CLUSTER_DIR/cluster.json"
}

# cluster_stop — stops what cluster_start started in this run (nodes, nginx, replica, primary) and
# removes the directory (BASTION_CLUSTER_KEEP=1 keeps it, stopped, for the logs).
cluster_stop() {
  if [ "${CLUSTER_STARTED:-0}" = 1 ]; then
    cluster_stop_dir "$CLUSTER_DIR"
    CLUSTER_STARTED=0
    if [ "${BASTION_CLUSTER_KEEP:-0}" = 1 ]; then
      log "kept $CLUSTER_DIR (logs of the nodes, nginx and PostgreSQL)"
    else
      rm -rf "$CLUSTER_DIR"
    fi
  fi
}

# cluster_stop_dir DIR — stops every process recorded under DIR.
cluster_stop_dir() {
  local dir=$1
  (
    CLUSTER_DIR=$dir
    if [ -f "$dir/cluster.env" ]; then cluster_load "$dir"; fi
    local n pid
    for n in $(seq 1 "$CLUSTER_NODES"); do
      cluster_node_stop "$n" TERM
    done
    # nginx's own pid file first (it names the master even if ours is stale).
    pid=$(cat "$dir/nginx/nginx.pid" 2>/dev/null || cat "$dir/nginx/master.pid" 2>/dev/null)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa "$dir/nginx" "/proc/$pid/cmdline" 2>/dev/null; then
      # TERM, not QUIT: a graceful stop would wait for the event streams' open connections.
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    if [ -z "${CLUSTER_PG_BINDIR:-}" ]; then CLUSTER_PG_BINDIR=$(pg_bindir) || exit 0; fi
    CLUSTER_PG_DIR=${CLUSTER_PG_DIR:-$dir/pg}
    cluster_pg_stop replica
    cluster_pg_stop primary
    case $CLUSTER_PG_DIR in "$dir"/*) ;; *) if [ "${BASTION_CLUSTER_KEEP:-0}" != 1 ]; then rm -rf "$CLUSTER_PG_DIR"; fi ;; esac
  )
}
