#!/usr/bin/env bash
# The cluster suite's hands on the running cluster: bash scripts/cluster/ctl.sh COMMAND [N]
#
# The tests in e2e/cluster/ call this to change the cluster that scripts/lib/cluster.sh started
# (step `cluster` of scripts/test-all.sh), found through BASTION_CLUSTER_DIR:
#   node-start N     start node N again (same port, data directory and settings); waits until it listens
#   node-stop N      stop node N (SIGTERM: a graceful stop)
#   node-kill N      SIGKILL node N and wait until it is gone
#   replica-stop     stop the read replica (PostgreSQL, immediate)
#   replica-start    start it again (it resumes streaming from the primary)
#   status           which nodes run
# Whatever it starts is recorded in the cluster directory, so the step's clean-up stops it too.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/provision.sh
source "$ROOT/scripts/lib/provision.sh"
# shellcheck source=scripts/lib/cluster.sh
source "$ROOT/scripts/lib/cluster.sh"

DIR=${BASTION_CLUSTER_DIR:-}
if [ -z "$DIR" ] || [ ! -f "$DIR/cluster.env" ]; then
  warn "BASTION_CLUSTER_DIR does not name a running cluster (no cluster.env in '${DIR}')"
  exit 2
fi
cluster_load "$DIR"

node_arg() {
  case ${1:-} in
    [1-9]) [ "$1" -le "$CLUSTER_NODES" ] && return 0 ;;
  esac
  warn "want a node number 1-$CLUSTER_NODES, got '${1:-}'"
  exit 2
}

case ${1:-} in
  node-start)
    node_arg "${2:-}"
    if cluster_node_alive "$2"; then
      warn "node $2 runs already"
      exit 1
    fi
    cluster_node_start "$2"
    ;;
  node-stop)
    node_arg "${2:-}"
    cluster_node_stop "$2" TERM
    ;;
  node-kill)
    node_arg "${2:-}"
    cluster_node_stop "$2" KILL
    ;;
  replica-stop) cluster_pg_stop replica ;;
  replica-start) cluster_pg_start replica "$CLUSTER_REPLICA_PORT" ;;
  status)
    for n in $(seq 1 "$CLUSTER_NODES"); do
      if cluster_node_alive "$n"; then echo "node $n: up (pid $(cat "$DIR/node$n.pid"))"; else echo "node $n: down"; fi
    done
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
