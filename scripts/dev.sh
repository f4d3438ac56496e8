#!/usr/bin/env bash
# `make dev`: runs Cairn locally. Until the control plane lands (issue 9) this is one cairn-server
# on 127.0.0.1, state in ./.cairn-dev/. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${CAIRN_DEV_PORT:-6379}"
DATA_DIR="$PWD/.cairn-dev"
mkdir -p "$DATA_DIR"
echo "cairn dev: starting cairn-server on 127.0.0.1:$PORT (data in $DATA_DIR)"
echo "  connect:  redis-cli -p $PORT"
echo "  stop:     Ctrl-C"
exec build/bin/cairn-server --port "$PORT" --bind 127.0.0.1 --dir "$DATA_DIR"
