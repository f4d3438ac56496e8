#!/usr/bin/env bash
# `make dev`: the whole stack on this machine. cairn-controlplane --dev runs the API on SQLite in
# ./.cairn-dev/ with three agents playing hosts host-a/b/c in zones a/b/c; once they are up this
# creates the cluster "demo" (1 shard, 2 replicas) unless it exists, and prints what to run next.
# Ctrl-C stops everything it started, nodes included.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR="$PWD/.cairn-dev"
BIN="${CAIRN_BIN_DIR:-$PWD/build/bin}"
HTTP_ADDR="${CAIRN_DEV_HTTP_ADDR:-127.0.0.1:8080}"
GRPC_ADDR="${CAIRN_DEV_GRPC_ADDR:-127.0.0.1:50051}"
AGENT_ADDR="${CAIRN_DEV_AGENT_ADDR:-127.0.0.1:50052}"
PY=/usr/bin/python3
mkdir -p "$DATA_DIR"
rm -f "$DATA_DIR/controlplane.json"

"$BIN/cairn-controlplane" --dev --data-dir "$DATA_DIR" --http-addr "$HTTP_ADDR" \
  --grpc-addr "$GRPC_ADDR" --agent-addr "$AGENT_ADDR" &
CP_PID=$!
trap 'kill -TERM "$CP_PID" 2>/dev/null || true; wait "$CP_PID" 2>/dev/null || true' INT TERM EXIT

# Poll (never sleep-wait for a fixed time) until the control plane and its hosts are up.
poll() {  # poll SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$CP_PID" 2>/dev/null; then
      echo "cairn dev: cairn-controlplane exited; see the output above" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "cairn dev: timed out waiting for $what" >&2
      exit 1
    fi
    sleep 0.1
  done
}
poll 30 "the control plane" test -s "$DATA_DIR/controlplane.json"
export CAIRN_ADDR="$GRPC_ADDR"
CAIRN_TOKEN="$(cat "$DATA_DIR/admin-token")"
export CAIRN_TOKEN
hosts_ready() {
  [ "$("$BIN/cairnctl" host list -o json | "$PY" -c \
    'import json,sys; print(sum(h["status"]=="HOST_STATUS_READY" for h in json.load(sys.stdin).get("hosts",[])))')" -ge 3 ]
}
poll 60 "three hosts" hosts_ready
if ! "$BIN/cairnctl" cluster get demo >/dev/null 2>&1; then
  "$BIN/cairnctl" cluster create demo --replicas 2 --wait >/dev/null
fi
PRIMARY_PORT="$("$BIN/cairnctl" cluster get demo -o json | "$PY" -c \
  'import json,sys; print(json.load(sys.stdin)["endpoints"]["primary"]["port"])')"

cat <<INFO

Cairn is running (Ctrl-C stops everything, nodes included).

  export CAIRN_ADDR=$GRPC_ADDR
  export CAIRN_TOKEN=$CAIRN_TOKEN

  REST API:          http://$HTTP_ADDR/v1   (curl -H "Authorization: Bearer \$CAIRN_TOKEN" http://$HTTP_ADDR/v1/clusters)
  demo's primary:    redis-cli -p $PRIMARY_PORT
  cluster details:   build/bin/cairnctl cluster get demo
INFO
wait "$CP_PID"
